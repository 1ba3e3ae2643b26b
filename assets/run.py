"""Run the asset graph in process on the persistent Dagster instance.

The CLI's entry point into Dagster: the same implicit asset job the UI
launches, on the instance in ``$DAGSTER_HOME``, so CLI runs appear in the UI's
run history and asset catalogue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import multiprocessing
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from dagster import AssetKey, AssetSelection, DagsterEventType, DagsterInstance, build_reconstructable_job

from assets.automation import day_range_tags, refresh_job
from assets.definitions import build_definitions
from assets.ingest import parse_settings_json
from assets.partitions import days_between, first_and_last_day, known_days, register_days
from assets.publish import fail_orphaned_runs, process_tags, report_unpublished
from newsdag import config
from newsdag.storage import file_lock, partition_keys, read_kv_metadata, table_file, warehouse_transaction


@dataclass
class AssetSummary:
    asset: str
    rows: int | None
    seconds: float | None
    path: str | None


@dataclass
class RunSummary:
    run_ids: list[str] = field(default_factory=list)
    success: bool = True
    assets: list[AssetSummary] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (name, passed, severity)
    failures: list[str] = field(default_factory=list)
    days: tuple[str, str] | None = None  # the range of daily partitions run, if any
    published: Path | None = None  # the warehouse version the call published (None: nothing published)
    results: list = field(default_factory=list, repr=False)  # each run's JobExecutionResult (its events)

    @property
    def run_id(self) -> str:
        return self.run_ids[-1] if self.run_ids else ""


RAW_FILES = AssetKey("raw_files")
MIN_FREE_HOME_BYTES = 16 << 20
CONSOLE_LOGGERS = {"console": {"config": {"log_level": "INFO"}}}
PROGRESS_LOGGERS = {"console": {"config": {"log_level": "WARNING"}}, "progress": {}}


def materialize_assets(raw_dir: str | os.PathLike | None = None, warehouse_dir: str | os.PathLike | None = None,
                       selection: str | None = None, lock_wait_seconds: float | None = None,
                       from_day: str | None = None, to_day: str | None = None,
                       instance: DagsterInstance | None = None, run_config: dict | None = None,
                       compute: str | None = None, progress: bool = False) -> RunSummary:
    """Materialise the selected assets (all by default) and summarise the runs.

    ``selection`` uses Dagster's asset selection syntax, e.g. ``"sentences"``
    or ``"key:articles+"`` (articles and everything downstream); a plain
    comma-separated list of asset names also works.

    First ``raw_files`` (when selected), which indexes the raw folder and
    adds the days its files hold as day partitions; then the rest over the
    days that need it (see :func:`_run_days`; with ``from_day`` or
    ``to_day``, YYYY-MM-DD, every known day between them), a single-run
    backfill per stretch of consecutive days, the cross-day assets once.

    ``instance`` defaults to the persistent one in ``$DAGSTER_HOME`` (tests
    and benchmarks pass an ephemeral one); ``run_config`` goes to every run;
    ``compute`` (``local`` or ``spark``) defaults to ``$NEWSDAG_COMPUTE``;
    ``progress`` swaps Dagster's console log for one line per step
    (assets.progress).

    The warehouse's writer lock and one transaction are held for the whole
    call, not run by run: two calls on one warehouse never interleave their
    runs, and the call's runs are published together when all succeed
    (``RunSummary.published``), or not at all. Raises
    newsdag.storage.WarehouseBusy when another process holds it longer than
    ``lock_wait_seconds`` (default 3600).
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # A spawned worker imports the script that started it; a script that
        # materialises at import would otherwise start a second run here,
        # which waits for the first run's lock while the first waits for it.
        raise RuntimeError(
            "newsdag was asked to materialise while one of its worker processes was starting: the script "
            "that calls materialize_assets runs it when imported, and each worker imports it again. "
            "Put the call under `if __name__ == \"__main__\":` (or set NEWSDAG_WORKERS=1).")
    defs = build_definitions(raw_dir, warehouse_dir, lock_wait_seconds, compute)
    graph = defs.resolve_asset_graph()
    if selection:
        if all(part.strip().isidentifier() for part in selection.split(",")):
            sel = AssetSelection.assets(*[p.strip() for p in selection.split(",")])
        else:
            sel = AssetSelection.from_string(selection)
        keys = sorted(sel.resolve(graph), key=lambda k: k.to_user_string())
        if not keys:
            raise ValueError(f"the selection {selection!r} matches no asset")
    else:
        keys = sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    first_day, last_day = first_and_last_day(defs.resources["settings"].first_day)
    for name, day in (("--from", from_day), ("--to", to_day)):
        if day is not None and not (first_day <= _iso_day(name, day) <= last_day):
            raise ValueError(f"{name} {day} is outside the days articles may be dated, {first_day}..{last_day} "
                             "(NEWSDAG_FIRST_DAY sets the first)")
    if from_day and to_day and _iso_day("--from", from_day) > _iso_day("--to", to_day):
        raise ValueError(f"--from {from_day} is after --to {to_day}")
    # execute_job, not JobDefinition.execute_in_process: the latter keeps every
    # step's output in memory until the run ends (so that tests can read them
    # back), which made a run's memory the sum of all its tables. execute_job
    # rebuilds the same job in this process from these arguments.
    job = build_reconstructable_job(
        "assets.run", "asset_job",
        reconstructable_args=(None if raw_dir is None else str(raw_dir), None if warehouse_dir is None else str(warehouse_dir),
                              lock_wait_seconds, compute))
    if instance is None:
        home = config.ensure_dagster_home()
        free = shutil.disk_usage(home).free
        if free < MIN_FREE_HOME_BYTES:
            # Checked before any run is recorded: a home that fills during a
            # run cannot record the run's end.
            raise OSError(errno.ENOSPC, f"the Dagster home {home} has {free / 1e6:.1f} MB free; its event log needs "
                                        f"at least {MIN_FREE_HOME_BYTES / 1e6:.0f} MB", str(home))
        # Opening a new SQLite instance creates its tables; two first runs at once
        # would race to create them, so opening is serialised (it takes a moment).
        with file_lock(home / ".instance-setup.lock", "newsdag instance setup", wait_seconds=300):
            instance = DagsterInstance.get()
            instance.get_runs(limit=1)
        owned = instance
    else:
        owned = contextlib.nullcontext()
    summary = RunSummary()
    loggers = PROGRESS_LOGGERS if progress else CONSOLE_LOGGERS
    run = functools.partial(_run, job, instance, run_config={"loggers": loggers, **(run_config or {})}, summary=summary)
    warehouse = config.warehouse_dir(warehouse_dir)
    wait = 3600.0 if lock_wait_seconds is None else lock_wait_seconds
    with owned:
        fail_orphaned_runs(instance)
        # One transaction for the whole call: its runs publish together, or not at all.
        with warehouse_transaction(warehouse, f"newsdag materialize (pid {os.getpid()})", wait,
                                   on_wait=lambda message: print(f"newsdag: {message}", file=sys.stderr, flush=True)) \
                as staging:
            try:
                _run_days(run, instance, keys, graph, defs.resources["settings"], summary, staging.directory,
                          from_day, to_day)
            finally:
                if not summary.success:
                    staging.fail()
        if staging.failed and summary.run_ids:
            report_unpublished(instance, summary.run_ids, warehouse)
        summary.published = staging.version
    return summary


def _run_days(run, instance, keys, graph, settings, summary: RunSummary, warehouse: Path, from_day, to_day) -> None:
    """``raw_files`` first (when selected); then the day partitions that need
    it (:func:`_days_to_run`; with ``from_day`` or ``to_day``, every known
    day between them), a run per stretch of consecutive days, the last with
    the cross-day assets. Stops when a run fails. ``warehouse``: the staged copy."""
    changed = None
    if RAW_FILES in keys:
        run([RAW_FILES], {})
        if not summary.success:
            return
        changed = _changed_days(summary.results[-1])
    rest = [k for k in keys if k != RAW_FILES]
    partitioned = [k for k in rest if graph.get(k).is_partitioned]
    blocks: list[list[str]] = []
    if partitioned:
        indexed = _indexed_days(warehouse)
        stored = {t: set(partition_keys(warehouse, t)) for t in DAILY_TABLES}
        # Every day indexed or stored (a stored day no longer indexed lost its
        # files: running it empties it). Registered here too: a run that does
        # not select raw_files, or a new Dagster home beside an existing
        # warehouse, still knows every day.
        register_days(instance, set(indexed).union(*stored.values()))
        if from_day or to_day or changed is None:
            days = days_between(instance, from_day or "0000", to_day or "9999")
            blocks = [days] if days else []
        else:
            wanted = _days_to_run(warehouse, indexed, stored, changed, graph, settings, partitioned)
            blocks = _stretches(known_days(instance), wanted)
        if blocks:
            summary.days = (blocks[0][0], blocks[-1][-1])
    for block in blocks[:-1]:
        run(partitioned, day_range_tags(block[0], block[-1]))
        if not summary.success:
            return
    rest = rest if blocks else [k for k in rest if k not in partitioned]  # no day to run
    if rest:
        run(rest, day_range_tags(blocks[-1][0], blocks[-1][-1]) if blocks else {})


def _changed_days(result) -> list[str]:
    """The days the raw_files run found new, changed or gone (its ``changed_days``)."""
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            value = event.event_specific_data.materialization.metadata.get("changed_days")
            if value is not None:
                return list(value.value or [])
    return []


def _days_to_run(warehouse: Path, indexed: list[str], stored: dict[str, set[str]], changed: list[str], graph,
                 settings, tables) -> list[str]:
    """The days a default run must (re)build, of the daily ``tables`` it
    runs: those the raw folder's index says changed; those ``indexed`` but
    not ``stored`` (days per table); those stored but no longer indexed
    (their files went); and those whose stored partition was made by another
    code version or other parse settings. Every other day is left as it is,
    so re-running unchanged input parses nothing again."""
    indexed = set(indexed)
    stored = {k.path[-1]: stored.get(k.path[-1], set()) for k in tables}
    anywhere = set().union(*stored.values())
    parse_settings = parse_settings_json(settings)
    stale = set()
    for key in tables:
        table, code_version = key.path[-1], graph.get(key).code_version or ""
        for day in stored[table]:
            kv = read_kv_metadata(table_file(warehouse, table, day))
            if kv.get("code_version", "") != code_version or \
                    (table in PARSED_TABLES and kv.get("settings", "") != parse_settings):
                stale.add(day)
    return sorted(set(changed) | (indexed - anywhere) | (anywhere - indexed) | stale)


def _stretches(known: list[str], wanted) -> list[list[str]]:
    """``wanted`` days cut into stretches of days consecutive in ``known`` (a
    range of partitions runs every known day between its ends)."""
    wanted, stretches, previous = set(wanted), [], False
    for day in known:
        if day in wanted:
            if previous:
                stretches[-1].append(day)
            else:
                stretches.append([day])
        previous = day in wanted
    return stretches


def _iso_day(name: str, day: str) -> str:
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {day!r}") from None


def _indexed_days(warehouse) -> list[str]:
    """Every day the raw_files index lists."""
    path = table_file(warehouse, "raw_files")
    if not path.exists():
        return []
    return sorted({d for ds in pd.read_parquet(path, columns=["days"])["days"] for d in ds})


DAILY_TABLES = ("articles", "rejected_inputs", "sentences")
PARSED_TABLES = ("articles", "rejected_inputs")  # made by parse_articles, with its parse settings in the footer


def asset_job(raw_dir: str | None, warehouse_dir: str | None, lock_wait_seconds: float | None, compute: str | None):
    """The code location's ``refresh_all`` job (every asset and check), what
    ``execute_job`` rebuilds; runs choose their assets with ``asset_selection``.
    The UI knows the job, so it can re-execute CLI runs."""
    return build_definitions(raw_dir, warehouse_dir, lock_wait_seconds, compute).resolve_job_def(refresh_job.name)


# The code location the UI loads (workspace.yaml): a run recorded with this
# origin is one the UI can re-execute as the same job, without the warning
# that it "may be a different version".
CODE_LOCATION = "newsdag"
REPOSITORY = "__repository__"


def code_location_origin(job_name: str):
    """The origin of ``job_name`` in the code location of workspace.yaml."""
    from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin, RemoteRepositoryOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(executable_path=sys.executable, module_name="assets.definitions",
                                                    working_directory=str(config.PROJECT_ROOT)),
        location_name=CODE_LOCATION)
    return RemoteRepositoryOrigin(code_location_origin=location, repository_name=REPOSITORY).get_job_origin(job_name)


def _execute(job, instance, keys, run_config: dict, tags: dict):
    """``dagster.execute_job`` (its in-process path, as of the pinned 1.13.27),
    with the run recorded under the code location's origin (execute_job
    records none)."""
    from dagster._core.execution.api import _check_execute_job_args, _job_with_repository_load_data, execute_run

    job_arg, repository_load_data = _job_with_repository_load_data(job)
    job_arg, run_config, tags, resolved_op_selection, op_selection = _check_execute_job_args(
        job_arg=job_arg, run_config=run_config, tags=tags, op_selection=None)
    run = instance.create_run_for_job(
        job_def=job_arg.get_definition(), run_config=run_config, tags=tags, op_selection=op_selection,
        resolved_op_selection=resolved_op_selection, asset_selection=frozenset(keys),
        remote_job_origin=code_location_origin(job_arg.get_definition().name),
        job_code_origin=job_arg.get_python_origin(), repository_load_data=repository_load_data)
    return execute_run(job_arg, run, instance, raise_on_error=False)


def _run(job, instance, keys, tags, *, run_config: dict, summary: RunSummary) -> None:
    with _execute(job, instance, keys, run_config, {"newsdag/launched_by": "cli", **process_tags(), **tags}) as result:
        pass  # the run is over when it returns; its events stay readable after the context closes
    summary.results.append(result)
    step_stats = {s.step_key: s for s in instance.get_run_step_stats(result.run_id)}
    summary.run_ids.append(result.run_id)
    summary.success = summary.success and result.success
    counted: set[str] = set()
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            name = mat.asset_key.to_user_string()
            if name in counted:
                continue  # a range run records every day with the same metadata: count it once
            counted.add(name)
            meta = mat.metadata
            stats = step_stats.get(event.step_key)
            seconds = (stats.end_time - stats.start_time) if stats and stats.end_time and stats.start_time else None
            rows = meta.get("dagster/row_count")
            rows = rows.value if rows else None
            path = meta.get("path").value if meta.get("path") else None
            if mat.partition and path:
                path = str(Path(path).parent) if Path(path).name == mat.partition else path  # the table, not one day
            earlier = next((a for a in summary.assets if a.asset == name), None)
            if earlier is None:
                summary.assets.append(AssetSummary(name, rows, seconds, path))
            else:  # the same daily asset in an earlier block of days: one line per asset, totals
                earlier.rows = (earlier.rows or 0) + (rows or 0)
                earlier.seconds = (earlier.seconds or 0) + (seconds or 0)
                earlier.path = path
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            summary.checks.append((f"{ev.asset_key.to_user_string()}:{ev.check_name}", ev.passed, ev.severity.value))
        elif event.event_type in (DagsterEventType.STEP_FAILURE, DagsterEventType.RESOURCE_INIT_FAILURE,
                                  DagsterEventType.RUN_FAILURE):
            err = getattr(event.event_specific_data, "error", None)
            while err is not None and err.cause is not None:
                err = err.cause  # the user-code error, not Dagster's wrapper
            if err is not None:
                summary.failures.append(f"{event.step_key or event.event_type_value}: {err.message.strip()}")
