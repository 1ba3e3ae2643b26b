"""Reading the raw folder: file inventory, parsing into articles, quarantine.

Two passes, each a plain function over a folder and pandas frames:

* :func:`scan_raw_files` lists every file under the raw root (the input side of
  lineage) without judging it;
* :func:`parse_raw_files` turns those files into ``articles`` and
  ``rejected_inputs``: every file or record either becomes an article or a
  rejection row with its reason, so nothing is lost silently, and one bad file
  or record never stops the others.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import errno
import functools
import hashlib
import io
import json
import math
import os
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import charset_normalizer
import pandas as pd
import pyarrow.parquet as pq

from newsdag import config
from newsdag.language import detect_language
from newsdag.text import PARAGRAPH_SEPARATOR, count_words, first_sentence, normalise_paragraphs, sentence_spans
from newsdag.warc import iter_warc
from newsdag.webpages import drop_headline, page_body, page_metadata, parse_html, url_host
from newsdag.workers import in_workers

FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".warc": "warc",
}
# Compressed forms read as their inner format.
FORMAT_BY_COMPRESSED_SUFFIX = {
    ".html.gz": "html",
    ".htm.gz": "html",
    ".warc.gz": "warc",
}
# Formats whose articles are web pages (newsdag.webpages).
PAGE_FORMATS = ("html", "warc")
UNKNOWN_SOURCE = "unknown"

# Field aliases accepted in feed records, in order of preference.
TEXT_FIELDS = ("text", "body", "content")
SOURCE_FIELDS = ("source", "outlet", "publisher")
PUBLISHED_FIELDS = ("published", "date", "timestamp")
TITLE_FIELDS = ("title", "headline")
URL_FIELDS = ("url", "link")
ID_FIELDS = ("id",)

# Publication times outside this range are rejected as implausible.
PUBLISHED_MIN = pd.Timestamp("1900-01-01", tz="UTC")
PUBLISHED_MAX = pd.Timestamp("2100-01-01", tz="UTC")

# A digit string read as a date rather than epoch seconds: YYYYMMDD or
# YYYYMMDDhhmmss, years 1900 to 2099 (as seconds, 20240502 would be 1970).
_COMPACT_DATE = re.compile(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{6})?")
# Epoch numbers at or above this are milliseconds (1e11 s is the year 5138).
_EPOCH_MS_THRESHOLD = 1e11
_DATE_LINE = re.compile(r"^[ \t]*date[ \t]+(\d{4}-\d{1,2}-\d{1,2})(?:[ \t]+|$)", re.IGNORECASE)
_HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}", re.IGNORECASE)
_UNSAFE_SOURCE_CHARS = re.compile(r"[\x00-\x1f\x7f/\\]+")
_DETAIL_CHARS = 300
_BINARY_SNIFF_BYTES = 8192
_WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")


class Rejected(Exception):
    """A file or record that cannot become an article; ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:_DETAIL_CHARS]


@dataclass(frozen=True)
class ParseOptions:
    """How files are read.

    Safety caps: files larger than ``max_file_bytes``, web pages larger than
    ``max_page_bytes`` (an HTML file, or one WARC record; a WARC file itself
    is streamed and has no cap) and article texts longer than
    ``max_record_chars`` characters are rejected as ``too_large``.

    ``host_outlets``: ``(host, outlet)`` pairs naming the outlet of a web
    page's host (see :func:`outlet_of_page`). ``workers``: processes that
    parse files side by side (see :func:`parse_files`); the results are the
    same for any number.
    """

    max_file_bytes: int = config.DEFAULT_MAX_FILE_BYTES
    max_record_chars: int = config.DEFAULT_MAX_RECORD_CHARS
    max_page_bytes: int = config.DEFAULT_MAX_PAGE_BYTES
    host_outlets: tuple[tuple[str, str], ...] = ()
    workers: int = 1


# --------------------------------------------------------------------------- scan


def sanitise_source(name: str) -> str:
    """An outlet name safe to show and to use in a path: NFC, no control
    characters or path separators, no leading dots or dashes; 'unknown' if empty."""
    name = unicodedata.normalize("NFC", str(name))
    name = _UNSAFE_SOURCE_CHARS.sub("_", name).strip().lstrip(".-").strip()
    return name or UNKNOWN_SOURCE


def source_from_path(raw_path: str) -> str:
    """The outlet of a file: its first folder under the raw root, else 'unknown'."""
    parts = raw_path.split("/")
    return sanitise_source(parts[0]) if len(parts) > 1 else UNKNOWN_SOURCE


def file_format(raw_path: str) -> str:
    """The input format a file name says (``FORMAT_BY_SUFFIX``), else 'unsupported'."""
    lower = raw_path.lower()
    for suffix, fmt in FORMAT_BY_COMPRESSED_SUFFIX.items():
        if lower.endswith(suffix):
            return fmt
    return FORMAT_BY_SUFFIX.get(os.path.splitext(lower)[1], "unsupported")


def _looks_like_host(name: str) -> bool:
    # A folder named as a web host ("www.bbc.co.uk"): how wget, HTTrack and
    # most crawlers lay out the pages they save.
    return bool(_HOST_NAME.fullmatch(name))


@functools.lru_cache(maxsize=8)
def _host_map(host_outlets: tuple[tuple[str, str], ...]) -> dict[str, str]:
    # Built once per mapping, not once per page.
    return dict(host_outlets)


def outlet_of_host(host: str | None, host_outlets: tuple[tuple[str, str], ...]) -> str | None:
    """The outlet ``host_outlets`` names for ``host`` or for the nearest domain
    above it ("news.bbc.co.uk" falls under "bbc.co.uk"), else None."""
    if not host:
        return None
    mapping = _host_map(host_outlets)
    labels = host.split(".")
    for i in range(len(labels) - 1):
        outlet = mapping.get(".".join(labels[i:]))
        if outlet:
            return sanitise_source(outlet)
    return None


def outlet_of_page(raw_path: str, url: str | None, host_outlets: tuple[tuple[str, str], ...] = (),
                   from_warc: bool = False) -> str:
    """The outlet of a web page: the outlet ``host_outlets`` names for its URL's
    host; else the first folder of its file, unless the file is a WARC, sits
    at the raw root or in a folder named as a host (a crawl's layout); else
    the URL's host without ``www.``; else the first folder, else 'unknown'."""
    host = url_host(url)
    mapped = outlet_of_host(host, host_outlets)
    if mapped:
        return mapped
    parts = raw_path.split("/")
    folder = parts[0] if len(parts) > 1 else None
    if folder is not None and not from_warc and not _looks_like_host(folder):
        return sanitise_source(folder)
    if host:
        return sanitise_source(host)
    return source_from_path(raw_path)


def read_host_outlets(path: str | os.PathLike | None) -> tuple[tuple[str, str], ...]:
    """The host → outlet mapping of a CSV file with the columns ``host`` and
    ``outlet`` (hosts without ``www.``, lower case), as sorted pairs; () for None."""
    if not path:
        return ()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"host", "outlet"} - set(frame.columns)
    if missing:
        raise ValueError(f"the host → outlet file {path} needs the columns host and outlet (missing: {', '.join(sorted(missing))})")
    pairs = {}
    for host, outlet in zip(frame["host"], frame["outlet"]):
        host = host.strip().lower()
        host = host[4:] if host.startswith("www.") else host
        if host and outlet.strip():
            pairs[host] = outlet.strip()
    return tuple(sorted(pairs.items()))


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _walk_files(raw_root: Path) -> Iterator[Path]:
    """Every file under ``raw_root``, sorted; also each directory link, and each
    folder that cannot be listed (parsing rejects both with their reason)."""
    # Sorted, and never following directory links: the inventory is the same on
    # every machine and cannot wander outside the raw root.
    unlistable: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(raw_root, followlinks=False,
                                                onerror=lambda e: unlistable.append(Path(e.filename))):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name
        for name in dirnames:
            p = Path(dirpath) / name
            if p.is_symlink():
                yield p
        # A folder os.walk could not list is reported once it is met.
        while unlistable:
            folder = unlistable.pop()
            if folder != Path(raw_root):
                yield folder


def display_path(rel: str) -> str:
    """A relative path as stored in the tables: valid UTF-8, with each byte of
    a file name that is not UTF-8 written as ``\\xNN`` (names are bytes on
    Linux; Parquet strings are UTF-8). :func:`disk_path` finds the file again."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def disk_path(raw_root: Path, raw_path: str) -> Path:
    """The file a stored ``raw_path`` (:func:`display_path`) names under ``raw_root``."""
    plain = Path(raw_root) / raw_path
    if "\\x" not in raw_path or os.path.lexists(plain):
        return plain
    path = Path(raw_root)
    for part in raw_path.split("/"):
        if os.path.lexists(path / part):
            path = path / part
            continue
        try:
            match = next((name for name in os.listdir(path) if display_path(name) == part), part)
        except OSError:
            match = part
        path = path / match
    return path


# A file keeps the hash an earlier scan took only if it was last modified at
# least this long before that scan began. A file rewritten at the same size
# within one tick of the file system's clock, after it was hashed, shows the
# same size and time (git's "racy index" problem); two seconds is also the
# tick of the coarsest clocks (FAT, some network file systems).
RACY_SECONDS = 2.0


def scan_raw_files(raw_root: Path, previous: pd.DataFrame | None = None,
                   previous_scan_started: pd.Timestamp | None = None) -> pd.DataFrame:
    """Inventory of every file under ``raw_root``, in path order.

    Returns a frame with ``raw_path`` (relative, '/'-separated), ``source``,
    ``format``, ``size_bytes``, ``sha256`` (null when unreadable or a link
    leaving the root), ``modified`` (UTC) and ``first_seen`` (UTC): the
    ``first_seen`` of the same path in ``previous`` (an earlier scan), else
    its modification time. Files are listed, not judged: parsing decides.

    Each file is read to hash it, unless ``previous`` (a scan that began at
    ``previous_scan_started``, UTC) lists the same path with the same size
    and modification time, modified at least :data:`RACY_SECONDS` before that
    scan began: then its hash is kept, as ``make``, rsync and git judge a
    file unchanged. Without ``previous_scan_started`` every file is hashed.
    A file changed in place with its size and modification time restored
    by hand (``touch -d``) keeps its old hash; parsing still hashes the bytes
    it reads (``articles.raw_sha256``).
    """
    raw_root = Path(raw_root)
    if not raw_root.is_dir():
        raise FileNotFoundError(f"raw folder {raw_root} does not exist or is not a folder")
    root_real = raw_root.resolve()
    known_hashes = previous_hashes(previous, previous_scan_started)
    rows = []
    for path in _walk_files(raw_root):
        rel = display_path(path.relative_to(raw_root).as_posix())
        size, sha = 0, None
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue  # gone between listing and looking: a crawler's temporary file; seen again if it returns
        except OSError:
            st = None
        modified = pd.Timestamp(st.st_mtime, unit="s", tz="UTC") if st is not None else pd.Timestamp.now(tz="UTC")
        size = st.st_size if st is not None else 0
        try:
            if _inside(path, root_real) and path.is_file():
                size = path.stat().st_size
                sha = known_hashes.get((rel, size, _microseconds(modified)))
                sha = sha if sha is not None else _sha256_file(path)
        except OSError:
            pass  # unreadable now: parsing rejects it with the reason, and the next run tries again
        rows.append(
            {"raw_path": rel, "source": source_from_path(rel), "format": file_format(rel),
             "size_bytes": size, "sha256": sha, "modified": modified}
        )
    df = pd.DataFrame(rows, columns=["raw_path", "source", "format", "size_bytes", "sha256", "modified"])
    df["size_bytes"] = df["size_bytes"].astype("int64")
    # Microseconds, the stored unit: a time read back from the previous scan
    # must equal the same time taken from the file now.
    df["modified"] = pd.to_datetime(df["modified"], utc=True).dt.floor("us")
    seen = df["modified"]
    if previous is not None and len(previous) and "first_seen" in previous:
        before = pd.to_datetime(previous.set_index("raw_path")["first_seen"], utc=True)
        seen = df["raw_path"].map(before).fillna(seen)
    df["first_seen"] = pd.to_datetime(seen, utc=True)
    return df


def previous_hashes(previous: pd.DataFrame | None, scan_started: pd.Timestamp | None) -> dict[tuple, str]:
    """The hashes of ``previous`` (a :func:`scan_raw_files` frame) a new scan
    may keep: ``(raw_path, size_bytes, modified) -> sha256`` for the files
    modified at least :data:`RACY_SECONDS` before ``scan_started``; empty
    without either."""
    if previous is None or scan_started is None or not len(previous) or "modified" not in previous:
        return {}
    modified = pd.to_datetime(previous["modified"], utc=True)
    keep = previous["sha256"].notna() & (modified < pd.Timestamp(scan_started) - pd.Timedelta(seconds=RACY_SECONDS))
    return {(path, int(size), _microseconds(when)): sha for path, size, when, sha in
            zip(previous["raw_path"][keep], previous["size_bytes"][keep], modified[keep], previous["sha256"][keep])}


def _microseconds(ts: pd.Timestamp) -> int:
    """Whole microseconds since the epoch: the stored unit of ``modified``,
    and a key that does not depend on a timestamp's pandas unit."""
    return pd.Timestamp(ts).value // 1000


# ----------------------------------------------------------------- days
#
# Every article belongs to one day, the key of its daily partition: its
# publication day (UTC), or for an undated article the day its file was first
# seen. Rejections belong to their file's first-seen day.


def clamp_day(ts: Any, first_day: str | None = None, last_day: str | None = None) -> str:
    """The UTC day of a timestamp as ``YYYY-MM-DD``, moved into [first_day, last_day];
    ``last_day`` (else today, UTC) when the timestamp is missing."""
    ts = pd.Timestamp(ts) if ts is not None and not pd.isna(ts) else None
    day = ts.tz_convert("UTC").date().isoformat() if ts is not None else (last_day or dt.datetime.now(dt.timezone.utc).date().isoformat())
    if first_day and day < first_day:
        day = first_day
    if last_day and day > last_day:
        day = last_day
    return day


def place_article(published: Any, seen_day: str, first_day: str | None = None,
                  last_day: str | None = None) -> tuple[str, str | None]:
    """The day an article's row lands on, and why it is quarantined (None when it is not).

    A dated article lands on its publication day (UTC), an undated one on
    ``seen_day``; an article published outside [``first_day``, ``last_day``]
    is quarantined, and its rejection lands on ``seen_day``. The one rule for
    both the day index (:func:`file_days`) and parsing (:func:`parse_raw_files`).
    """
    if published is None or pd.isna(published):
        return seen_day, None
    day = pd.Timestamp(published).tz_convert("UTC").date().isoformat()
    if first_day and day < first_day:
        return seen_day, f"published {day}, before the first partition day {first_day} (set NEWSDAG_FIRST_DAY earlier to keep it)"
    if last_day and day > last_day:
        return seen_day, f"published {day}, after the last partition day {last_day}"
    return day, None


def file_days(raw_root: Path, raw_files: pd.DataFrame, options: ParseOptions = ParseOptions(),
              first_day: str | None = None, last_day: str | None = None,
              previous: pd.DataFrame | None = None, keep=None) -> pd.Series:
    """For each file of ``raw_files`` (a :func:`scan_raw_files` frame), the
    sorted list of days its articles and rejections belong to: its articles'
    publication days, and its first-seen day when it has undated articles or
    rejections (or gives nothing at all). A file whose path, hash, first-seen
    time and format match a row of ``previous`` keeps that row's ``days``
    without being parsed again.

    With ``keep`` (a :class:`newsdag.parsed_files.ParsedFiles`), the files of
    :data:`KEPT_FORMATS` are parsed whole and their results kept there, for
    the day run (:func:`parse_raw_files`) to read instead of parsing them
    again; without it, they are read only as far as their days (no page
    bodies)."""
    known: dict[tuple, list[str]] = {}
    if previous is not None and len(previous) and "days" in previous:
        for r in previous.itertuples():
            known[(r.raw_path, r.sha256, pd.Timestamp(r.first_seen), r.format)] = list(r.days)
    out: list[list[str] | None] = []
    todo: list[tuple[int, FileJob, str, str]] = []  # (row, job, seen day, format)
    for r in raw_files.itertuples():
        # The format is part of the key: a file an older newsdag could not
        # read (an .html before web pages were read) is indexed again.
        key = (r.raw_path, r.sha256, pd.Timestamp(r.first_seen), r.format)
        if r.sha256 is not None and key in known:
            out.append(known[key])
            continue
        if keep is not None and r.format in KEPT_FORMATS and r.sha256 is not None:
            job = FileJob(r.raw_path, r.format, keep=keep, sha256=r.sha256, size_bytes=int(r.size_bytes),
                          modified_us=_microseconds(r.modified))
        else:
            job = FileJob(r.raw_path, r.format, days_only=True)
        todo.append((len(out), job, clamp_day(r.first_seen, first_day, last_day), r.format))
        out.append(None)
    parsed = parse_files(raw_root, [job for _, job, _, _ in todo], options)
    for (row, job, seen_day, fmt), (articles, rejects) in zip(todo, parsed):
        days = {place_article(a["published"], seen_day, first_day, last_day)[0] for a in articles}
        # Rejections, and a file that gives nothing, land on its first-seen
        # day; so may a web page's read only to its days, which only parsing
        # its body tells (a page without one is rejected).
        if rejects or not articles or (job.days_only and fmt in PAGE_FORMATS):
            days.add(seen_day)
        out[row] = sorted(days)
    return pd.Series(out, index=raw_files.index, dtype=object)


def _link_loops(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as e:
        return e.errno == errno.ELOOP
    return False


def _inside(path: Path, root_real: Path) -> bool:
    try:
        path.resolve().relative_to(root_real)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def raw_fingerprint(raw_root: Path) -> tuple[str, int]:
    """A cheap fingerprint of the raw folder: SHA-256 over every file's relative
    path, size and modification time (no file is read). Returns (hex digest,
    number of files). Any new, changed, moved or deleted file changes it."""
    h = hashlib.sha256()
    n = 0
    for path in _walk_files(Path(raw_root)):
        try:
            st = path.lstat()
        except OSError:
            continue
        h.update(f"{path.relative_to(raw_root).as_posix()}\x1f{st.st_size}\x1f{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
        n += 1
    return h.hexdigest(), n


# ----------------------------------------------------------------- decoding


# Unicode byte-order marks and the codec each one means, longest first.
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_bytes(data: bytes) -> str:
    """Decode a text file: a Unicode byte-order mark, else UTF-8 (a file cut off
    inside its last character included), else the encoding charset-normalizer
    detects. Raises :class:`Rejected` for empty, binary or undecodable input.

    Binary means: not UTF-8 and NUL bytes in the first 8 KiB, or text that is
    more than 5% control characters. One stray NUL in a large JSON Lines feed
    is not binary: it rejects its own line only.
    """
    if not data.strip():
        raise Rejected("empty", "the file is empty or white space only")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise Rejected("undecodable", f"{enc} with BOM: {e}") from None
    text = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        # A file cut off inside its last character is UTF-8 all the same.
        if e.reason == "unexpected end of data" and e.start >= len(data) - 3:
            try:
                text = data[: e.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
    if text is not None:
        if _looks_binary(text):
            raise Rejected("binary", "valid UTF-8 but mostly control characters")
        return text
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        raise Rejected("binary", "NUL bytes, not UTF-8 and no Unicode byte-order mark")
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise Rejected("undecodable", "not UTF-8 and no encoding detected")
    best = matches[0]
    # On short Western text the detector often ranks a Baltic or Central
    # European code page first; windows-1252 (what browsers read for
    # "latin-1") wins whenever it explains the text as coherently.
    western = [m for m in matches if m.encoding in _WESTERN_ENCODINGS and m.coherence >= best.coherence]
    if western:
        best = western[0]
    text = str(best)
    if _looks_binary(text):
        raise Rejected("binary", f"decodes as {best.encoding} but is mostly control characters")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark, or None. Text in a Latin
    or Cyrillic script has a NUL in nearly every other byte, at odd offsets
    for little-endian and even ones for big-endian; the decoded text must
    then read as text."""
    sample = data[: _BINARY_SNIFF_BYTES - _BINARY_SNIFF_BYTES % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= 0.6 * half and other <= 0.05 * half:
            try:
                text = data[: len(data) - len(data) % 2].decode(encoding)
            except UnicodeDecodeError:
                return None
            return None if _looks_binary(text) else text
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:_BINARY_SNIFF_BYTES]
    if not sample:
        return False
    # Per distinct character: a sample holds few of them.
    controls = sum(count for ch, count in Counter(sample).items()
                   if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\r\t\f")
    return controls / len(sample) > 0.05


# ----------------------------------------------------------------- fields


def parse_published(value: Any) -> pd.Timestamp | None:
    """A publication time as a UTC ``pd.Timestamp``, or None when absent.

    Accepts ISO-8601 strings (naive ones are taken as UTC), RFC 2822 strings,
    epoch milliseconds (or seconds, below 1e11) as numbers or digit strings,
    and datetime objects. Raises :class:`Rejected` (``bad_date`` or
    ``date_out_of_range``) otherwise.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, bool):
        raise Rejected("bad_date", repr(value))
    ts: pd.Timestamp | None = None
    try:
        if isinstance(value, (int, float)):
            ts = _from_epoch(float(value))
        elif isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
            ts = pd.Timestamp(value)
        elif isinstance(value, str):
            s = value.strip()
            if not s:
                return None
            if _COMPACT_DATE.fullmatch(s):
                # 20240502 or 20240502103000: a basic ISO 8601 date (and time), not epoch seconds.
                ts = pd.Timestamp(dt.datetime.strptime(s, "%Y%m%d%H%M%S" if len(s) == 14 else "%Y%m%d"))
            elif re.fullmatch(r"-?\d+(\.\d+)?", s):
                ts = _from_epoch(float(s))
            else:
                try:
                    ts = pd.Timestamp(dt.datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s))
                except ValueError:
                    ts = pd.Timestamp(email.utils.parsedate_to_datetime(s))
        else:
            raise Rejected("bad_date", f"unsupported type {type(value).__name__}")
    except Rejected:
        raise
    except (ValueError, TypeError, OverflowError, IndexError) as e:
        raise Rejected("bad_date", f"{str(value)[:80]!r}: {e}") from None
    if ts is None or ts is pd.NaT:
        raise Rejected("bad_date", repr(value)[:80])
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    if not (PUBLISHED_MIN <= ts < PUBLISHED_MAX):
        raise Rejected("date_out_of_range", f"{ts.isoformat()} is outside [{PUBLISHED_MIN.date()}, {PUBLISHED_MAX.date()})")
    return ts


def _from_epoch(value: float) -> pd.Timestamp:
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    unit = "ms" if abs(value) >= _EPOCH_MS_THRESHOLD else "s"
    return pd.Timestamp(value, unit=unit, tz="UTC")


def _first_field(record: dict, names: Iterable[str]) -> Any:
    for name in names:
        for key in (name, name.capitalize(), name.upper()):
            if key in record:
                value = record[key]
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                if isinstance(value, str) and not value.strip():
                    continue
                return value
    return None


def _record_source(value: Any) -> str | None:
    """A record's outlet: its source field, sanitised; for a list of names (a
    feed naming several publishers), the first; None when it names none."""
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    elif isinstance(value, dict):
        value = _first_field(value, ("name",) + SOURCE_FIELDS)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return sanitise_source(value)


# A date without a time: ISO 8601 (2024-05-02) or basic (20240502).
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")


def published_precision(value: Any, published_from: str | None) -> str:
    """``day`` when ``value`` (as given to :func:`parse_published`) states a
    date without a time, or ``published_from`` is ``page_date``: its time of
    day is then unknown, not midnight. ``time`` otherwise."""
    if published_from == "page_date":
        return "day"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return "day"
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()):
        return "day"
    return "time"


def make_article_id(source: str, key: str, text: str) -> str:
    """Stable article id: 16 hex digits of SHA-256 over source, key and text.

    ``key`` is the feed's record id, else the raw path. The same record gives
    the same id on every machine and run; the same text under two outlets
    gives two ids.
    """
    h = hashlib.sha256()
    for part in (source, key, text):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:16]


def build_article(
    *, text: str, source: str, raw_path: str, raw_sha256: str, options: ParseOptions,
    published: Any = None, title: str | None = None, external_id: Any = None,
    url: Any = None, raw_line: int | None = None, author: Any = None, published_from: str | None = None,
    raw_offset: int | None = None,
) -> dict:
    """Normalise one record into an ``articles`` row (a dict). Raises :class:`Rejected`."""
    if not isinstance(text, str):
        raise Rejected("missing_text", f"text is {type(text).__name__}, not a string")
    if len(text) > options.max_record_chars:
        raise Rejected("too_large", f"text has {len(text):,} characters, over the limit of {options.max_record_chars:,}")
    paragraphs = normalise_paragraphs(text)
    if not paragraphs:
        raise Rejected("empty", "no text after normalisation")
    norm = PARAGRAPH_SEPARATOR.join(paragraphs)
    ts = parse_published(published)
    ext = None if external_id is None else str(external_id).strip() or None
    title_norm = " ".join(normalise_paragraphs(str(title))) if title is not None else ""
    return {
        "article_id": make_article_id(source, ext if ext is not None else raw_path, norm),
        "external_id": ext,
        "source": source,
        "published": ts,
        "title": title_norm or first_sentence(paragraphs[0]),
        "lead": paragraphs[0],
        "body": PARAGRAPH_SEPARATOR.join(paragraphs[1:]),
        "text": norm,
        "n_words": count_words(norm),
        "url": None if url is None else str(url).strip() or None,
        "author": _author(author),
        "published_from": published_from if ts is not None else None,
        "published_precision": published_precision(published, published_from) if ts is not None else None,
        "raw_path": raw_path,
        "raw_line": raw_line,
        "raw_offset": raw_offset,
        "raw_sha256": raw_sha256,
    }


def _author(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v).strip() for v in value if v is not None and str(v).strip())
    text = " ".join(str(value).split())
    return text or None


# ----------------------------------------------------------------- formats


def parse_text_file(content: str) -> tuple[str | None, str]:
    """Split a plain-text article into (date string or None, text without the date).

    The optional first line starts with ``date YYYY-MM-DD`` (leading white
    space allowed) and continues with the lead paragraph.
    """
    m = _DATE_LINE.match(content)
    if not m:
        return None, content
    return m.group(1), content[m.end():]


def _records_jsonl(content: str) -> Iterator[tuple[int, Any]]:
    # Only "\n" ends a JSON Lines record: str.splitlines() would also split on
    # U+0085, U+2028 and other characters that are legal inside JSON strings.
    for line_no, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except (ValueError, RecursionError) as e:
            yield line_no, Rejected("bad_json", f"{type(e).__name__}: {e}")


def _records_json(content: str) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(content)
    except RecursionError:
        raise Rejected("bad_json", "nested too deeply") from None
    except ValueError as e:
        # Many ".json" feeds are really JSON Lines.
        if content.lstrip().startswith("{") and "\n" in content.strip():
            yield from _records_jsonl(content)
            return
        raise Rejected("bad_json", str(e)) from None
    if isinstance(data, dict):
        for key in ("articles", "records", "items", "data"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            data = [data]
    if not isinstance(data, list):
        raise Rejected("bad_json", f"top level is {type(data).__name__}, not a list or object of records")
    for i, rec in enumerate(data, start=1):
        yield i, rec


def _records_csv(content: str, options: ParseOptions) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(max(options.max_record_chars * 4, 131072))
    # strict: a broken quote is an error for that row, not a silent merge of rows.
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as e:
        raise Rejected("bad_csv", f"no header row: {e}") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    row_no = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            row_no += 1
            yield row_no, Rejected("bad_csv_row", str(e))
            continue
        row_no += 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield row_no, Rejected("bad_csv_row", f"{len(row)} fields where the header has {len(header)}")
            continue
        yield row_no, dict(zip(header, row))


def _records_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for a broken file
        raise Rejected("bad_parquet", str(e)) from None
    row_no = 0
    for batch in pf.iter_batches(batch_size=10_000):
        for rec in batch.to_pylist():
            row_no += 1
            yield row_no, rec


def _gunzip_page(data: bytes, max_page_bytes: int) -> bytes:
    """A gzip-compressed page, decompressed to at most ``max_page_bytes``."""
    inflater = zlib.decompressobj(31)
    try:
        out = inflater.decompress(data, max_page_bytes + 1)
    except zlib.error as e:
        raise Rejected("bad_gzip", str(e)) from None
    if len(out) > max_page_bytes:
        raise Rejected("too_large", f"decompresses to over the page limit of {max_page_bytes:,} bytes")
    if not inflater.eof:
        raise Rejected("bad_gzip", "the compressed data is cut off")
    return out


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Decode a web page: a byte-order mark, else the charset its HTTP header
    (``charset``) or its own ``<meta>`` declares, when the bytes decode with
    it, else as :func:`decode_bytes` decodes text files."""
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return decode_bytes(data)
    declared = [charset] if charset else []
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared.append(m.group(1).decode("ascii", "replace"))
    for name in declared:
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
        if _looks_binary(text):
            raise Rejected("binary", f"decodes as {name} but is mostly control characters")
        return text
    return decode_bytes(data)


@dataclass(frozen=True)
class _PageOrigin:
    """Where a page came from: its file, and for a WARC record its record."""

    raw_path: str
    raw_sha256: str
    from_warc: bool = False
    number: int | None = None
    offset: int | None = None
    target_uri: str | None = None
    warc_date: str | None = None
    record_id: str | None = None


def _page_article(html: bytes, charset: str | None, origin: _PageOrigin, options: ParseOptions,
                  days_only: bool, wanted: Callable[[Any], bool] | None) -> dict | None:
    """One web page as an ``articles`` row (with ``days_only``, only its
    ``published``); None when ``wanted`` says its publication time falls
    outside the run (its body is then not extracted). Raises :class:`Rejected`."""
    if len(html) > options.max_page_bytes:
        raise Rejected("too_large", f"a page of {len(html):,} bytes, over the limit of {options.max_page_bytes:,}")
    tree = parse_html(decode_html(html, charset))
    if tree is None:
        raise Rejected("bad_html", "no HTML document could be parsed from the page")
    page = page_metadata(tree, origin.target_uri)
    published, published_from = _page_published(page, origin)
    if days_only:
        return {"published": published}
    if wanted is not None and not wanted(published):
        return None
    page = replace(page, text=drop_headline(page_body(tree, origin.target_uri), page.title))
    if not page.text.strip():
        raise Rejected("no_article_body", "the extractor found no article body on the page")
    # A WARC record's URL is the one it was fetched from (WARC-Target-URI),
    # which finds the record in a crawl's index; a saved page's, the
    # canonical URL it names.
    url = origin.target_uri if origin.from_warc and origin.target_uri else page.url
    return build_article(
        text=page.text, source=outlet_of_page(origin.raw_path, url, options.host_outlets, origin.from_warc),
        raw_path=origin.raw_path, raw_sha256=origin.raw_sha256, options=options, published=published,
        published_from=published_from, title=page.title, external_id=origin.record_id, url=url,
        author=page.author, raw_line=origin.number, raw_offset=origin.offset,
    )


def _page_published(page, origin: _PageOrigin) -> tuple[pd.Timestamp | None, str | None]:
    """A page's publication time and where it came from (see articles.published_from):
    the first of its stated time, its day-only date and its WARC-Date that is
    a plausible time. Pages carry placeholders ("0001-01-01") and garbage in
    their metadata: one bad field must not cost the page its better ones."""
    for value, name in ((page.published_time, "page_time"), (page.published_day, "page_date"),
                        (origin.warc_date, "warc_date")):
        try:
            ts = parse_published(value)
        except Rejected:
            continue
        if ts is not None:
            return ts, name
    return None, None


def _parse_warc(path: Path, raw_path: str, options: ParseOptions, days_only: bool,
                wanted: Callable[[Any], bool] | None, articles: list[dict], reject) -> None:
    """Every fetched record of a WARC file, streamed: an article or a rejection each."""
    before = path.stat()
    sha = _sha256_file(path)
    for page in iter_warc(path, options.max_page_bytes):
        try:
            if page.reason is not None:
                raise Rejected(page.reason, page.detail)
            origin = _PageOrigin(raw_path, sha, True, page.number, page.offset, page.target_uri,
                                 page.warc_date, page.record_id)
            article = _page_article(page.html, page.charset, origin, options, days_only, wanted)
            if article is not None:
                articles.append(article)
        except Rejected as r:
            reject(r.reason, f"{r.detail} (record at byte {page.offset:,}: {page.target_uri or 'no target URI'})",
                   page.number, page.offset)
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        # Hashed before it was read: a file still being written is not taken
        # for the version that was hashed. The next run reads it again.
        articles.clear()
        raise Rejected("changed_while_reading", "the file changed while it was read; it is read again on the next run")


def parse_file(raw_root: Path, raw_path: str, fmt: str, options: ParseOptions = ParseOptions(),
               days_only: bool = False, wanted: Callable[[Any], bool] | None = None) -> tuple[list[dict], list[dict]]:
    """Parse one file into (article rows, rejection rows). Never raises for bad input.

    Web pages and WARC records are read as far as their publication time
    first. With ``days_only`` they are read no further (no body extraction),
    and each article row holds only ``published``: what :func:`file_days`
    needs. ``wanted`` (a publication time, or None, to bool) skips the pages
    a run does not cover before their bodies are extracted: a WARC feeding
    many days is parsed by each run that covers one of them. Other formats
    are parsed whole either way.
    """
    articles: list[dict] = []
    rejects: list[dict] = []

    def reject(reason: str, detail: str, line: int | None = None, offset: int | None = None) -> None:
        rejects.append({"raw_path": raw_path, "line": line, "offset": offset, "reason": reason,
                        "detail": detail[:_DETAIL_CHARS]})

    path = disk_path(raw_root, raw_path)
    try:
        if path.is_symlink() and _link_loops(path):
            raise Rejected("link_loop", "a link that leads back to itself; not read")
        if not _inside(path, Path(raw_root).resolve()):
            raise Rejected("outside_raw_root", "a link that points outside the raw folder; not read")
        if path.is_dir() and not path.is_symlink():
            raise Rejected("unreadable", "a folder newsdag cannot list (permissions?): its files are read once it can be")
        if fmt == "unsupported":
            raise Rejected("unsupported_format", f"no parser for {os.path.splitext(raw_path)[1] or 'files without a suffix'}")
        if not path.is_file():
            raise Rejected("unreadable", "not a regular file")
        if fmt == "warc":
            # Streamed a record at a time: a WARC has no size cap, its pages do.
            _parse_warc(path, raw_path, options, days_only, wanted, articles, reject)
            return articles, rejects
        size = path.stat().st_size
        if size > options.max_file_bytes:
            raise Rejected("too_large", f"{size:,} bytes, over the limit of {options.max_file_bytes:,}")
        data = path.read_bytes()
        # Hash the bytes actually parsed, not raw_files' hash: a file changed
        # between the two steps must not pass for its older version.
        sha = hashlib.sha256(data).hexdigest()
        folder_source = source_from_path(raw_path)

        if fmt == "html":
            html = _gunzip_page(data, options.max_page_bytes) if raw_path.lower().endswith(".gz") else data
            article = _page_article(html, None, _PageOrigin(raw_path, sha), options, days_only, wanted)
            articles.extend([article] if article is not None else [])
            return articles, rejects

        if fmt == "text":
            content = decode_bytes(data)
            date_str, rest = parse_text_file(content)
            articles.append(build_article(text=rest, source=folder_source, raw_path=raw_path, raw_sha256=sha,
                                          options=options, published=date_str, published_from="date_line"))
            return articles, rejects

        if fmt == "parquet":
            records = _records_parquet(path)
        else:
            content = decode_bytes(data)
            records = {"jsonl": _records_jsonl, "json": _records_json}[fmt](content) if fmt != "csv" else _records_csv(content, options)
        n_records = 0
        for line, rec in records:
            n_records += 1
            try:
                if isinstance(rec, Rejected):
                    raise rec
                if not isinstance(rec, dict):
                    raise Rejected("bad_record", f"a {type(rec).__name__}, not an object")
                text = _first_field(rec, TEXT_FIELDS)
                if text is None:
                    raise Rejected("missing_text", f"none of the fields {', '.join(TEXT_FIELDS)}; fields: {', '.join(map(str, list(rec)[:12]))}")
                source = _record_source(_first_field(rec, SOURCE_FIELDS))
                articles.append(build_article(
                    text=text,
                    source=source if source is not None else folder_source,
                    raw_path=raw_path, raw_sha256=sha, options=options,
                    published=_first_field(rec, PUBLISHED_FIELDS),
                    title=_first_field(rec, TITLE_FIELDS),
                    external_id=_first_field(rec, ID_FIELDS),
                    url=_first_field(rec, URL_FIELDS),
                    raw_line=line, published_from="record",
                ))
            except Rejected as r:
                reject(r.reason, r.detail, line)
        if n_records == 0:
            raise Rejected("empty", "the feed holds no records")
    except Rejected as r:
        reject(r.reason, r.detail)
    except (OSError, MemoryError) as e:
        reject("unreadable", f"{type(e).__name__}: {e}")
    return articles, rejects


# ----------------------------------------------------------------- tables

ARTICLE_COLUMNS = ["article_id", "external_id", "source", "published", "published_from", "published_precision",
                   "day", "title", "lead",
                   "body", "text", "n_words", "language", "url", "author", "raw_path", "raw_line", "raw_offset", "raw_sha256",
                   "duplicate_of"]
REJECT_COLUMNS = ["raw_path", "line", "offset", "day", "reason", "detail"]


@dataclass(frozen=True)
class DayFilter:
    """Whether a publication time lands on one of ``days`` (see :func:`place_article`):
    the ``wanted`` of :func:`parse_file`, as data a worker process can receive."""

    days: frozenset
    seen_day: str
    first_day: str | None
    last_day: str | None

    def __call__(self, published) -> bool:
        return place_article(published, self.seen_day, self.first_day, self.last_day)[0] in self.days


@dataclass(frozen=True)
class FileJob:
    """One :func:`parse_file` call: a file of ``raw_files`` and how far to read it.

    With ``keep`` (a :class:`newsdag.parsed_files.ParsedFiles`) the file is
    parsed whole and its result kept there, under the ``sha256`` its index row
    gives (written only if the file is still the one that row describes:
    ``size_bytes`` and ``modified_us``); the job then returns only each
    article's ``published``, as ``days_only`` does."""

    raw_path: str
    format: str
    days_only: bool = False
    wanted: DayFilter | None = None
    keep: Any = None
    sha256: str | None = None
    size_bytes: int | None = None
    modified_us: int | None = None


# Formats whose parse results are kept for the day run (newsdag.parsed_files).
# Not plain text: a text file is one article, parsed in about the time its
# kept entry takes to write and read (2.4 ms against 1.8 + 1.9 ms here;
# docs/design.md, "Parse once").
KEPT_FORMATS = frozenset({"jsonl", "json", "csv", "parquet", "html", "warc"})


# Below this many files a pool costs more than it saves: each worker starts a
# Python process and imports the parsers (about a second here).
MIN_FILES_PER_WORKER = 8


def _run_job(raw_root: Path, options: ParseOptions, job: FileJob) -> tuple[list[dict], list[dict]]:
    articles, rejects = parse_file(raw_root, job.raw_path, job.format, options, days_only=job.days_only,
                                   wanted=job.wanted)
    if not job.days_only:
        # Here, in the worker, and not in build_article: the day index
        # (days_only) parses feeds whole and needs no language.
        for article in articles:
            article["language"] = detect_language(article["text"])
    if job.keep is not None:
        if _still_indexed(raw_root, job, articles, rejects):
            job.keep.put(job.raw_path, job.sha256, job.format, articles, rejects)
        # The day index needs only the publication times; the texts stay in
        # the worker (the kept entry has them).
        articles = [{"published": a["published"]} for a in articles]
    return articles, rejects


def _still_indexed(raw_root: Path, job: FileJob, articles: list[dict], rejects: list[dict]) -> bool:
    """Whether the file parsed is the version its index row describes, so that
    its result may be kept under that row's hash: every article carries the
    hash (the bytes parsed), nothing was unreadable or changing, and the
    file's size and modification time are still the row's."""
    if job.sha256 is None or any(a["raw_sha256"] != job.sha256 for a in articles):
        return False
    if any(r["reason"] in ("unreadable", "changed_while_reading") for r in rejects):
        return False
    try:
        st = disk_path(raw_root, job.raw_path).stat()
    except OSError:
        return False
    return (st.st_size, _microseconds(pd.Timestamp(st.st_mtime, unit="s", tz="UTC"))) == (job.size_bytes, job.modified_us)


def parse_files(raw_root: Path, jobs: list[FileJob], options: ParseOptions) -> Iterator[tuple[list[dict], list[dict]]]:
    """:func:`parse_file` for each job, in order, one result at a time: in this
    process, or across ``options.workers`` worker processes when there are at
    least ``MIN_FILES_PER_WORKER`` files per worker. Results come in job order
    whatever finishes first, so tables are the same for any number of workers.

    Workers are started with ``spawn`` (a fresh interpreter, not a fork of a
    process that may hold Dagster's threads and locks), and end with the
    iteration (:func:`newsdag.workers.in_workers`).
    """
    workers = min(options.workers, len(jobs) // MIN_FILES_PER_WORKER)
    run = functools.partial(_run_job, Path(raw_root), options)
    if workers <= 1:
        yield from map(run, jobs)
        return
    chunk = max(1, len(jobs) // (workers * 4))
    chunks = [jobs[s : s + chunk] for s in range(0, len(jobs), chunk)]
    for part in in_workers(functools.partial(_run_jobs, Path(raw_root), options), chunks, workers, "parsing files"):
        yield from part


def _run_jobs(raw_root: Path, options: ParseOptions, jobs: list[FileJob]) -> list[tuple[list[dict], list[dict]]]:
    """:func:`_run_job` for a chunk of jobs: one task of a worker process."""
    return [_run_job(raw_root, options, job) for job in jobs]


def parse_raw_files(raw_root: Path, raw_files: pd.DataFrame, options: ParseOptions = ParseOptions(),
                    days: Iterable[str] | None = None, first_day: str | None = None,
                    last_day: str | None = None, keep=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse the files listed in ``raw_files`` into ``(articles, rejected_inputs)``.

    A file whose result ``keep`` (a :class:`newsdag.parsed_files.ParsedFiles`)
    holds, under its row's path, ``sha256`` and format, is read from there
    instead of being parsed: the same rows (tested).

    ``raw_files`` is the output of :func:`scan_raw_files` (``raw_path``,
    ``format`` and, when present, ``first_seen`` are used). Each article gets
    its ``day`` (publication day, else its file's first-seen day); each
    rejection its file's first-seen day. Only rows whose day is in ``days``
    are returned (all when None). Articles published outside
    [``first_day``, ``last_day``] become ``outside_partitions`` rejections.

    Articles are sorted by ``article_id``; the same record seen twice (same
    source, id or path, and text) is kept once, the copy being listed as
    ``duplicate_record``. ``duplicate_of`` links each article to the earliest
    one of the same day with the same normalised text. Rejections keep file order.
    """
    all_articles: list[dict] = []
    all_rejects: list[dict] = []
    has_seen = "first_seen" in raw_files
    days = set(days) if days is not None else None
    seen_days, results, jobs = [], [], []
    for row in raw_files.itertuples():
        seen_day = clamp_day(row.first_seen if has_seen else getattr(row, "modified", None), first_day, last_day)
        seen_days.append(seen_day)
        kept = keep.get(row.raw_path, getattr(row, "sha256", None), row.format) if keep is not None else None
        results.append(kept)
        if kept is None:
            # When the file's rejections land outside this run (on seen_day), only
            # the pages of the run's days need their bodies.
            wanted = DayFilter(frozenset(days), seen_day, first_day, last_day) if days is not None and seen_day not in days else None
            jobs.append(FileJob(row.raw_path, row.format, wanted=wanted))
    parsed = parse_files(raw_root, jobs, options)
    results = (result if result is not None else next(parsed) for result in results)
    for seen_day, (a, r) in zip(seen_days, results):
        for art in a:
            day, outside = place_article(art["published"], seen_day, first_day, last_day)
            if outside:
                r.append({"raw_path": art["raw_path"], "line": art["raw_line"], "offset": art["raw_offset"],
                          "reason": "outside_partitions",
                          "detail": outside})
                continue
            art["day"] = day
            all_articles.append(art)
        for rej in r:
            rej["day"] = seen_day
        all_rejects.extend(r)

    articles = pd.DataFrame(all_articles, columns=ARTICLE_COLUMNS[:-1])
    articles["published"] = pd.to_datetime(articles["published"], utc=True)
    articles["n_words"] = articles["n_words"].astype("int64")
    articles["raw_line"] = articles["raw_line"].astype("Int64")
    articles["raw_offset"] = articles["raw_offset"].astype("Int64")
    dup_mask = articles.duplicated("article_id", keep="first")
    for row in articles.loc[dup_mask].itertuples():
        all_rejects.append({"raw_path": row.raw_path, "line": row.raw_line if pd.notna(row.raw_line) else None,
                            "offset": row.raw_offset if pd.notna(row.raw_offset) else None,
                            "day": row.day, "reason": "duplicate_record",
                            "detail": f"the same record (source, id, text) as article {row.article_id}, already ingested"})
    articles = articles.loc[~dup_mask].sort_values("article_id", kind="stable").reset_index(drop=True)
    rejected = pd.DataFrame(all_rejects, columns=REJECT_COLUMNS)
    if days is not None:
        wanted = set(days)
        articles = articles[articles["day"].isin(wanted)].reset_index(drop=True)
        rejected = rejected[rejected["day"].isin(wanted)].reset_index(drop=True)
    articles["duplicate_of"] = find_duplicates(articles)
    rejected["line"] = rejected["line"].astype("Int64")
    rejected["offset"] = rejected["offset"].astype("Int64")
    return articles[ARTICLE_COLUMNS], rejected


def find_duplicates(articles: pd.DataFrame) -> pd.Series:
    """For each article, the ``article_id`` of the earliest article with the same
    ``text`` (and ``day``, when the frame has one) (earliest ``published``, undated last, ties by ``article_id``), or
    None for that earliest one and for texts seen once. Index aligned to ``articles``."""
    if articles.empty:
        return pd.Series([], dtype=object, index=articles.index)
    order = articles.sort_values(["published", "article_id"], na_position="last", kind="stable")
    # Within a day: a day's partition must not depend on which other days
    # were parsed in the same run. Copies across days are found by overlap.
    keys = ["day", "text"] if "day" in order else ["text"]
    first = order.groupby(keys, sort=False)["article_id"].transform("first")
    result = first.where(first != order["article_id"], None)
    return result.reindex(articles.index).astype(object).where(lambda s: s.notna(), None)


def split_sentences(articles: pd.DataFrame) -> pd.DataFrame:
    """The ``sentences`` table: one row per sentence of each article's ``text``.

    Input: ``articles`` with ``article_id``, ``day`` and ``text``. Output columns:
    ``article_id`` (str), ``sent_idx`` (int32, 0-based), ``day`` (str), ``char_start`` and
    ``char_end`` (int64 offsets into the article's text) and ``text``.
    """
    ids, idx, days, starts, ends, texts = [], [], [], [], [], []
    article_days = articles["day"] if "day" in articles else pd.Series([None] * len(articles))
    for article_id, day, text in zip(articles["article_id"], article_days, articles["text"]):
        for i, (a, b) in enumerate(sentence_spans(text)):
            ids.append(article_id)
            idx.append(i)
            days.append(day)
            starts.append(a)
            ends.append(b)
            texts.append(text[a:b])
    return pd.DataFrame({
        "article_id": pd.Series(ids, dtype=object),
        "sent_idx": pd.Series(idx, dtype="int32"),
        "day": pd.Series(days, dtype=object),
        "char_start": pd.Series(starts, dtype="int64"),
        "char_end": pd.Series(ends, dtype="int64"),
        "text": pd.Series(texts, dtype=object),
    })
