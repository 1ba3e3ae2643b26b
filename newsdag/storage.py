"""Parquet tables on disk: atomic writes, whole-run commits, key-value lineage metadata, content hashes.

A table is a directory ``<warehouse>/<table>/`` holding Parquet files (one per
partition, in a sub-folder per partition key when partitioned), so that
``pd.read_parquet("<warehouse>/<table>")`` returns the whole table. Files being
written carry a leading dot, which pyarrow, DuckDB and Polars skip, and are
renamed into place only once complete and flushed to disk.

A run writes a whole new version of the warehouse and publishes it at once
(:func:`warehouse_transaction`): ``<warehouse>`` is a symbolic link to
``<warehouse>.versions/<number>``, a run writes into a hard-linked copy of the
current version, and publishing renames that copy to the next number and
swaps the link. Readers of ``<warehouse>/<table>`` see one version or the next,
never a mixture, and a failed run publishes nothing.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
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
    # A categorical string column stays dictionary-encoded (codes and the
    # distinct strings) rather than becoming one string per row; Parquet
    # stores it as a string column either way (see write_parquet_atomic).
    schema = pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), f.type), f.nullable, f.metadata)
                        if pa.types.is_string(f.type) and isinstance(df[f.name].dtype, pd.CategoricalDtype) else f
                        for f in schema], metadata=schema.metadata)
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def _parquet_writer(sink, schema: pa.Schema) -> pq.ParquetWriter:
    """The one way tables are written: zstd, and the Arrow schema stored in the
    file except when a string column comes from a dictionary (to_arrow), so
    that every reader reads it as the plain string column it is declared as."""
    store_schema = not any(pa.types.is_dictionary(f.type) for f in schema)
    return pq.ParquetWriter(sink, schema, compression="zstd", store_schema=store_schema)


def _footer(kv_metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Key-value pairs for a file's footer, prefixed ``newsdag.``."""
    return {f"{KV_PREFIX}{k}": str(v) for k, v in (kv_metadata or {}).items()}


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
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            writer = _parquet_writer(fh, table.schema)
            writer.write_table(table)
            writer.add_key_value_metadata(_footer(kv_metadata))
            writer.close()
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


def arrow_content_hash(tables) -> str:
    """SHA-256 (hex) of the rows of one or more Arrow tables taken in order, as
    one table: the same rows give the same hash however they were cut into
    pieces (each column is hashed on its own). The data version of a table
    written with :class:`TableWriter`."""
    hasher = _ArrowHasher()
    for t in tables:
        hasher.update(t)
    return hasher.hexdigest()


class _ArrowHasher:
    def __init__(self):
        self.rows = 0
        self.columns: dict[str, "hashlib._Hash"] = {}

    def update(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        for name, column in zip(table.column_names, table.columns):
            values = column.to_numpy(zero_copy_only=False)
            if values.dtype.kind == "M":  # instants, whatever the unit
                values = values.astype("datetime64[ns]")
            self.columns.setdefault(name, hashlib.sha256()).update(pd.util.hash_array(values).tobytes())

    def hexdigest(self) -> str:
        h = hashlib.sha256(str(self.rows).encode())
        for name, column in self.columns.items():
            h.update(name.encode())
            h.update(column.digest())
        return h.hexdigest()


class TableWriter:
    """A table written piece by piece, for tables too large to hold whole.

    Each :meth:`append` casts a frame to ``table``'s declared schema and writes
    it as Parquet row groups to a hidden temporary file in ``directory`` (so
    readers never see it). :meth:`commit` adds the footer's key-value metadata,
    closes and flushes the file, and renames it into place: the same atomicity
    as :func:`write_parquet_atomic`. :meth:`abort` (or leaving a ``with`` block
    by an exception) deletes the temporary file. ``rows``, ``content_hash``
    (:func:`arrow_content_hash` of every piece) and ``head`` (the first rows,
    for previews) describe what was written.
    """

    HEAD_ROWS = 5

    def __init__(self, table: str, directory: Path):
        self.table = table
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f".{PART_FILE}.{uuid.uuid4().hex}.tmp"
        self.rows = 0
        self.head = TABLES[table].arrow_schema.empty_table().to_pandas()
        self._hasher = _ArrowHasher()
        self._file = None
        self._writer = None

    def append(self, df: pd.DataFrame) -> None:
        """Write the rows of ``df`` (cast to the table's schema; see :func:`to_arrow`)."""
        table = to_arrow(df, self.table)
        if self._writer is None:
            self._file = open(self.path, "wb")
            self._writer = _parquet_writer(self._file, table.schema)
        if table.num_rows:
            self._writer.write_table(table)
            self._hasher.update(table)
            if len(self.head) < self.HEAD_ROWS:
                self.head = pd.concat([self.head, df.head(self.HEAD_ROWS - len(self.head))], ignore_index=True) \
                    if len(self.head) else df.head(self.HEAD_ROWS).reset_index(drop=True)
            self.rows += table.num_rows

    @property
    def content_hash(self) -> str:
        return self._hasher.hexdigest()

    def commit(self, path: Path, kv_metadata: Mapping[str, str] | None = None) -> Path:
        """Finish the file, with ``kv_metadata`` (prefixed ``newsdag.``) in its
        footer, and rename it to ``path`` (in the same file system). Returns ``path``."""
        path = Path(path)
        try:
            if self._writer is None:
                self.append(TABLES[self.table].arrow_schema.empty_table().to_pandas())
            self._writer.add_key_value_metadata(_footer(kv_metadata))
            self._writer.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path, path)
        except BaseException:
            self.abort()
            raise
        _fsync_dir(path.parent)
        return path

    def abort(self) -> None:
        """Drop what was written."""
        for close in (getattr(self._writer, "close", None), getattr(self._file, "close", None)):
            try:
                if close is not None:
                    close()
            except Exception:  # noqa: BLE001 - the file is deleted below whatever its state
                pass
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


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
    """The ``newsdag.*`` key-value metadata of one Parquet file's footer, prefix
    removed (the file's own key-value pairs, which hold both those written
    with the schema and those a :class:`TableWriter` adds at the end)."""
    meta = pq.read_metadata(path).metadata or {}
    return {
        k.decode()[len(KV_PREFIX) :]: v.decode()
        for k, v in meta.items()
        if k.decode().startswith(KV_PREFIX)
    }


# ------------------------------------------------------------------ one writer at a time

LOCK_FILE = ".newsdag.lock"


# The locks this process holds (real path -> depth), for re-entry.
_HELD_HERE: dict[str, int] = {}


class WarehouseBusy(RuntimeError):
    """Another newsdag run holds the warehouse lock and did not let go in time."""


@contextmanager
def file_lock(path: Path, owner: str, wait_seconds: float = 3600.0, poll_seconds: float = 1.0, on_wait=None):
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the block.

    The kernel drops the lock when the holder exits, even on SIGKILL, so a
    crash never leaves a stale lock. ``owner`` is written into the file for the
    message a waiting process shows. A process that finds the lock taken calls
    ``on_wait(message)`` once, then waits up to ``wait_seconds`` before raising
    :class:`WarehouseBusy`; ``wait_seconds=0`` fails at once. A process that
    already holds the lock enters again at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(path)
    if key in _HELD_HERE:
        # Re-entrant within a process: the CLI holds the warehouse for its
        # whole call, and each of its runs asks again (flock would make a
        # second descriptor of the same process wait for the first).
        _HELD_HERE[key] += 1
        try:
            yield
        finally:
            _HELD_HERE[key] -= 1
        return
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
        _HELD_HERE[key] = 1
        try:
            yield
        finally:
            del _HELD_HERE[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def warehouse_lock(warehouse: Path, owner: str, wait_seconds: float = 3600.0, poll_seconds: float = 1.0,
                   on_wait=None):
    """The warehouse's writer lock, held for the duration of a run: an exclusive
    :func:`file_lock` on ``<warehouse>.versions/.newsdag.lock`` (beside the
    versions, not in one, so that publishing a version does not move it), so
    two runs never write the same warehouse at once and their outputs cannot
    mix. ``owner`` is the run id."""
    return file_lock(versions_dir(warehouse) / LOCK_FILE, f"run {owner}", wait_seconds, poll_seconds, on_wait)


# ------------------------------------------------------------------ whole-run commits

VERSIONS_SUFFIX = ".versions"
STAGING_PREFIX = ".staging-"
LINK_PREFIX = ".link-"
# Kept beside the current version: a reader that listed the previous one just
# before a publish can still open its files.
KEEP_PREVIOUS = 1


def _absolute(path) -> Path:
    # Absolute without resolving links: the warehouse path is itself the link.
    return Path(os.path.abspath(os.fspath(path)))


def versions_dir(warehouse: Path) -> Path:
    """``<warehouse>.versions``: the folder of the warehouse's versions, its
    lock and the staging copy of an open run."""
    warehouse = _absolute(warehouse)
    return warehouse.with_name(warehouse.name + VERSIONS_SUFFIX)


@dataclass
class Staging:
    """An open warehouse transaction: ``directory`` is where its writes go
    (a copy of the version published when it began, or an empty folder);
    ``failed`` is set by whoever learns that the run failed, and then
    nothing is published. ``depth`` counts re-entries."""

    directory: Path
    failed: bool = False
    depth: int = 0
    version: Path | None = None  # once published

    def fail(self) -> None:
        self.failed = True


# The transactions this process holds: absolute warehouse path -> Staging.
_STAGED: dict[str, Staging] = {}


def staged_dir(warehouse: Path) -> Path:
    """Where this process reads and writes ``warehouse``: the staging copy of
    its open :func:`warehouse_transaction`, else ``warehouse`` itself."""
    staging = _STAGED.get(str(_absolute(warehouse)))
    return staging.directory if staging else Path(warehouse)


def current_version(warehouse: Path) -> Path | None:
    """The version folder ``warehouse`` links to, or None before the first publish."""
    warehouse = _absolute(warehouse)
    if warehouse.is_symlink():
        return (warehouse.parent / os.readlink(warehouse)).resolve()
    return None


def _numbered(versions: Path) -> list[Path]:
    return sorted((p for p in versions.iterdir() if p.name.isdigit() and p.is_dir()), key=lambda p: int(p.name)) \
        if versions.is_dir() else []


def _next_version(versions: Path) -> Path:
    """The folder the next published version gets: one more than the highest number."""
    numbered = _numbered(versions)
    return versions / f"{int(numbered[-1].name) + 1 if numbered else 1:06d}"


def recover_versions(warehouse: Path) -> None:
    """Bring ``<warehouse>.versions`` to a clean state, under the lock, before a
    transaction: a warehouse still a plain folder (written before versions
    existed) becomes version 1; staging copies and link files left by a killed
    run are deleted, and so are versions numbered after the current one (a run
    killed between naming its version and swapping the link), and versions
    older than the one before the current."""
    warehouse = _absolute(warehouse)
    versions = versions_dir(warehouse)
    versions.mkdir(parents=True, exist_ok=True)
    if warehouse.is_dir() and not warehouse.is_symlink():
        # One moment without a warehouse, once: a folder cannot be swapped for a link.
        first = _next_version(versions)
        os.rename(warehouse, first)
        _swap_link(warehouse, first)
    for leftover in list(versions.glob(STAGING_PREFIX + "*")):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in list(warehouse.parent.glob(f".{warehouse.name}{LINK_PREFIX}*")):
        leftover.unlink(missing_ok=True)
    current = current_version(warehouse)
    numbered = _numbered(versions)
    names = [p.name for p in numbered]
    if current is None or current.parent != versions.resolve() or current.name not in names:
        return
    at = names.index(current.name)
    for stale in numbered[at + 1:] + numbered[:max(0, at - KEEP_PREVIOUS)]:
        shutil.rmtree(stale, ignore_errors=True)


def clone_version(source: Path | None, target: Path) -> Path:
    """A copy of the version ``source`` (nothing when None) at ``target``, made
    of hard links: no data is copied, and since every write replaces a file
    by renaming a new one over it, writing the copy never changes ``source``.
    Hidden files (temporary files of a killed writer) are left out. Copies
    the bytes where the file system has no hard links."""
    target.mkdir(parents=True)
    if source is None:
        return target
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = Path(root).relative_to(source)
        for d in dirs:
            (target / rel / d).mkdir()
        for name in files:
            if name.startswith("."):
                continue
            src, dst = Path(root) / name, target / rel / name
            try:
                os.link(src, dst)
            except OSError as e:
                if e.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                shutil.copy2(src, dst)
    return target


def cross_day_bytes(version: Path | None) -> int:
    """The bytes of a version's unpartitioned tables: the tables every full
    run rewrites whole."""
    if version is None:
        return 0
    return sum(f.stat().st_size for f in version.glob(f"[!.]*/{PART_FILE}") if f.is_file())


def check_free_space(warehouse: Path, base: Path | None, margin: int = 1 << 20) -> None:
    """Raise ``OSError(ENOSPC)`` before a run starts when the warehouse's file
    system has less room than the run will write at least: the unpartitioned
    tables of ``base``, which a run rewrites whole, plus ``margin``. (A run may
    still need more; running out later fails the run and publishes nothing.)"""
    versions = versions_dir(warehouse)
    need = cross_day_bytes(base) + margin
    free = shutil.disk_usage(versions).free
    if free < need:
        raise OSError(errno.ENOSPC, f"{versions} has {free / 1e6:.1f} MB free; a run rewrites the cross-day tables "
                                    f"({need / 1e6:.1f} MB) and needs at least that", str(versions))


def _swap_link(warehouse: Path, version: Path) -> None:
    """Point ``warehouse`` at ``version`` atomically: a new link under a hidden
    name, renamed over the old (the commit point of a publish)."""
    link = warehouse.with_name(f".{warehouse.name}{LINK_PREFIX}{uuid.uuid4().hex}")
    os.symlink(os.path.relpath(version, warehouse.parent), link)
    os.replace(link, warehouse)
    _fsync_dir(warehouse.parent)


def publish_version(warehouse: Path, staging: Path) -> Path:
    """Make ``staging`` the warehouse's current version: rename it to the
    next number, swap the link, then delete versions older than the previous
    one. A crash before the swap leaves the old version current (the next
    :func:`recover_versions` deletes the new one); after it, the new one.
    Returns the version folder."""
    warehouse = _absolute(warehouse)
    versions = versions_dir(warehouse)
    version = _next_version(versions)
    _fsync_tree(staging)
    os.rename(staging, version)
    _fsync_dir(versions)
    _swap_link(warehouse, version)
    for old in _numbered(versions)[:-(1 + KEEP_PREVIOUS)]:
        shutil.rmtree(old, ignore_errors=True)
    return version


def _fsync_tree(directory: Path) -> None:
    # Files are fsynced as they are written; their folders' entries here.
    for root, _dirs, _files in os.walk(directory):
        _fsync_dir(Path(root))


@contextmanager
def _failed_by_errors(staging: Staging):
    """An error (or an interruption) leaving the block fails the transaction."""
    try:
        yield
    except BaseException:
        staging.fail()
        raise


@contextmanager
def warehouse_transaction(warehouse: Path, owner: str, wait_seconds: float = 3600.0, poll_seconds: float = 1.0,
                          on_wait=None):
    """Hold the warehouse's writer lock and stage a new version of it for the
    block; publish it at the end unless the block raised or
    :meth:`Staging.fail` was called. Yields the :class:`Staging`, whose
    ``directory`` is where the block reads and writes (:func:`staged_dir`
    gives it to code that knows only the warehouse path).

    Readers of ``warehouse`` see the version before the block until it ends,
    then the new one; a failed or killed block leaves the previous version
    exactly as it was. Re-entrant within a process: an inner block shares the
    outer one's staging, and the outer block publishes (so a CLI call that
    makes several Dagster runs publishes once). ``wait_seconds`` and
    ``on_wait`` are as for :func:`file_lock`. Before staging, the free space
    is checked (:func:`check_free_space`).
    """
    key = str(_absolute(warehouse))
    if key in _STAGED:
        staging = _STAGED[key]
        staging.depth += 1
        try:
            with _failed_by_errors(staging):
                yield staging
        finally:
            staging.depth -= 1
        return
    with warehouse_lock(warehouse, owner, wait_seconds, poll_seconds, on_wait):
        recover_versions(warehouse)
        base = current_version(warehouse)
        check_free_space(warehouse, base)
        directory = clone_version(base, versions_dir(warehouse) / f"{STAGING_PREFIX}{uuid.uuid4().hex}")
        staging = Staging(directory)
        _STAGED[key] = staging
        try:
            with _failed_by_errors(staging):
                yield staging
        finally:
            del _STAGED[key]
            if staging.failed:
                shutil.rmtree(directory, ignore_errors=True)
        if staging.failed:
            return
        try:
            staging.version = publish_version(warehouse, directory)
        except BaseException:
            staging.fail()
            shutil.rmtree(directory, ignore_errors=True)
            raise


# ------------------------------------------------------------------ partitions


def partition_keys(warehouse: Path, table: str) -> list[str]:
    """The partition keys of ``table`` that have a file, sorted."""
    base = Path(warehouse) / table
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and (p / PART_FILE).is_file())


def row_groups(source, columns: list[str] | None = None, categorical: list[str] | None = None):
    """Yield the rows of ``source`` as pandas frames, one Parquet row group at a
    time: ``source`` is the path of a Parquet file, or a frame (yielded whole).
    For the steps that walk a table too large to hold beside their other data.
    ``columns``: only these (default all); ``categorical``: string columns
    read as pandas categoricals (from the file's dictionary encoding)."""
    if isinstance(source, pd.DataFrame):
        yield source[columns] if columns else source
        return
    parquet = pq.ParquetFile(source, read_dictionary=categorical)
    for group in range(parquet.num_row_groups):
        yield parquet.read_row_group(group, columns=columns).to_pandas()


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


@dataclass(frozen=True)
class PartitionedTable:
    """A daily-partitioned table of the warehouse, read a few partitions at a
    time by the steps that cannot hold it whole. ``keys``: the partitions
    in scope (all that have a file when None)."""

    warehouse: Path
    table: str
    keys: tuple[str, ...] | None = None

    def partitions(self) -> list[str]:
        """The partition keys in scope that have a file, sorted."""
        have = partition_keys(self.warehouse, self.table)
        return have if self.keys is None else [k for k in have if k in set(self.keys)]

    def read(self, keys=None, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of ``keys`` (default: every partition in scope), as :func:`read_partitions`."""
        wanted = self.partitions() if keys is None else [k for k in keys if self.keys is None or k in set(self.keys)]
        return read_partitions(self.warehouse, self.table, wanted, columns)

    def files(self, keys=None) -> list[Path]:
        """The Parquet files of ``keys`` (default: every partition in scope) that
        exist, in key order: what an engine that reads files itself (Spark) is given."""
        have = set(self.partitions())
        wanted = sorted(have) if keys is None else sorted(set(keys) & have)
        return [table_file(self.warehouse, self.table, k) for k in wanted]


def partition_versions(warehouse: Path, table: str) -> dict[str, str]:
    """``{partition key: data version}`` from each partition file's footer."""
    return {k: read_kv_metadata(table_file(warehouse, table, k)).get("data_version", "")
            for k in partition_keys(warehouse, table)}
