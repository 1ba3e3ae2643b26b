"""Keeping Dagster's records true to the published warehouse.

A run writes a staged version of the warehouse and publishes it only when it
succeeds (newsdag.storage.warehouse_transaction). Dagster records each
asset's materialisation as its step ends, before the run is known to succeed,
and its event log cannot be rewritten. So when a run's version is discarded,
each of its materialisations is followed by a reported one that says so and
names what the warehouse still holds: the asset's latest materialisation
then describes the files on disk. And a CLI run whose process died (killed,
or its Dagster home full) is marked failed by the next CLI call instead of
staying STARTED for ever.
"""

from __future__ import annotations

import os
import socket

from dagster import AssetMaterialization, DagsterEventType, DagsterInstance, DagsterRunStatus, MetadataValue, RunsFilter

from newsdag.storage import read_kv_metadata, table_file

UNPUBLISHED_KEY = "newsdag/unpublished_run"
PID_TAG = "newsdag/pid"
HOST_TAG = "newsdag/host"


def process_tags() -> dict[str, str]:
    """Tags naming the process that runs a CLI run (see :func:`fail_orphaned_runs`)."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def run_failed(instance: DagsterInstance, run_id: str) -> bool:
    """Whether a step of ``run_id`` has failed so far (a failed blocking check
    fails its step). Asked while the run's resources are torn down, before
    Dagster records the run's own outcome."""
    return bool(instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE))


def report_unpublished(instance: DagsterInstance, run_ids, warehouse) -> int:
    """After the version written by ``run_ids`` was discarded: report, for each
    asset (and partition) they materialised, a materialisation saying it was
    not published and giving the data version the published ``warehouse``
    holds (``none`` when it holds no such table). Returns how many were reported."""
    reported = 0
    for run_id in run_ids:
        seen = set()
        for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
            mat = record.asset_materialization
            if mat is None or (mat.asset_key, mat.partition) in seen:
                continue
            seen.add((mat.asset_key, mat.partition))
            path = table_file(warehouse, mat.asset_key.path[-1], mat.partition)
            published = read_kv_metadata(path).get("data_version", "") if path.exists() else "none"
            instance.report_runless_asset_event(AssetMaterialization(
                asset_key=mat.asset_key, partition=mat.partition,
                description=f"Not published: run {run_id} failed, so the warehouse keeps the version before it.",
                metadata={UNPUBLISHED_KEY: MetadataValue.text(run_id),
                          "newsdag/published_data_version": MetadataValue.text(published or "none"),
                          "path": MetadataValue.path(str(path))}))
            reported += 1
    return reported


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_orphaned_runs(instance: DagsterInstance) -> list[str]:
    """Mark failed every CLI run on this host still STARTED whose process is
    gone (killed, or stopped by a full Dagster home before it could record its
    end). Returns their run ids."""
    host = socket.gethostname()
    orphans = []
    for run in instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING],
                                            tags={"newsdag/launched_by": "cli"})):
        pid = run.tags.get(PID_TAG)
        if run.tags.get(HOST_TAG) != host or not (pid or "").isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(run, message=f"the newsdag process (pid {pid}) that ran it ended without "
                                                "recording its end; nothing of it was published")
        orphans.append(run.run_id)
    return orphans
