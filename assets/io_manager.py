"""The warehouse IO manager: every asset is a Parquet table directory, never pickled.

``<warehouse>/<table>/part-0.parquet`` for an unpartitioned table and
``<warehouse>/<table>/<partition key>/part-0.parquet`` for a partitioned one,
so ``pd.read_parquet("<warehouse>/<table>")`` reads the whole table either way.
Writes are atomic (newsdag.storage). A step whose table is too large to hold
whole writes it as it goes (newsdag.storage.TableWriter) and hands over the
writer, which the IO manager commits in place; a step that reads a table a day
at a time gets a newsdag.storage.PartitionedTable (see ``partitions_in``).
Each file's footer carries the asset key,
run id, code version, newsdag version, its own data version and the data
versions of the upstream tables it was made from; each materialisation gets
row count, schema with column descriptions, column lineage and a preview.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import (
    AssetIn,
    ConfigurableIOManagerFactory,
    InputContext,
    MetadataValue,
    OutputContext,
    TableColumn,
    TableColumnDep,
    TableColumnLineage,
    TableSchema,
    UPathIOManager,
)
from dagster import AssetKey
from upath import UPath

import newsdag
from assets.publish import report_unpublished, run_failed
from assets.resources import NewsdagSettings
from newsdag.schemas import TABLES
from newsdag.storage import (
    PART_FILE, PartitionedTable, TableWriter, content_hash, partition_keys, read_kv_metadata, read_partitions, to_arrow,
    warehouse_transaction, write_parquet_atomic,
)

CONTENT_HASH_KEY = "newsdag/content_hash"
SETTINGS_KEY = "newsdag/settings"
# What an incremental asset's output depends on besides its inputs (its own
# settings and code version, and those of the cross-day assets it reads), and
# how much of it the run recomputed: both go into the footer, where the next
# run reads them (see newsdag.incremental).
BASIS_KEY = "newsdag/basis"
PLAN_KEY = "newsdag/plan"
# When the raw_files scan began (ISO 8601, UTC): the next scan keeps the hash
# of a file modified well before it (newsdag.ingest.scan_raw_files).
SCAN_STARTED_KEY = "newsdag/scan_started"
PREVIEW_ROWS = 5
PREVIEW_CHARS = 80


class ParquetTableIOManager(UPathIOManager):
    """Tables under ``base_path`` (during a run, the staged copy of the
    warehouse); metadata paths name ``published_path``, where readers find
    the table once the run is published."""

    extension = None  # a table is a directory, not a file

    def __init__(self, base_path: UPath, published_path: Path | None = None):
        super().__init__(base_path=base_path)
        self.published_path = Path(published_path) if published_path else Path(str(base_path))

    def _published(self, path) -> str:
        """``path`` (under ``base_path``) as readers will find it."""
        return str(self.published_path / Path(str(path)).relative_to(Path(str(self._base_path))))

    def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
        if not context.has_asset_partitions:
            return super().handle_output(context, obj)
        # Daily partitions, one run for a whole range (single-run backfills):
        # rows go to the partition named in their ``day`` column. A day of the
        # range without rows is written empty only when it held rows before,
        # so that re-running a day replaces exactly that day.
        keys = list(context.asset_partition_keys)
        table = context.asset_key.path[-1]
        base = self._table_dir(context)
        # Row numbers per day, each day's rows copied out only when written: a
        # dict of every day's frame would hold the whole table twice.
        by_day = obj.groupby("day", sort=True).indices if len(obj) else {}
        stray = sorted(set(by_day) - set(keys))
        if stray:
            raise ValueError(f"{table}: rows for days {stray[:5]} outside the run's partitions {keys[0]}..{keys[-1]}")
        written, unchanged = [], []
        # A table with no rows at all still gets one (empty) file, so that
        # readers find the table and its schema.
        first_ever = not partition_keys(Path(str(self._base_path)), table)
        for key in keys:
            rows = by_day.get(key)
            if rows is None:
                if not (base / key / PART_FILE).exists() and not (first_ever and not by_day and key == keys[-1]):
                    continue
                rows = []
            part = obj.iloc[rows]
            if self._write(context, part.reset_index(drop=True), base / key, key):
                written.append(key)
            else:
                unchanged.append(key)
        metadata = {"path": MetadataValue.path(self._published(base if len(keys) > 1 else base / keys[0])),
                    "n_partitions_written": MetadataValue.int(len(written)),
                    "n_partitions_unchanged": MetadataValue.int(len(unchanged))}
        metadata.update(self.get_metadata(context, obj))
        context.add_output_metadata(metadata)

    def dump_to_path(self, context: OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        self._write(context, obj, Path(str(path)), "")

    def _write(self, context: OutputContext, obj: pd.DataFrame | TableWriter, directory: Path, partition: str) -> bool:
        """Write one file with its footer; False (and nothing written) when
        the stored file already holds the same rows made the same way."""
        table = context.asset_key.path[-1]
        # A partition's data version is its own content hash: the cross-day
        # assets compare them day by day to find what changed.
        data_version = (_output_value(context, CONTENT_HASH_KEY) if not partition else None) or (
            obj.content_hash if isinstance(obj, TableWriter) else content_hash(obj))
        kv = {
            "asset_key": context.asset_key.to_user_string(),
            "run_id": context.run_id,
            "code_version": context.asset_spec.code_version or "",
            "version": newsdag.__version__,
            "data_version": data_version,
            "partition": partition,
            "upstream": json.dumps(self._upstream_versions(context, partition), sort_keys=True),
        }
        for key, name in ((SETTINGS_KEY, "settings"), (BASIS_KEY, "basis"), (PLAN_KEY, "plan"),
                          (SCAN_STARTED_KEY, "scan_started")):
            value = _output_value(context, key)
            if value:
                kv[name] = value
        if isinstance(obj, TableWriter) and partition:
            raise TypeError(f"{table}: a TableWriter writes an unpartitioned table")
        if _same_file(directory / PART_FILE, kv):
            if isinstance(obj, TableWriter):
                obj.abort()
            return False
        if isinstance(obj, TableWriter):
            obj.commit(directory / PART_FILE, kv)
        else:
            write_parquet_atomic(to_arrow(obj, table), directory / PART_FILE, kv)
        return True

    def _table_dir(self, context) -> Path:
        return Path(str(self._base_path)).joinpath(*context.asset_key.path)

    def load_input(self, context: InputContext) -> pd.DataFrame | PartitionedTable | Path:
        if (context.definition_metadata or {}).get("file"):
            return self._table_dir(context) / PART_FILE
        if (context.definition_metadata or {}).get("lazy"):
            keys = tuple(context.asset_partition_keys) if context.has_asset_partitions else None
            return PartitionedTable(Path(str(self._base_path)), context.asset_key.path[-1], keys)
        if context.has_asset_key and context.has_asset_partitions:
            # Only the partitions that have a file: a day without articles has none.
            return read_partitions(Path(str(self._base_path)), context.asset_key.path[-1], context.asset_partition_keys,
                                   _columns(context))
        return super().load_input(context)

    def load_from_path(self, context: InputContext, path: UPath) -> pd.DataFrame:
        categorical = (context.definition_metadata or {}).get("categorical")
        return pd.read_parquet(Path(str(path)), columns=_columns(context), read_dictionary=categorical)

    def get_metadata(self, context: OutputContext, obj: pd.DataFrame | TableWriter) -> dict[str, Any]:
        table = context.asset_key.path[-1]
        metadata = table_metadata(table, obj.head, rows=obj.rows) if isinstance(obj, TableWriter) \
            else table_metadata(table, obj)
        if not context.has_asset_partitions:
            metadata["path"] = MetadataValue.path(self._published(self._table_dir(context)))
        return metadata

    def _upstream_versions(self, context: OutputContext, partition: str = "") -> dict[str, dict[str, str]]:
        # The data version written in each upstream file's footer: what this
        # output was made from, readable without the Dagster instance. A daily
        # partition records the same day of a daily upstream, not every day.
        versions: dict[str, dict[str, str]] = {}
        base = Path(str(self._base_path))
        for dep in context.asset_spec.deps:
            table_dir = base.joinpath(*dep.asset_key.path)
            if not table_dir.is_dir():
                files = []
            elif partition and (table_dir / partition / PART_FILE).is_file():
                files = [table_dir / partition / PART_FILE]
            elif (table_dir / PART_FILE).is_file():
                files = [table_dir / PART_FILE]
            else:
                files = [table_dir / key / PART_FILE for key in partition_keys(base, dep.asset_key.path[-1])]
            versions[dep.asset_key.to_user_string()] = {
                f.relative_to(table_dir).as_posix(): read_kv_metadata(f).get("data_version", "") for f in files
            }
        return versions


# Footer fields that differ between two runs making the same file.
# A file written again only for these keeps the one on disk. An older
# scan_started kept that way only means a file or two is hashed again.
_RUN_FIELDS = {"run_id", "plan", "scan_started"}


def _same_file(path: Path, kv: dict[str, str]) -> bool:
    """Whether ``path`` exists with the footer ``kv`` would give it, run fields
    aside: the same rows (data version) from the same inputs, code, settings
    and basis. Then it is left as it is (keeping the run that wrote it), so
    re-running unchanged input rewrites nothing."""
    if not path.exists():
        return False
    old = {k: v for k, v in read_kv_metadata(path).items() if k not in _RUN_FIELDS}
    return old == {k: v for k, v in kv.items() if k not in _RUN_FIELDS}


def columns_in(asset: str, *columns: str, categorical: tuple[str, ...] = ()) -> AssetIn:
    """An input that reads only ``columns`` of ``asset``'s table (an unpartitioned
    table's ``categorical`` columns as pandas categoricals: a small integer per
    row instead of a string object, for ids repeated on many rows)."""
    metadata = {"columns": list(columns)}
    if categorical:
        metadata["categorical"] = list(categorical)
    return AssetIn(asset, metadata=metadata)


def partitions_in(asset: str) -> AssetIn:
    """An input that is not read up front: the step gets a
    newsdag.storage.PartitionedTable of ``asset``'s day partitions and reads
    the days it needs when it needs them."""
    return AssetIn(asset, metadata={"lazy": True})


def file_in(asset: str) -> AssetIn:
    """An input that is not read up front: the step gets the Path of
    ``asset``'s (unpartitioned) Parquet file and reads it as it needs, such as
    newsdag.features.load_tfidf a row group at a time."""
    return AssetIn(asset, metadata={"file": True})


def _columns(context: InputContext) -> list[str] | None:
    """The columns an input asks for (``AssetIn(metadata={"columns": [...]})``;
    all by default): a step that needs no article text does not hold it."""
    columns = (context.definition_metadata or {}).get("columns")
    return list(columns) if columns else None


def _output_value(context: OutputContext, key: str) -> str | None:
    """An output metadata value as footer text: JSON documents as canonical
    JSON (sorted keys), the form newsdag.incremental compares."""
    value = context.output_metadata.get(key)
    value = getattr(value, "value", value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def table_metadata(table: str, df: pd.DataFrame, rows: int | None = None) -> dict[str, Any]:
    """Row count, schema with descriptions, column lineage and a markdown preview
    (of ``df``; ``rows``, when given, is the table's row count and ``df`` its first rows)."""
    spec = TABLES[table]
    schema = TableSchema(columns=[
        TableColumn(name=c.name, type=str(c.type), description=c.description) for c in spec.columns
    ])
    lineage = TableColumnLineage(deps_by_column={
        c.name: [TableColumnDep(asset_key=AssetKey(up), column_name=col) for up, cols in c.lineage.items() for col in cols]
        for c in spec.columns if c.lineage
    })
    return {
        "dagster/row_count": MetadataValue.int(len(df) if rows is None else rows),
        "dagster/column_schema": MetadataValue.table_schema(schema),
        "dagster/column_lineage": MetadataValue.column_lineage(lineage),
        "preview": MetadataValue.md(markdown_preview(df)),
    }


def markdown_preview(df: pd.DataFrame, n: int = PREVIEW_ROWS) -> str:
    """The first ``n`` rows as a markdown table, long strings shortened."""
    if df.empty:
        return "_(no rows)_"

    def short(v: Any) -> Any:
        if isinstance(v, str) and len(v) > PREVIEW_CHARS:
            return v[: PREVIEW_CHARS - 1] + "…"
        return v

    head = df.head(n).map(short).astype(str).replace({"\n": " ", r"\|": "/"}, regex=True)
    return head.to_markdown(index=False)


class WarehouseIOManager(ConfigurableIOManagerFactory):
    """Parquet tables in the warehouse of the ``settings`` resource
    (assets.resources.NewsdagSettings: the warehouse is configured once, there).

    While a run uses it, it holds a warehouse transaction
    (newsdag.storage.warehouse_transaction): the run writes a staged copy of
    the warehouse, published when the run ends with no failed step and
    discarded otherwise (assets.publish then tells Dagster which
    materialisations were not published). A second run on the same warehouse
    waits up to ``lock_wait_seconds`` for the lock, saying so in its log, then
    fails clearly. The code location uses the in-process executor, so the
    transaction spans the run; the CLI holds one for its whole call, and its
    runs enter it again and publish together.
    """

    settings: NewsdagSettings
    lock_wait_seconds: float = 3600.0

    @contextmanager
    def yield_for_execution(self, context):
        run_id = context.run.run_id if context.run else ""
        log = context.log.warning if context.log else print
        with warehouse_transaction(self.settings.published_warehouse, run_id or "an unknown run",
                                   self.lock_wait_seconds, on_wait=log) as staging:
            outermost = staging.depth == 0
            yield self.create_io_manager(context)
            # Torn down after the last step: publish only if no step failed.
            if run_id and context.instance is not None and run_failed(context.instance, run_id):
                staging.fail()
        if outermost and staging.failed and run_id and context.instance is not None:
            report_unpublished(context.instance, [run_id], self.settings.published_warehouse)
        elif outermost and context.log:
            context.log.info(f"published {staging.version}")

    def create_io_manager(self, context) -> ParquetTableIOManager:
        return ParquetTableIOManager(base_path=UPath(str(self.settings.warehouse)),
                                     published_path=self.settings.published_warehouse)
