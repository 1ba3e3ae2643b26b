"""Reading a cross-day asset's previous output to decide what a run recomputes.

The decision itself is newsdag.incremental.plan_recompute; this module only
fetches its inputs from the warehouse: the previous output and its footer
(what it was made from), and the current version of each day of ``articles``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue

from assets.io_manager import BASIS_KEY, PLAN_KEY, SETTINGS_KEY
from assets.resources import NewsdagSettings
from newsdag.incremental import RecomputePlan, day_versions_from_footer, plan_recompute
from newsdag.storage import partition_versions, read_kv_metadata, table_file


def footer(warehouse: Path, table: str) -> dict[str, str]:
    """The newsdag footer of an unpartitioned table, {} when it has no file."""
    path = table_file(warehouse, table)
    return read_kv_metadata(path) if path.exists() else {}


def basis_json(**parts) -> str:
    """What an output depends on besides its inputs, as canonical JSON.

    A part that is itself JSON text (a settings string, another table's
    basis) is nested as the value it encodes, not as a string of JSON, so
    that the UI shows one readable document."""
    return json.dumps({name: _decoded(value) for name, value in parts.items()}, sort_keys=True, default=str)


def _decoded(value):
    if isinstance(value, (list, tuple)):
        return [_decoded(v) for v in value]
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return _decoded(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    return value


def plan_run(context: AssetExecutionContext, settings: NewsdagSettings, tables: list[str],
             basis: str, read: bool = True) -> tuple[RecomputePlan, dict]:
    """The plan for an asset writing ``tables`` (the first one's footer is read),
    and the previous outputs when the plan keeps any of them: frames, or with
    ``read=False`` the paths of their Parquet files, for steps that read them
    a piece at a time."""
    kv = footer(settings.warehouse, tables[0])
    previous_days = day_versions_from_footer(kv.get("upstream"), "articles") if kv else None
    missing = [t for t in tables if not table_file(settings.warehouse, t).exists()]
    plan = plan_recompute(partition_versions(settings.warehouse, "articles"), None if missing else previous_days,
                          settings.trailing_days, same_settings=kv.get("basis") == basis)
    context.log.info(f"{', '.join(tables)}: {plan.mode} ({plan.reason})")
    previous = {} if plan.mode == "full" else {
        t: pd.read_parquet(table_file(settings.warehouse, t)) if read else table_file(settings.warehouse, t) for t in tables}
    return plan, previous


def footer_metadata(settings_json: str, basis: str, plan: RecomputePlan) -> dict:
    """Output metadata of an incremental asset: its settings, basis and plan,
    shown in the UI as JSON documents and written by the IO manager into
    the Parquet footer as canonical JSON (see assets.io_manager)."""
    return {SETTINGS_KEY: MetadataValue.json(json.loads(settings_json)),
            BASIS_KEY: MetadataValue.json(json.loads(basis)),
            PLAN_KEY: MetadataValue.json(plan.as_metadata())}
