"""A raw folder full of hostile input mixed with good input, and the truth about it.

``make_hostile_corpus(root)`` writes the folder and returns :class:`Truth`:
how many articles must come out and how many rejections of each reason.
Deterministic for a seed. Used by tests/test_hostile.py; run it as a script to
leave a corpus on disk: ``python -m tests.hostile DIR``.
"""

from __future__ import annotations

import collections
import json
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Truth:
    n_articles: int = 0
    reasons: collections.Counter = field(default_factory=collections.Counter)
    secret: str = ""

    @property
    def n_bad(self) -> int:
        return sum(self.reasons.values())


def _w(root: Path, rel: str, data: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def make_hostile_corpus(root: Path, seed: int = 0, tiny_files: int = 2000, huge_line_mb: int = 50) -> Truth:
    rng = random.Random(seed)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    t = Truth()
    words = "bank rates rose markets fell minister said talks peace storm flood city council vote".split()

    def sentence(i: int) -> str:
        return " ".join(rng.choice(words) for _ in range(8)).capitalize() + f" number {i}."

    # Good plain-text files, with awkward names.
    names = ["plain.txt", "with space.txt", "ünïcödé ñame.txt", "-leading-dash.txt", "..double..dots.txt",
             "日本語.txt", "--.txt", "a'quote.txt", "semi;colon.txt", "CAPS.TXT"]
    for i in range(50):
        outlet = ["bbc", "le monde", "-dash-outlet", "ünï", "..x"][i % 5]
        date = f"date 2025-0{1 + i % 9}-1{i % 9} " if i % 2 else ""
        _w(root, f"{outlet}/{i:02d}-{names[i % len(names)]}", f"{date}{sentence(i)} {sentence(i + 100)}\n\n{sentence(i + 200)}")
        t.n_articles += 1
    # Encodings that are text all the same.
    _w(root, "enc/utf16.txt", ("date 2025-02-01 Caf\u00e9 in UTF-16. " + sentence(1)).encode("utf-16"))
    _w(root, "enc/latin1.txt", ("Caf\u00e9 \u00e0 Paris, d\u00e9j\u00e0 vu. " * 5).encode("latin-1"))
    _w(root, "enc/truncated-utf8.txt", ("Caf\u00e9 stories " * 10 + "\u00e9").encode("utf-8")[:-1])
    _w(root, "enc/bom.txt", b"\xef\xbb\xbf" + sentence(5).encode())
    t.n_articles += 4

    # The same file under two outlets: two articles, linked by duplicate_of.
    for i in range(5):
        body = f"date 2025-03-0{i + 1} Wire copy {i}. {sentence(i + 300)}"
        _w(root, f"wire/{i}.txt", body)
        _w(root, f"copier/{i}.txt", body)
        t.n_articles += 2

    # Binary files, empty and blank files, unsupported formats.
    for i in range(30):
        _w(root, f"bad/binary{i}.txt", bytes(rng.randrange(256) for _ in range(512)) + b"\x00" * 16)
    t.reasons["binary"] += 30
    for i in range(10):
        _w(root, f"bad/empty{i}.txt", "")
        _w(root, f"bad/blank{i}.txt", " \n\t \r\n  " * (i + 1))
    t.reasons["empty"] += 20
    for ext in ["png", "docx", "exe", "pdf", "xml"]:
        _w(root, f"bad/file.{ext}", b"whatever")
    _w(root, "bad/NOSUFFIX", b"no suffix at all")
    t.reasons["unsupported_format"] += 6
    # Impossible dates in text files.
    for i, d in enumerate(["2025-13-45", "2025-02-30", "0000-01-01", "2025-00-10", "9999-99-99"]):
        _w(root, f"bad/date{i}.txt", f"date {d} Lead with an impossible date.")
    t.reasons["bad_date"] += 5
    # One 50 MB line: over the record limit.
    if huge_line_mb:
        _w(root, "bad/huge-line.txt", "word " * (huge_line_mb * 1024 * 1024 // 5))
        t.reasons["too_large"] += 1

    # JSON Lines: good records with bad lines among them.
    for f in range(5):
        lines = []
        for i in range(20):
            lines.append(json.dumps({"id": f"f{f}-{i}", "source": f"Feed {f}", "published": f"2025-04-{1 + i % 28:02d}T10:00:00Z",
                                     "title": f"Title {i}", "text": f"{sentence(i)} {sentence(i + 1)}"}))
            t.n_articles += 1
        for i in range(12):
            lines.append(["{broken", '{"id": 1, "text": "unterminated', "nul\x00l", "[1, 2", "{'single': 'quotes'}",
                          '{"text": "x"} trailing', "}", "{,}", '{"a":}', "NaN NaN", "{{}}", '{"id" "x"}'][i])
        t.reasons["bad_json"] += 12
        for i in range(4):
            lines.append(json.dumps([1, "list", None, 3.5][i]))
        t.reasons["bad_record"] += 4
        for i in range(4):
            lines.append(json.dumps({"id": f"nt{f}-{i}", "title": "no text", "text": [None, "", "  ", None][i]}))
        t.reasons["missing_text"] += 4
        for i, d in enumerate(["yesterday", "13/45/2025", "2025-02-30", "soon"]):
            lines.append(json.dumps({"id": f"bd{f}-{i}", "text": "Bad date.", "published": d}))
        t.reasons["bad_date"] += 4
        for i, d in enumerate(["2999-01-01", "1066-10-14T09:00:00Z", "0001-01-01", "2150-06-01"]):
            lines.append(json.dumps({"id": f"or{f}-{i}", "text": "Out of range.", "published": d}))
        t.reasons["date_out_of_range"] += 4
        dup = json.dumps({"id": f"dup{f}", "source": "Dup", "text": "Seen twice."})
        lines += [dup, dup]
        t.n_articles += 1
        t.reasons["duplicate_record"] += 1
        rng.shuffle(lines)
        _w(root, f"feeds/day{f}.jsonl", "\n".join(lines) + "\n")

    # Deeply nested JSON.
    for i in range(5):
        _w(root, f"feeds/deep{i}.json", "[" * (50_000 + i) + "]" * (50_000 + i))
    t.reasons["bad_json"] += 5

    # CSV: good rows, rows with extra fields, broken quoting; a file missing its text column.
    for f in range(5):
        rows = ["id,source,published,text"]
        for i in range(5):
            rows.append(f'c{f}-{i},CSV {f},2025-05-0{1 + i},"{sentence(i)}"')
            t.n_articles += 1
        rows.insert(3, f'x{f},CSV,2025-05-01,"text",extra,fields')
        rows.insert(5, f'q{f},CSV,2025-05-01,"He said "hello" there"')
        t.reasons["bad_csv_row"] += 2
        _w(root, f"feeds/table{f}.csv", "\n".join(rows) + "\n")
    _w(root, "feeds/notext.csv", "id,title\n" + "\n".join(f"{i},Only a title" for i in range(5)) + "\n")
    t.reasons["missing_text"] += 5
    _w(root, "feeds/unclosed.csv", 'id,text\n1,"fine"\n2,"never closed\n')
    t.n_articles += 1
    t.reasons["bad_csv_row"] += 1

    # Links that leave the raw root: never read.
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    t.secret = "TOP SECRET TEXT THAT MUST NEVER BE READ"
    (outside / "secret.txt").write_text(t.secret)
    os.symlink(outside / "secret.txt", root / "bad" / "link-out.txt")
    os.symlink(outside, root / "bad" / "dir-link-out")
    os.symlink("/etc/passwd", root / "bad" / "passwd.txt")
    t.reasons["outside_raw_root"] += 3

    _hostile_web_input(root, t)

    # A live raw folder's smaller cases (issue 19).
    _w(root, os.fsdecode(b"names/caf\xe9-not-utf8.txt"), f"date 2025-01-05 {sentence(900)}")  # kept byte-safe
    _w(root, "enc/utf16-no-bom.txt", ("Caf\u00e9 in UTF-16 with no byte-order mark. " + sentence(901)).encode("utf-16-le"))
    _w(root, "feeds/awkward.jsonl", "\n".join(json.dumps(r) for r in [
        {"id": "compact-date", "published": "20250502", "text": sentence(902)},  # a date, not epoch seconds
        {"id": "two-publishers", "source": ["Wire One", "Wire Two"], "text": sentence(903)},  # the first
    ]) + "\n")
    t.n_articles += 4
    os.symlink("loop", root / "bad" / "loop")
    t.reasons["link_loop"] += 1

    # Thousands of tiny files.
    for i in range(tiny_files):
        _w(root, f"tiny/{i // 500}/{i}.txt", f"Tiny story {i}.")
    t.n_articles += tiny_files
    return t


def _hostile_web_input(root: Path, t: Truth) -> None:
    """Saved web pages and WARC files, good and bad (tests/test_webpages.py tests each case alone)."""
    import gzip

    from tests.web import article_html, http_response, story_paragraphs, write_warc

    for i, topic in enumerate(["tram", "harbour", "library"]):
        _w(root, f"web/good{i}.html", article_html(f"Story {topic}", story_paragraphs(topic)))
    _w(root, "web/malformed.html", "<html><head><title>Ferry</title><body><article><p>"
       + "<p>".join(story_paragraphs("ferry")) + "<div><span></b></i></article></html")
    _w(root, "web/cp1252.html", article_html("Café", [p.replace("council", "café council")
                                                      for p in story_paragraphs("café")]).encode("cp1252"))
    t.n_articles += 5
    _w(root, "web/binary.html", bytes(range(256)) * 40)
    t.reasons["binary"] += 1
    _w(root, "web/empty.htm", b"")
    t.reasons["empty"] += 1
    _w(root, "web/huge.html", "<html><body>" + "<p>a very large page</p>" * 800_000 + "</body></html>")  # over 16 MiB
    t.reasons["too_large"] += 1
    _w(root, "web/nav.html", "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav></body></html>")
    t.reasons["no_article_body"] += 1
    _w(root, "web/cut.html.gz", gzip.compress(article_html("Cut", story_paragraphs("cut")).encode())[:300])
    t.reasons["bad_gzip"] += 1

    def page(topic: str) -> dict:
        return http_response(f"https://www.port-times.com/{topic}", article_html(topic.title(), story_paragraphs(topic)).encode())

    write_warc(root / "crawl" / "mixed.warc.gz", [
        {"type": "request", "url": "https://www.port-times.com/bridge", "body": b"GET / HTTP/1.1\r\n\r\n"},
        page("bridge"), page("school"),
        http_response("https://www.port-times.com/gone", b"<html>gone</html>", status="404 Not Found"),
        http_response("https://www.port-times.com/logo.png", b"\x89PNG" + b"\x00" * 32, content_type="image/png"),
        {"type": "revisit", "url": "https://www.port-times.com/bridge"},
    ])
    t.n_articles += 2
    t.reasons.update(["warc_http_status", "warc_not_html", "warc_revisit"])
    offsets = write_warc(root / "crawl" / "cut.warc.gz", [page("museum"), page("stadium"), page("airport")])
    data = (root / "crawl" / "cut.warc.gz").read_bytes()
    (root / "crawl" / "cut.warc.gz").write_bytes(data[: offsets[2] + 600])
    t.n_articles += 2
    t.reasons["warc_truncated"] += 1
    offsets = write_warc(root / "crawl" / "damaged.warc.gz", [page("market"), page("hospital"), page("station")])
    data = bytearray((root / "crawl" / "damaged.warc.gz").read_bytes())
    for i in range(offsets[1] + 40, offsets[1] + 240):
        data[i] ^= 0x55
    (root / "crawl" / "damaged.warc.gz").write_bytes(bytes(data))
    t.n_articles += 2
    t.reasons["bad_warc"] += 1


if __name__ == "__main__":
    truth = make_hostile_corpus(Path(sys.argv[1]))
    print(f"{truth.n_articles} good articles, {truth.n_bad} bad inputs: {dict(truth.reasons)}")
