"""WARC files: the HTML pages a crawl saved, one record at a time.

Read with FastWARC (a streaming reader in C++, see docs/design.md, "Reading
WARC files"): a file of any size is read a record at a time and never held
whole. Each record the crawl fetched (``response``, ``resource``,
``revisit``) becomes one :class:`WarcPage`: either an HTML page to parse, or
the reason it cannot be one. Records that never hold a page (``request``,
``warcinfo``, ``metadata``, ``conversion``, ``continuation``) are passed over.

A damaged file loses only what is damaged: a record cut short is reported as
``warc_truncated``, and after an unreadable gzip member or record the reader
looks for the next record (the next gzip member, or the next ``WARC/`` line
of an uncompressed file) and goes on, reporting the gap as ``bad_warc``.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import BinaryIO, Iterator

from fastwarc.warc import ArchiveIterator, WarcRecordType

# The record types that hold something a crawler fetched.
_FETCHED = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.revisit
_ALL = _FETCHED | WarcRecordType.request | WarcRecordType.warcinfo | WarcRecordType.metadata \
    | WarcRecordType.conversion | WarcRecordType.continuation | WarcRecordType.unknown
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/"
_SCAN_BLOCK = 1 << 20


@dataclass(frozen=True)
class WarcPage:
    """One fetched record: ``number`` (1-based, in file order), ``offset`` (byte
    offset of the record in the file: of its gzip member in a ``.warc.gz``),
    ``target_uri``, ``warc_date`` (the record's ``WARC-Date``), ``record_id``
    (its ``WARC-Record-ID``), and either
    ``html`` (the page's bytes, transfer and content encodings undone) with
    ``charset`` (from its ``Content-Type``, or None), or ``reason`` and
    ``detail`` saying why the record holds no page."""

    number: int
    offset: int
    target_uri: str | None
    warc_date: str | None
    record_id: str | None = None
    html: bytes | None = None
    charset: str | None = None
    reason: str | None = None
    detail: str = ""


def _content_type(headers: Message) -> tuple[str, str | None]:
    value = headers.get("Content-Type") or ""
    main = value.split(";", 1)[0].strip().lower()
    charset = None
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return main, charset


def split_http(block: bytes) -> tuple[int, Message, bytes]:
    """An HTTP response's status code, headers and body. Raises ValueError
    when ``block`` does not start with an HTTP status line."""
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    status_line, _, header_lines = head.partition(b"\n")
    parts = status_line.strip().split(None, 2)
    if len(parts) < 2 or not parts[0].upper().startswith(b"HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP response: {status_line[:60]!r}")
    headers = BytesHeaderParser().parsebytes(header_lines)
    return int(parts[1]), headers, body


def _unchunk(body: bytes) -> bytes:
    out, pos = [], 0
    while pos < len(body):
        end = body.find(b"\r\n", pos)
        if end < 0:
            raise ValueError("a chunk size line without its end")
        size = int(body[pos:end].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            break
        out.append(body[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return b"".join(out)


def decode_http_body(headers: Message, body: bytes) -> bytes:
    """Undo ``Transfer-Encoding: chunked`` and ``Content-Encoding`` gzip or
    deflate. Raises ValueError for an encoding it cannot undo (brotli, say)
    or a body that does not decode."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        body = _unchunk(body)
    encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("", "identity", "none"):
        return body
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"Content-Encoding {encoding}: {e}") from None
    raise ValueError(f"Content-Encoding {encoding} is not supported")


def _page(record, number: int, block: bytes, max_page_bytes: int) -> WarcPage:
    """The page (or the reason there is none) of a fetched record whose block was read whole."""
    target_uri = record.headers.get("WARC-Target-URI")
    warc_date = record.headers.get("WARC-Date")
    base = dict(number=number, offset=record.stream_pos, target_uri=target_uri, warc_date=warc_date,
                record_id=record.headers.get("WARC-Record-ID"))
    if record.record_type == WarcRecordType.revisit:
        return WarcPage(**base, reason="warc_revisit",
                        detail=f"a revisit of {record.headers.get('WARC-Refers-To-Target-URI') or target_uri}: "
                               "the page is stored with the record it refers to")
    if record.record_type == WarcRecordType.resource:
        main, charset = _content_type(record.headers)
        payload = block
    else:
        try:
            status, headers, payload = split_http(block)
        except ValueError as e:
            return WarcPage(**base, reason="bad_warc", detail=f"response record: {e}")
        if status != 200:
            return WarcPage(**base, reason="warc_http_status", detail=f"HTTP {status}, not 200")
        main, charset = _content_type(headers)
        if main and main not in _HTML_TYPES:
            return WarcPage(**base, reason="warc_not_html", detail=f"Content-Type {main}")
        try:
            payload = decode_http_body(headers, payload)
        except ValueError as e:
            return WarcPage(**base, reason="unsupported_encoding", detail=str(e))
    if main and main not in _HTML_TYPES:
        return WarcPage(**base, reason="warc_not_html", detail=f"Content-Type {main}")
    if len(payload) > max_page_bytes:
        return WarcPage(**base, reason="too_large", detail=f"a page of {len(payload):,} bytes, over the limit of {max_page_bytes:,}")
    return WarcPage(**base, html=payload, charset=charset)


def _next_start(fh: BinaryIO, after: int, magic: bytes) -> int | None:
    """The offset of the first ``magic`` after byte ``after``, or None."""
    pos = after + 1
    fh.seek(pos)
    carry = b""
    while True:
        block = fh.read(_SCAN_BLOCK)
        if not block:
            return None
        data = carry + block
        i = data.find(magic)
        if i >= 0:
            return pos - len(carry) + i
        carry = data[-(len(magic) - 1):]
        pos += len(block)


def _record_end(fh: BinaryIO, start: int, gzipped: bool) -> int:
    """The offset just past the record that starts at ``start``: past its gzip
    member, or past its block and the two line ends that close it."""
    fh.seek(start)
    if gzipped:
        member = zlib.decompressobj(31)
        pos = start
        while not member.eof:
            block = fh.read(_SCAN_BLOCK)
            if not block:
                return pos  # the member is cut off: the reader has reported it
            pos += len(block)
            try:
                member.decompress(block)
            except zlib.error:
                return pos
        return pos - len(member.unused_data)
    head = b""
    while b"\r\n\r\n" not in head:
        block = fh.read(65536)
        if not block:
            return start + len(head)
        head += block
    header, _, _ = head.partition(b"\r\n\r\n")
    length = 0
    for line in header.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    return start + len(header) + 4 + length + 4


def _trailing_data(fh: BinaryIO, end: int, size: int) -> bool:
    """Whether anything but white space or NUL padding lies from ``end`` to the end of the file."""
    fh.seek(end)
    while True:
        block = fh.read(_SCAN_BLOCK)
        if not block:
            return False
        if block.strip(b" \t\r\n\x00"):
            return True


def _page_or_reason(record, number: int, max_page_bytes: int) -> WarcPage:
    """Read one fetched record's block and judge it (see :class:`WarcPage`)."""
    expected = record.content_length
    # The block is the page plus its HTTP headers: a block far over the page
    # limit is judged without being read.
    if expected > max_page_bytes + 65536:
        return WarcPage(number=number, offset=record.stream_pos, target_uri=record.headers.get("WARC-Target-URI"),
                        warc_date=record.headers.get("WARC-Date"), reason="too_large",
                        detail=f"a record of {expected:,} bytes, over the page limit of {max_page_bytes:,}")
    if record.headers.get("Content-Length") is None:
        return WarcPage(number=number, offset=record.stream_pos, target_uri=record.headers.get("WARC-Target-URI"),
                        warc_date=record.headers.get("WARC-Date"), reason="warc_truncated",
                        detail="the record's header is cut off before its Content-Length")
    block = record.reader.read()
    if len(block) < expected:
        return WarcPage(number=number, offset=record.stream_pos, target_uri=record.headers.get("WARC-Target-URI"),
                        warc_date=record.headers.get("WARC-Date"), reason="warc_truncated",
                        detail=f"the record holds {len(block):,} of its {expected:,} bytes")
    return _page(record, number, block, max_page_bytes)


def iter_warc(path: Path, max_page_bytes: int) -> Iterator[WarcPage]:
    """Every fetched record of a WARC or WARC.gz file, in file order, as a
    :class:`WarcPage`, read a record at a time.

    Never raises for a damaged file: each damaged stretch becomes one page
    with reason ``bad_warc`` (its offset, what went wrong, the bytes skipped),
    and reading goes on at the next record found. OSError is raised only when
    the file cannot be opened.
    """
    size = Path(path).stat().st_size
    with open(path, "rb") as fh:
        magic = _GZIP_MAGIC if fh.read(3) == _GZIP_MAGIC else _WARC_MAGIC
        number = 0
        start: int | None = 0
        gap: tuple[int, str] | None = None  # damage found and not yet reported: (offset, what)
        while start is not None:
            fh.seek(start)
            last: int | None = None  # the offset of the last record this pass reached
            finished = False  # whether that record was read to its end
            error = None
            try:
                for record in ArchiveIterator(fh, parse_http=False, record_types=_ALL):
                    last, finished = record.stream_pos, False
                    if gap is not None:
                        number += 1
                        yield _gap_page(number, gap, last)
                        gap = None
                    if record.record_type & _FETCHED:
                        page = _page_or_reason(record, number + 1, max_page_bytes)
                        number += 1
                        yield page
                    finished = True
            except OSError as e:  # FastWARC's error for a damaged gzip member or record
                error = str(e)
            if error is None and last is not None:
                end = _record_end(fh, last, magic == _GZIP_MAGIC)
                if end < size and _trailing_data(fh, end, size):
                    gap = (end, "data after the last record that the reader could not read as one")
                break
            if last is None:
                damage = start  # nothing readable where a record should start
            elif finished:
                damage = _record_end(fh, last, magic == _GZIP_MAGIC)  # the next record is damaged
            else:
                damage = last  # the record being read is
            if gap is None:
                gap = (damage, error or "no WARC record where one should start")
            start = _next_start(fh, damage, magic)
        if gap is not None:
            number += 1
            yield _gap_page(number, gap, size)


def _gap_page(number: int, gap: tuple[int, str], end: int) -> WarcPage:
    return WarcPage(number=number, offset=gap[0], target_uri=None, warc_date=None, reason="bad_warc",
                    detail=f"{gap[1]}: bytes {gap[0]:,} to {end:,} could not be read and were skipped")
