"""Parse once: the day index keeps what it parsed, and the day run reads it (newsdag.parsed_files)."""

import os

import pandas as pd
import pytest

import newsdag.ingest as ingest
from newsdag.ingest import ParseOptions, file_days, parse_raw_files, scan_raw_files
from newsdag.parsed_files import ParsedFiles, parsed_dir
from tests.conftest import jsonl, write
from tests.web import article_html, http_response, story_paragraphs, write_warc


def mixed_folder(raw):
    """Every kept format and a plain-text file, with good and bad records, over several days."""
    for i in range(4):
        write(raw, f"site/page{i}.html", article_html(f"Story {i}", story_paragraphs(f"topic{i}"),
                                                      published=f"2025-03-0{1 + i % 3}T10:00:00Z"))
    write(raw, "site/empty.html", "<html><body><nav>Home</nav></body></html>")
    write(raw, "feed/a.jsonl", jsonl([{"id": "r1", "published": "2025-03-01T08:00:00Z", "text": "Record one.\n\nIts body."},
                                      {"id": "r2", "published": "2025-03-02", "text": "Record two."},
                                      {"id": "r3", "text": "Undated record."}, "{broken", {"id": "r4", "text": "   "}]))
    write(raw, "feed/b.csv", "id,published,text\nc1,2025-03-03,Comma record.\nc2,1999-01-01,Too old a record.\n")
    write(raw, "plain/c.txt", "date 2025-03-02 A plain text article.")
    write_warc(raw / "crawl" / "c.warc.gz", [
        http_response("https://news.example.com/a", article_html("Crawled", story_paragraphs("crawl"),
                                                                 published="2025-03-03T09:00:00Z").encode()),
        http_response("https://news.example.com/b", b"<html><body></body></html>"),
    ])
    os.utime(raw / "crawl" / "c.warc.gz", (1736078400, 1736078400))


def index(raw, keep=None, options=ParseOptions()):
    files = scan_raw_files(raw)
    files["days"] = file_days(raw, files, options, "2000-01-01", "2026-01-01", keep=keep)
    return files


@pytest.mark.parametrize("run_days", [None, ["2025-03-02"], ["2025-01-05", "2025-03-03"]])
def test_the_day_run_reads_the_kept_parse_and_gets_the_same_tables(raw_dir, tmp_path, run_days, monkeypatch):
    mixed_folder(raw_dir)
    keep = ParsedFiles(tmp_path / "parsed", ParseOptions())
    files = index(raw_dir, keep)
    kept_formats = files["format"].isin(ingest.KEPT_FORMATS)
    assert len(os.listdir(tmp_path / "parsed")) == kept_formats.sum() == len(files) - 1  # all but the .txt

    expected = parse_raw_files(raw_dir, index(raw_dir), ParseOptions(), run_days, "2000-01-01", "2026-01-01")
    parsed = []
    real = ingest.parse_file
    monkeypatch.setattr(ingest, "parse_file", lambda root, path, *a, **k: parsed.append(path) or real(root, path, *a, **k))
    got = parse_raw_files(raw_dir, files, ParseOptions(), run_days, "2000-01-01", "2026-01-01", keep=keep)
    pd.testing.assert_frame_equal(got[0], expected[0])
    pd.testing.assert_frame_equal(got[1], expected[1])
    assert parsed == ["plain/c.txt"] and keep.hits == kept_formats.sum()
    if run_days is None:
        assert len(got[0]) >= 8
        assert {"bad_json", "missing_text", "no_article_body", "outside_partitions"} <= set(got[1]["reason"])


def test_the_days_of_a_kept_parse_are_exact_and_within_the_days_read_only_to_their_dates(raw_dir, tmp_path):
    mixed_folder(raw_dir)
    exact = index(raw_dir, ParsedFiles(tmp_path / "parsed", ParseOptions())).set_index("raw_path")["days"]
    dates_only = index(raw_dir).set_index("raw_path")["days"]
    for path in exact.index:
        assert set(exact[path]) <= set(dates_only[path]), path
        if not path.startswith(("site/", "crawl/")):
            assert list(exact[path]) == list(dates_only[path]), path
    # A page with a body and no rejection no longer claims its first-seen day.
    assert list(exact["site/page0.html"]) == ["2025-03-01"]
    assert "2025-01-05" in dates_only["site/page0.html"]


def test_a_kept_parse_is_found_only_for_the_same_file_options_and_parser(raw_dir, tmp_path, monkeypatch):
    import newsdag.parsed_files as parsed_files

    mixed_folder(raw_dir)
    keep = ParsedFiles(tmp_path / "parsed", ParseOptions())
    files = index(raw_dir, keep).set_index("raw_path")
    sha = files.loc["feed/a.jsonl", "sha256"]
    assert keep.get("feed/a.jsonl", sha, "jsonl") is not None
    assert keep.get("feed/a.jsonl", "0" * 64, "jsonl") is None  # the file changed
    assert keep.get("feed/other.jsonl", sha, "jsonl") is None  # the same bytes elsewhere: another source, other rows
    assert ParsedFiles(tmp_path / "parsed", ParseOptions(max_record_chars=10)).get("feed/a.jsonl", sha, "jsonl") is None
    assert ParsedFiles(tmp_path / "parsed", ParseOptions(workers=4)).get("feed/a.jsonl", sha, "jsonl") is not None
    monkeypatch.setattr(parsed_files, "parser_fingerprint", lambda: "other code")
    assert ParsedFiles(tmp_path / "parsed", ParseOptions()).get("feed/a.jsonl", sha, "jsonl") is None


def test_a_damaged_entry_is_parsed_again_and_a_file_changed_after_its_scan_is_not_kept(raw_dir, tmp_path):
    mixed_folder(raw_dir)
    keep = ParsedFiles(tmp_path / "parsed", ParseOptions())
    files = index(raw_dir, keep)
    for entry in (tmp_path / "parsed").iterdir():
        entry.write_bytes(entry.read_bytes()[:100])  # a truncated write, a full disk
    expected = parse_raw_files(raw_dir, index(raw_dir), ParseOptions())
    got = parse_raw_files(raw_dir, files, ParseOptions(), keep=keep)
    assert keep.hits == 0
    pd.testing.assert_frame_equal(got[0], expected[0])

    # Scanned, then appended to before the day index parsed it: what was
    # parsed is not the version the index names, so it is not kept under it.
    fresh = ParsedFiles(tmp_path / "parsed2", ParseOptions())
    scanned = scan_raw_files(raw_dir)
    with open(raw_dir / "feed" / "a.jsonl", "a") as fh:
        fh.write('{"id": "r9", "text": "Appended."}\n')
    file_days(raw_dir, scanned, ParseOptions(), keep=fresh)
    sha = scanned.set_index("raw_path").loc["feed/a.jsonl", "sha256"]
    assert fresh.get("feed/a.jsonl", sha, "jsonl") is None
    assert fresh.get("feed/b.csv", scanned.set_index("raw_path").loc["feed/b.csv", "sha256"], "csv") is not None


def test_entries_go_when_done_with_or_when_their_file_leaves_the_index(raw_dir, tmp_path):
    mixed_folder(raw_dir)
    keep = ParsedFiles(tmp_path / "parsed", ParseOptions())
    files = index(raw_dir, keep)
    keys = list(zip(files["raw_path"], files["sha256"], files["format"]))
    n = len(os.listdir(tmp_path / "parsed"))
    (tmp_path / "parsed" / ".left-by-a-killed-writer.tmp").write_bytes(b"x")
    assert keep.keep_only(keys) == 1 and len(os.listdir(tmp_path / "parsed")) == n
    assert keep.keep_only([k for k in keys if k[0] != "feed/a.jsonl"]) == 1
    assert keep.discard([k for k in keys if k[0] == "feed/b.csv"]) == 1
    assert len(os.listdir(tmp_path / "parsed")) == n - 2


def test_the_day_index_keeps_its_parses_in_workers_with_the_same_result(raw_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MIN_FILES_PER_WORKER", 1)
    mixed_folder(raw_dir)
    one = index(raw_dir, ParsedFiles(tmp_path / "one", ParseOptions()))
    two = index(raw_dir, ParsedFiles(tmp_path / "two", ParseOptions(workers=2)), ParseOptions(workers=2))
    pd.testing.assert_series_equal(one["days"], two["days"])
    assert sorted(os.listdir(tmp_path / "one")) == sorted(os.listdir(tmp_path / "two"))
    for name in os.listdir(tmp_path / "one"):
        assert pd.read_parquet(tmp_path / "one" / name).equals(pd.read_parquet(tmp_path / "two" / name))


def test_the_kept_parses_live_beside_the_warehouse():
    assert parsed_dir("/data/warehouse") == parsed_dir("/data/warehouse/") == \
        type(parsed_dir("/x"))("/data/warehouse.parsed")
