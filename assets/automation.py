"""Keeping the tables fresh: a sensor on the raw folder, a sensor on new days,
and a daily schedule. All ship RUNNING, so `make ui` (which starts the daemon)
keeps the warehouse current without anyone pressing a button.

* ``raw_folder_sensor`` notices new, changed or removed files (a cheap
  fingerprint of paths, sizes and times, kept as its cursor) and runs
  ``scan_raw_folder``: the ``raw_files`` index, which lists the days touched.
* ``new_days_sensor`` reads those days from each new ``raw_files``
  materialisation and runs ``refresh_all`` for exactly that range of days:
  the daily partitions in one run, then the cross-day assets, which recompute
  only their trailing window.
* ``daily_refresh`` runs yesterday and today (those of them that are day
  partitions) every day at 00:15 UTC, for articles that arrive late or
  without a sensor; with neither day known yet, it runs the scan, after
  which ``new_days_sensor`` runs the days it finds.
"""

import datetime as dt

from dagster import (
    AssetKey, AssetSelection, DefaultScheduleStatus, DefaultSensorStatus, EventLogEntry, RunRequest,
    SensorEvaluationContext, SkipReason, asset_sensor, define_asset_job, schedule, sensor,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from assets.partitions import days_between, known_days
from assets.resources import NewsdagSettings
from newsdag.ingest import raw_fingerprint

scan_job = define_asset_job(
    "scan_raw_folder", selection=AssetSelection.assets("raw_files"),
    description="Index the raw folder: which files there are and which days they hold.",
)
refresh_job = define_asset_job(
    "refresh_all", selection=AssetSelection.all(),
    description="Materialise a range of days (ingest) and refresh the cross-day assets (features, stories, overlap).",
)


def day_range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make one run cover the days first..last (a single-run backfill)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


@schedule(job=refresh_job, cron_schedule="15 0 * * *", execution_timezone="UTC",
          default_status=DefaultScheduleStatus.RUNNING,
          description="Every day at 00:15 UTC: ingest yesterday and today, refresh stories and overlap.")
def daily_refresh(context):
    today = context.scheduled_execution_time.astimezone(dt.timezone.utc).date()
    days = days_between(context.instance, (today - dt.timedelta(days=1)).isoformat(), today.isoformat())
    if not days:  # the scan finds them, and new_days_sensor runs them
        return RunRequest(run_key=None, asset_selection=[AssetKey("raw_files")], tags={"newsdag/trigger": "schedule"})
    return RunRequest(run_key=None, tags={**day_range_tags(days[0], days[-1]), "newsdag/trigger": "schedule"})


@sensor(job=scan_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING,
        description="Index the raw folder when files are added, changed or removed.")
def raw_folder_sensor(context: SensorEvaluationContext, settings: NewsdagSettings):
    if not settings.raw_root.is_dir():
        return SkipReason(f"raw folder {settings.raw_root} does not exist")
    digest, n_files = raw_fingerprint(settings.raw_root)
    if digest == context.cursor:
        return SkipReason(f"no new or changed files among {n_files}")
    context.update_cursor(digest)
    # The run key is the folder's fingerprint: the same state never runs twice.
    return RunRequest(run_key=digest, tags={"newsdag/trigger": "sensor", "newsdag/n_files": str(n_files)})


@asset_sensor(asset_key=AssetKey("raw_files"), job=refresh_job, minimum_interval_seconds=30,
              default_status=DefaultSensorStatus.RUNNING,
              description="When the raw_files index lists new or changed days, materialise those days and refresh.")
def new_days_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry):
    mat = asset_event.asset_materialization
    value = mat.metadata.get("changed_days") if mat else None
    days = list(getattr(value, "value", None) or [])
    known = set(known_days(context.instance))  # raw_files added them as it found them
    days = sorted(d for d in days if d in known)
    if not days:
        return SkipReason("the latest raw_files scan changed no day")
    # One run per raw_files materialisation (one per run: its run id is the key).
    return RunRequest(run_key=f"raw_files-{asset_event.run_id}",
                      tags={**day_range_tags(days[0], days[-1]), "newsdag/trigger": "new_days_sensor",
                            "newsdag/n_changed_days": str(len(days))})
