from dagster import DefaultScheduleStatus, DefaultSensorStatus, RunRequest, SkipReason, build_schedule_context, build_sensor_context

import datetime as dt

from dagster import AssetKey, AssetMaterialization, DagsterInstance, PartitionKeyRange, instance_for_test, materialize
from dagster._core.definitions.partitions.context import partition_loading_context
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from assets.automation import daily_refresh, new_days_sensor, raw_folder_sensor
from assets.definitions import build_resources, defs
from assets.ingest import raw_files
from assets.resources import NewsdagSettings
from tests.conftest import write


def evaluate(raw_dir, cursor):
    ctx = build_sensor_context(cursor=cursor, resources={"settings": NewsdagSettings(raw_dir=str(raw_dir))})
    result = raw_folder_sensor(ctx)
    return result, ctx.cursor


def test_sensor_runs_once_per_state_of_the_raw_folder(raw_dir):
    write(raw_dir, "bbc/a.txt", "First.")
    first, cursor = evaluate(raw_dir, None)
    assert isinstance(first, RunRequest) and first.run_key == cursor
    again, cursor2 = evaluate(raw_dir, cursor)
    assert isinstance(again, SkipReason) and cursor2 == cursor
    write(raw_dir, "bbc/b.txt", "A new file.")
    new, cursor3 = evaluate(raw_dir, cursor)
    assert isinstance(new, RunRequest) and new.run_key == cursor3 != cursor
    (raw_dir / "bbc" / "a.txt").write_text("Changed, longer text.")
    changed, cursor4 = evaluate(raw_dir, cursor3)
    assert isinstance(changed, RunRequest) and cursor4 != cursor3


def test_sensor_skips_a_missing_folder(tmp_path):
    result, _ = evaluate(tmp_path / "missing", None)
    assert isinstance(result, SkipReason) and "does not exist" in result.skip_message


def test_schedule_and_sensors_ship_running():
    assert daily_refresh.default_status == DefaultScheduleStatus.RUNNING
    assert raw_folder_sensor.default_status == DefaultSensorStatus.RUNNING
    assert new_days_sensor.default_status == DefaultSensorStatus.RUNNING
    assert daily_refresh.cron_schedule == "15 0 * * *" and daily_refresh.execution_timezone == "UTC"


def test_schedule_runs_yesterday_and_today_in_one_run():
    from assets.partitions import register_days

    when = dt.datetime(2026, 3, 2, 0, 15, tzinfo=dt.timezone.utc)
    with instance_for_test() as instance:  # a schedule's context needs an instance it can reopen
        # Neither day is a partition yet: the schedule scans, and new_days_sensor runs what it finds.
        request = daily_refresh(build_schedule_context(instance=instance, scheduled_execution_time=when))
        assert isinstance(request, RunRequest) and request.asset_selection == [AssetKey("raw_files")]
        register_days(instance, ["2026-02-27", "2026-03-01", "2026-03-02"])
        request = daily_refresh(build_schedule_context(instance=instance, scheduled_execution_time=when))
    assert isinstance(request, RunRequest) and request.asset_selection is None
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == "2026-03-01"
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == "2026-03-02"


def test_day_partitions_stay_in_calendar_order_and_keep_their_materialisations(tmp_path):
    from assets.partitions import DAYS, known_days, register_days

    instance = DagsterInstance.ephemeral()
    assert register_days(instance, ["2025-01-03", "2025-01-01"]) == ["2025-01-01", "2025-01-03"]
    instance.report_runless_asset_event(AssetMaterialization("articles", partition="2025-01-03"))
    # An earlier day found later goes before the known ones, not after them.
    assert register_days(instance, ["2025-01-02", "2025-01-03"]) == ["2025-01-02"]
    assert known_days(instance) == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert register_days(instance, ["2025-01-02"]) == []
    # A range of partitions (a single-run backfill) is the days between its ends.
    with partition_loading_context(dynamic_partitions_store=instance):
        assert DAYS.get_partition_keys_in_range(PartitionKeyRange("2025-01-01", "2025-01-02")) == \
            ["2025-01-01", "2025-01-02"]
    assert instance.get_materialized_partitions(AssetKey("articles")) == {"2025-01-03"}


def test_new_days_sensor_runs_the_changed_days_once(raw_dir, tmp_path):
    write(raw_dir, "bbc/a.txt", "date 2025-01-02 First.")
    write(raw_dir, "bbc/b.txt", "Undated, first seen on 2025-01-05.")
    wh = tmp_path / "wh"
    instance = DagsterInstance.ephemeral()
    resources = build_resources(raw_dir, wh)
    assert materialize([raw_files], resources=resources, instance=instance).success

    def evaluate(cursor=None):
        ctx = build_sensor_context(instance=instance, cursor=cursor, repository_def=defs.get_repository_def())
        return new_days_sensor.evaluate_tick(ctx)

    tick = evaluate()
    [request] = tick.run_requests
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == "2025-01-02"
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == "2025-01-05"
    # The same materialisation is not acted on twice; a rescan that changes nothing asks for nothing.
    assert not evaluate(tick.cursor).run_requests
    assert materialize([raw_files], resources=resources, instance=instance).success
    again = evaluate(tick.cursor)
    assert not again.run_requests
    # A new file for one day: that day only.
    write(raw_dir, "bbc/c.txt", "date 2025-01-03 Another.")
    assert materialize([raw_files], resources=resources, instance=instance).success
    [request] = evaluate(again.cursor).run_requests
    assert (request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[ASSET_PARTITION_RANGE_END_TAG]) == ("2025-01-03", "2025-01-03")
