"""Parquet tables on disk: atomic writes, key-value lineage metadata, content hashes.

A table is a directory ``<warehouse>/<table>/`` holding Parquet files (one per
partition, in a sub-folder per partition key when partitioned), so that
``pd.read_parquet("<warehouse>/<table>")`` returns the whole table. Files being
written carry a leading dot, which pyarrow, DuckDB and Polars skip, and are
renamed into place only once complete and flushed to disk.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from newsdag.schemas import TABLES

PART_FILE = "part-0.parquet"
KV_PREFIX = "newsdag."


def to_arrow(df: pd.DataFrame, table: str) -> pa.Table:
    """Cast ``df`` to the declared Arrow schema of ``table`` (see newsdag.schemas).

    Columns are selected and ordered as declared; a missing column raises
    ``KeyError``. The result has the declared types even when ``df`` is empty.
    """
    schema = TABLES[table].arrow_schema
    missing = [c for c in schema.names if c not in df.columns]
    if missing:
        raise KeyError(f"table {table!r} is missing columns {missing}")
    df = df[schema.names]
    stamps = [f.name for f in schema if pa.types.is_timestamp(f.type)]
    if stamps:
        # Arrow refuses to drop nanoseconds silently; microseconds are the stored unit.
        df = df.assign(**{c: pd.to_datetime(df[c], utc=True).dt.floor("us") for c in stamps})
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def content_hash(df: pd.DataFrame) -> str:
    """SHA-256 (hex) of a frame's column names and values, independent of its index.

    The same values give the same hash in every process (pandas' row hashing
    uses a fixed key); used as the Dagster data version of a table.
    """
    h = hashlib.sha256()
    h.update(str(len(df)).encode())
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col.dtype):
            # The same instants hash the same whatever the unit (Parquet gives
            # microseconds, pandas nanoseconds): a re-run must not look changed.
            col = col.astype("datetime64[ns, UTC]" if isinstance(col.dtype, pd.DatetimeTZDtype) else "datetime64[ns]")
        if col.dtype == object:
            col = col.map(_hashable)
        h.update(str(name).encode())
        h.update(pd.util.hash_pandas_object(col, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _hashable(value):
    # Lists and arrays are not hashable by pandas; their JSON text is.
    if isinstance(value, (list, tuple, np.ndarray)):
        return json.dumps([v.item() if hasattr(v, "item") else v for v in value], default=str)
    return value


def write_parquet_atomic(table: pa.Table, path: Path, kv_metadata: Mapping[str, str] | None = None) -> Path:
    """Write ``table`` to ``path`` atomically, with ``kv_metadata`` in the footer.

    Writes ``.<name>.<random>.tmp`` beside ``path``, flushes it to disk, then
    renames it over ``path``: readers see the old file or the new one, never a
    half-written one, and a crash leaves at most a hidden temporary file.
    Keys are prefixed ``newsdag.``. Returns ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(table.schema.metadata or {})
    meta.update({f"{KV_PREFIX}{k}".encode(): str(v).encode() for k, v in (kv_metadata or {}).items()})
    table = table.replace_schema_metadata(meta)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def table_file(warehouse: Path, table: str, partition: str | None = None) -> Path:
    """The Parquet file holding ``table`` (or one partition of it) in ``warehouse``."""
    base = Path(warehouse) / table
    return (base / partition / PART_FILE) if partition else (base / PART_FILE)


def write_table(df: pd.DataFrame, warehouse: Path, table: str, kv_metadata: Mapping[str, str] | None = None, partition: str | None = None) -> Path:
    """Cast ``df`` to ``table``'s schema and write it atomically into ``warehouse``."""
    return write_parquet_atomic(to_arrow(df, table), table_file(warehouse, table, partition), kv_metadata)


def read_table(warehouse: Path, table: str) -> pd.DataFrame:
    """Read a whole table (every partition) from ``warehouse`` as pandas."""
    return pd.read_parquet(Path(warehouse) / table)


def read_kv_metadata(path: Path) -> dict[str, str]:
    """The ``newsdag.*`` key-value metadata of one Parquet file, prefix removed."""
    meta = pq.read_schema(path).metadata or {}
    return {
        k.decode()[len(KV_PREFIX) :]: v.decode()
        for k, v in meta.items()
        if k.decode().startswith(KV_PREFIX)
    }


# ------------------------------------------------------------------ one writer at a time

LOCK_FILE = ".newsdag.lock"


class WarehouseBusy(RuntimeError):
    """Another newsdag run holds the warehouse lock and did not let go in time."""


@contextmanager
def file_lock(path: Path, owner: str, wait_seconds: float = 3600.0, poll_seconds: float = 1.0, on_wait=None):
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the block.

    The kernel drops the lock when the holder exits, even on SIGKILL, so a
    crash never leaves a stale lock. ``owner`` is written into the file for the
    message a waiting process shows. A process that finds the lock taken calls
    ``on_wait(message)`` once, then waits up to ``wait_seconds`` before raising
    :class:`WarehouseBusy`; ``wait_seconds=0`` fails at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another run"
                message = f"{path.parent} is being written by {holder}"
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(f"{message}; gave up after waiting {wait_seconds:g} s") from None
                if not told and on_wait is not None:
                    on_wait(f"{message}; waiting up to {wait_seconds:g} s for it to finish")
                    told = True
                time.sleep(poll_seconds)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{owner} (pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S %Z')})".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def warehouse_lock(warehouse: Path, owner: str, wait_seconds: float = 3600.0, poll_seconds: float = 1.0,
                   on_wait=None):
    """The warehouse's writer lock, held for the duration of a run: an exclusive
    :func:`file_lock` on ``<warehouse>/.newsdag.lock``, so two runs never write
    the same warehouse at once and their outputs cannot mix. ``owner`` is the
    run id."""
    return file_lock(Path(warehouse) / LOCK_FILE, f"run {owner}", wait_seconds, poll_seconds, on_wait)


# ------------------------------------------------------------------ partitions


def partition_keys(warehouse: Path, table: str) -> list[str]:
    """The partition keys of ``table`` that have a file, sorted."""
    base = Path(warehouse) / table
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and (p / PART_FILE).is_file())


def read_partitions(warehouse: Path, table: str, keys=None, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of the given partitions of ``table`` (all when ``keys`` is None)
    that have a file, in key order; an empty frame with the table's schema when none has.
    ``columns`` (default all) reads only those columns."""
    have = partition_keys(warehouse, table)
    if keys is not None:
        wanted = set(keys)
        have = [k for k in have if k in wanted]
    if not have:
        empty = TABLES[table].arrow_schema.empty_table()
        return (empty.select(columns) if columns else empty).to_pandas()
    parts = [pq.read_table(table_file(warehouse, table, k), columns=columns) for k in have]
    return pa.concat_tables(parts).to_pandas()


def partition_versions(warehouse: Path, table: str) -> dict[str, str]:
    """``{partition key: data version}`` from each partition file's footer."""
    return {k: read_kv_metadata(table_file(warehouse, table, k)).get("data_version", "")
            for k in partition_keys(warehouse, table)}
