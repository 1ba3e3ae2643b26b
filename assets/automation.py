"""Keeping the tables fresh: a daily schedule and a sensor on the raw folder.

Both ship RUNNING: as soon as `make ui` starts the daemon, new files in the raw
folder start a run within a minute, and every day at 02:00 UTC the whole graph
is refreshed.
"""

from dagster import (
    AssetSelection, DefaultScheduleStatus, DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason,
    define_asset_job, schedule, sensor,
)

from assets.resources import NewsdagSettings
from newsdag.ingest import raw_fingerprint

refresh_job = define_asset_job(
    "refresh_all", selection=AssetSelection.all(),
    description="Materialise every asset over the raw folder (ingest, features, stories, overlap).",
)


@schedule(job=refresh_job, cron_schedule="0 2 * * *", execution_timezone="UTC",
          default_status=DefaultScheduleStatus.RUNNING, description="Refresh every table once a day, 02:00 UTC.")
def daily_refresh(context):
    return RunRequest(run_key=None, tags={"newsdag/trigger": "schedule"})


@sensor(job=refresh_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING,
        description="Start a run when files in the raw folder are added, changed or removed.")
def raw_folder_sensor(context: SensorEvaluationContext, settings: NewsdagSettings):
    if not settings.raw_root.is_dir():
        return SkipReason(f"raw folder {settings.raw_root} does not exist")
    digest, n_files = raw_fingerprint(settings.raw_root)
    if digest == context.cursor:
        return SkipReason(f"no new or changed files among {n_files}")
    context.update_cursor(digest)
    # The run key is the folder's fingerprint: the same state never runs twice.
    return RunRequest(run_key=digest, tags={"newsdag/trigger": "sensor", "newsdag/n_files": str(n_files)})
