"""Parsed files kept between the day index and the day runs: each new file is parsed once.

``raw_files`` must parse a new file to learn the days it holds, and the run of
those days needs the same articles. :class:`ParsedFiles` keeps what the first
parse gave, one Parquet file per raw file, in ``<warehouse>.parsed/``
(:func:`parsed_dir`), so the day run reads it instead of parsing again. It
is a cache, not part of the warehouse: an entry lost or never written only
means the file is parsed again, with the same result, so its writes are
atomic (a reader never sees half an entry) but not synced to disk, and a
failed run leaves nothing in the warehouse changed.

An entry is found by :meth:`ParsedFiles.key`: the file's path, hash and
format, the parse options (:class:`newsdag.ingest.ParseOptions`, workers
aside) and :func:`parser_fingerprint` (the parsing modules' source and the
parsing libraries' versions). A file changed, parsed with other options or
by other code is never served an old entry. Entries go when their file's
days have all been parsed (:meth:`ParsedFiles.discard`) or when the file
leaves the raw folder's index (:meth:`ParsedFiles.keep_only`).

The articles are the entry's rows (the columns :data:`ENTRY_SCHEMA` names);
the rejections, a handful per file, are JSON in its footer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

# Article rows as parse_file gives them (language added): the articles
# table's columns but day and duplicate_of, which the day run sets.
# Nanoseconds, as parsed: the articles table rounds them when it is written.
ENTRY_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("external_id", pa.string()), ("source", pa.string()),
    ("published", pa.timestamp("ns", tz="UTC")), ("published_from", pa.string()),
    ("published_precision", pa.string()), ("title", pa.string()), ("lead", pa.string()),
    ("body", pa.string()), ("text", pa.string()), ("n_words", pa.int64()), ("language", pa.string()),
    ("url", pa.string()), ("author", pa.string()), ("raw_path", pa.string()), ("raw_line", pa.int64()),
    ("raw_offset", pa.int64()), ("raw_sha256", pa.string()),
])
REJECTIONS_KEY = b"newsdag.parsed.rejections"
SUFFIX = ".parquet"
# The modules whose code decides what a file parses into, and the libraries they call.
PARSER_MODULES = ("newsdag.ingest", "newsdag.text", "newsdag.webpages", "newsdag.warc", "newsdag.language",
                  "newsdag.config")
PARSER_LIBRARIES = ("trafilatura", "lxml", "ftfy", "blingfire", "charset-normalizer", "py3langid", "pyarrow",
                    "pandas")


def parsed_dir(warehouse: Path) -> Path:
    """``<warehouse>.parsed``: beside the warehouse and its versions, outside both."""
    warehouse = Path(os.path.abspath(os.fspath(warehouse)))
    return warehouse.with_name(warehouse.name + ".parsed")


@functools.cache
def parser_fingerprint() -> str:
    """SHA-256 (hex) over the source of :data:`PARSER_MODULES` and the versions of
    :data:`PARSER_LIBRARIES`: changes whenever the parsing code may give other rows."""
    import importlib

    h = hashlib.sha256()
    for name in PARSER_MODULES:
        h.update(name.encode() + b"\0" + Path(importlib.import_module(name).__file__).read_bytes() + b"\0")
    for name in PARSER_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        h.update(f"{name}=={version}\0".encode())
    return h.hexdigest()


class ParsedFiles:
    """The kept parse results under ``directory``, for files parsed with
    ``options`` (a :class:`newsdag.ingest.ParseOptions`). Plain data, so a
    worker process can receive it and keep its own files' results."""

    def __init__(self, directory: Path, options):
        self.directory = Path(directory)
        self.hits = 0  # entries this object's get() found (in this process)
        settings = {k: v for k, v in asdict(options).items() if k != "workers"}
        self._basis = json.dumps({"options": settings, "parser": parser_fingerprint()}, sort_keys=True, default=list)

    def key(self, raw_path: str, sha256: str, fmt: str) -> str:
        """The entry name of a file: 32 hex digits of SHA-256 over its path, hash,
        format, the parse options and the parser fingerprint."""
        text = json.dumps([raw_path, sha256, fmt, self._basis])
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def _path(self, key: str) -> Path:
        return self.directory / (key + SUFFIX)

    def put(self, raw_path: str, sha256: str, fmt: str, articles: list[dict], rejects: list[dict]) -> None:
        """Keep one file's :func:`newsdag.ingest.parse_file` result (articles with
        their ``language``). Written to a temporary name and renamed."""
        table = pa.Table.from_pylist([{c: a.get(c) for c in ENTRY_SCHEMA.names} for a in articles], schema=ENTRY_SCHEMA)
        table = table.replace_schema_metadata({REJECTIONS_KEY: json.dumps(rejects, default=str).encode()})
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(self.key(raw_path, sha256, fmt))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def get(self, raw_path: str, sha256: str | None, fmt: str) -> tuple[list[dict], list[dict]] | None:
        """The kept ``(articles, rejections)`` of a file, or None when there is none
        (or it cannot be read: then the file is parsed again)."""
        if not isinstance(sha256, str):
            return None
        path = self._path(self.key(raw_path, sha256, fmt))
        try:
            with pq.ParquetFile(path) as entry:
                table = entry.read()
            rejects = json.loads((table.schema.metadata or {}).get(REJECTIONS_KEY, b"[]"))
            if table.schema.remove_metadata() != ENTRY_SCHEMA:
                return None
        except (OSError, ValueError, pa.ArrowException):
            return None
        self.hits += 1
        return table.to_pylist(), rejects

    def discard(self, files: Iterable[tuple[str, str, str]]) -> int:
        """Remove the entries of ``(raw_path, sha256, format)`` files; returns how many there were."""
        removed = 0
        for raw_path, sha256, fmt in files:
            if not isinstance(sha256, str):
                continue
            try:
                self._path(self.key(raw_path, sha256, fmt)).unlink()
                removed += 1
            except FileNotFoundError:
                pass
        return removed

    def keep_only(self, files: Iterable[tuple[str, str, str]]) -> int:
        """Remove every entry but those of ``(raw_path, sha256, format)`` files (and
        temporary files a killed writer left); returns how many went."""
        if not self.directory.is_dir():
            return 0
        wanted = {self.key(*f) + SUFFIX for f in files if isinstance(f[1], str)}
        removed = 0
        for entry in os.scandir(self.directory):
            if entry.name not in wanted:
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
        return removed
