"""Run the asset graph in process on the persistent Dagster instance.

The CLI's entry point into Dagster: the same implicit asset job the UI
launches, on the instance in ``$DAGSTER_HOME``, so CLI runs appear in the UI's
run history and asset catalogue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dagster import AssetSelection, DagsterEventType, DagsterInstance

from assets.definitions import build_definitions
from newsdag import config
from newsdag.storage import file_lock


@dataclass
class AssetSummary:
    asset: str
    rows: int | None
    seconds: float | None
    path: str | None


@dataclass
class RunSummary:
    run_id: str
    success: bool
    assets: list[AssetSummary] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (name, passed, severity)
    failures: list[str] = field(default_factory=list)


def materialize_assets(raw_dir: str | os.PathLike | None = None, warehouse_dir: str | os.PathLike | None = None,
                       selection: str | None = None, lock_wait_seconds: float | None = None) -> RunSummary:
    """Materialise the selected assets (all by default) and summarise the run.

    ``selection`` uses Dagster's asset selection syntax, e.g. ``"sentences"``
    or ``"key:articles+"`` (articles and everything downstream); a plain
    comma-separated list of asset names also works.
    """
    defs = build_definitions(raw_dir, warehouse_dir, lock_wait_seconds)
    graph = defs.resolve_asset_graph()
    keys = None
    if selection:
        if all(part.strip().isidentifier() for part in selection.split(",")):
            sel = AssetSelection.assets(*[p.strip() for p in selection.split(",")])
        else:
            sel = AssetSelection.from_string(selection)
        keys = sorted(sel.resolve(graph), key=lambda k: k.to_user_string())
        if not keys:
            raise ValueError(f"the selection {selection!r} matches no asset")
    job = defs.resolve_implicit_global_asset_job_def()
    home = config.ensure_dagster_home()
    # Opening a new SQLite instance creates its tables; two first runs at once
    # would race to create them, so opening is serialised (it takes a moment).
    with file_lock(home / ".instance-setup.lock", "newsdag instance setup", wait_seconds=300):
        instance = DagsterInstance.get()
        instance.get_runs(limit=1)
    with instance:
        result = job.execute_in_process(instance=instance, asset_selection=keys, raise_on_error=False,
                                        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
                                        tags={"newsdag/launched_by": "cli"})
        step_stats = {s.step_key: s for s in instance.get_run_step_stats(result.run_id)}
    summary = RunSummary(run_id=result.run_id, success=result.success)
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            meta = mat.metadata
            stats = step_stats.get(event.step_key)
            seconds = (stats.end_time - stats.start_time) if stats and stats.end_time and stats.start_time else None
            rows = meta.get("dagster/row_count")
            path = meta.get("path")
            summary.assets.append(AssetSummary(mat.asset_key.to_user_string(), rows.value if rows else None,
                                               seconds, path.value if path else None))
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
    return summary
