from dagster import DefaultScheduleStatus, DefaultSensorStatus, RunRequest, SkipReason, build_schedule_context, build_sensor_context

from assets.automation import daily_refresh, raw_folder_sensor
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


def test_schedule_and_sensor_ship_running():
    assert daily_refresh.default_status == DefaultScheduleStatus.RUNNING
    assert raw_folder_sensor.default_status == DefaultSensorStatus.RUNNING
    assert daily_refresh.cron_schedule == "0 2 * * *" and daily_refresh.execution_timezone == "UTC"
    request = daily_refresh(build_schedule_context())
    assert isinstance(request, RunRequest)
