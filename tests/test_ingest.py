import json
import os

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsdag.ingest import (
    ParseOptions,
    Rejected,
    make_article_id,
    parse_published,
    parse_raw_files,
    published_precision,
    sanitise_source,
    scan_raw_files,
    split_sentences,
)
from tests.conftest import DEMO_DIR, SAMPLE_ORIGINAL, SAMPLE_REWRITE, jsonl, write

UTC = "UTC"


def parse(raw_dir, limits=ParseOptions()):
    return parse_raw_files(raw_dir, scan_raw_files(raw_dir), limits)


# ---------------------------------------------------------------- the samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    raw = tmp_path_factory.mktemp("samples")
    for rel in (SAMPLE_ORIGINAL, SAMPLE_REWRITE):
        write(raw, rel, (DEMO_DIR / rel).read_bytes())
    articles, rejected = parse_raw_files(raw, scan_raw_files(raw))
    return articles.set_index("raw_path"), rejected


def test_samples_parse_with_date_lead_body_and_outlet(samples):
    articles, rejected = samples
    assert rejected.empty
    assert len(articles) == 2
    orig, rewrite = articles.loc[SAMPLE_ORIGINAL], articles.loc[SAMPLE_REWRITE]
    assert orig["published"] == pd.Timestamp("2025-02-13", tz=UTC)
    assert pd.isna(rewrite["published"])
    assert (orig["source"], rewrite["source"]) == ("world-desk", "rewrite-farm")  # their folders
    assert orig["lead"].startswith("U.S. President Donald Trump announced on Wednesday")
    assert orig["lead"].endswith("about the possibility of a peace deal.")
    assert "date 2025" not in orig["text"]
    assert orig["body"].startswith("Almost three years after Russia invaded Ukraine")
    assert orig["body"].endswith("not confrontation")
    assert orig["title"] == (
        "U.S. President Donald Trump announced on Wednesday that he has initiated peace talks between Russia "
        "and Ukraine, following phone calls with both Russian President Vladimir Putin and Ukrainian President "
        "Volodymyr Zelenskyy."
    )
    assert orig["text"] == orig["lead"] + "\n\n" + orig["body"]
    assert "had a 'lengthy and highly productive phone call'" in orig["text"]
    assert rewrite["lead"].startswith("U.S. President Donald Trump announces peace talks")
    assert rewrite["body"].count("\n\n") == 1  # two body paragraphs
    assert "without delay. While Trump" in rewrite["text"]
    assert orig["n_words"] > 500 and rewrite["n_words"] > 350
    assert pd.isna(orig["duplicate_of"]) and pd.isna(rewrite["duplicate_of"])


def test_sample_ids_are_stable(samples, tmp_path):
    # The id scheme is part of the public interface: changing it renames every
    # article in every user's warehouse. At the raw root (outlet unknown), the
    # samples keep the ids they had when they were bundled there.
    articles, _ = samples
    assert articles.loc[SAMPLE_ORIGINAL, "article_id"] == "4525257335715379"
    assert articles.loc[SAMPLE_REWRITE, "article_id"] == "70270c96a61f22cd"
    for rel in (SAMPLE_ORIGINAL, SAMPLE_REWRITE):
        write(tmp_path, rel.split("/")[1], (DEMO_DIR / rel).read_bytes())
    at_root = parse_raw_files(tmp_path, scan_raw_files(tmp_path))[0].set_index("raw_path")["article_id"]
    assert at_root.to_dict() == {"000_d65d34d2b4cb9f75.txt": "147c93807c2b9bc3", "001_91ce0b1b10050e19.txt": "10fac091ca84e9b3"}


def test_sample_sentences_round_trip(samples):
    articles, _ = samples
    sents = split_sentences(articles.reset_index())
    texts = articles.set_index("article_id")["text"]
    for row in sents.itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.text
    orig_id = articles.loc[SAMPLE_ORIGINAL, "article_id"]
    orig = sents[sents.article_id == orig_id]
    assert list(orig.sent_idx) == list(range(len(orig)))
    assert 15 <= len(orig) <= 25
    assert orig.iloc[0].text == articles.loc[SAMPLE_ORIGINAL, "title"]


# ---------------------------------------------------------------- text files


def test_outlet_is_first_folder_and_date_line_optional(raw_dir):
    write(raw_dir, "bbc/2025/a.txt", "  date 2025-03-01 Lead para here.\n\nBody here.")
    write(raw_dir, "root.txt", "Lead without a date.\n\nBody.")
    write(raw_dir, "cnn/b.txt", "date of birth is a phrase. Not a date line.")
    articles, rejected = parse(raw_dir)
    assert rejected.empty
    a = articles.set_index("raw_path")
    assert a.loc["bbc/2025/a.txt", "source"] == "bbc"
    assert a.loc["bbc/2025/a.txt", "published"] == pd.Timestamp("2025-03-01", tz=UTC)
    assert a.loc["bbc/2025/a.txt", "lead"] == "Lead para here."
    assert a.loc["root.txt", "source"] == "unknown"
    assert a.loc["cnn/b.txt", "lead"].startswith("date of birth")
    assert pd.isna(a.loc["cnn/b.txt", "published"])


def test_same_text_two_outlets_is_two_articles_linked_by_duplicate_of(raw_dir):
    write(raw_dir, "reuters/x.txt", "date 2025-01-01 Wire copy lead.\n\nBody of the wire story.")
    write(raw_dir, "local/y.jsonl", jsonl([{"published": "2025-01-01T18:00:00Z", "text": "Wire copy lead.\n\nBody of the wire story."}]))
    write(raw_dir, "later/z.txt", "date 2025-01-02 Wire copy lead.\n\nBody of the wire story.")
    articles, _ = parse(raw_dir)
    a = articles.set_index("source")
    assert a.loc["reuters", "article_id"] != a.loc["local", "article_id"]
    assert pd.isna(a.loc["reuters", "duplicate_of"])
    assert a.loc["local", "duplicate_of"] == a.loc["reuters", "article_id"]
    # Within a day only: a day's partition does not depend on other days (overlap links the copies).
    assert pd.isna(a.loc["later", "duplicate_of"])


def test_same_record_twice_is_one_article(raw_dir):
    rec = {"id": "r1", "source": "AP", "published": "2025-01-01T10:00:00Z", "title": "T", "text": "Same text."}
    write(raw_dir, "feeds/a.jsonl", jsonl([rec, rec]))
    articles, rejected = parse(raw_dir)
    assert len(articles) == 1
    assert list(rejected.reason) == ["duplicate_record"]


# ---------------------------------------------------------------- feeds


RECORDS = [
    {"id": "1", "source": "Reuters", "published": "2025-02-13T12:30:00Z", "title": "Talks", "text": "Para one.\n\nPara two.", "url": "https://x/1"},
    {"id": 2, "outlet": "AP", "date": "2025-02-13", "headline": "H", "body": "Body text."},
    {"id": "3", "publisher": "BBC", "timestamp": 1739449800000, "content": "Content text."},
    {"id": "4", "source": "DW", "published": "2025-02-13T13:30:00+01:00", "text": "Offset time."},
]


def check_records(articles):
    a = articles.set_index("external_id")
    assert set(a.index) == {"1", "2", "3", "4"}
    assert a.loc["1", "source"] == "Reuters" and a.loc["1", "url"] == "https://x/1"
    assert a.loc["1", "title"] == "Talks" and a.loc["1", "lead"] == "Para one." and a.loc["1", "body"] == "Para two."
    assert a.loc["1", "published"] == pd.Timestamp("2025-02-13 12:30", tz=UTC)
    assert a.loc["2", "source"] == "AP" and a.loc["2", "title"] == "H" and a.loc["2", "text"] == "Body text."
    assert a.loc["3", "source"] == "BBC" and a.loc["3", "published"] == pd.Timestamp(1739449800000, unit="ms", tz=UTC)
    assert a.loc["3", "title"] == "Content text."  # no title: the first sentence of the lead
    assert a.loc["4", "published"] == pd.Timestamp("2025-02-13 12:30", tz=UTC)
    assert str(articles["published"].dtype) == "datetime64[ns, UTC]"
    # Record 2 gives a date without a time: its time of day is unknown, not midnight.
    assert a["published_precision"].to_dict() == {"1": "time", "2": "day", "3": "time", "4": "time"}


def test_jsonl_feed_with_aliases(raw_dir):
    write(raw_dir, "feeds/day.jsonl", jsonl(RECORDS))
    articles, rejected = parse(raw_dir)
    assert rejected.empty
    check_records(articles)
    assert sorted(articles.raw_line) == [1, 2, 3, 4]


def test_jsonl_records_may_hold_unicode_line_separators(raw_dir):
    text = "First part\u0085second part\u2028third part."
    write(raw_dir, "f.jsonl", "\r\n".join(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) for i in range(2)))
    articles, rejected = parse(raw_dir)
    assert rejected.empty and len(articles) == 2


def test_json_array_feed(raw_dir):
    write(raw_dir, "feeds/day.json", json.dumps({"articles": RECORDS}))
    articles, rejected = parse(raw_dir)
    assert rejected.empty
    check_records(articles)


def test_csv_feed(raw_dir):
    rows = [{"id": r["id"], "source": r.get("source") or r.get("outlet") or r.get("publisher"),
             "published": r.get("published") or r.get("date") or r.get("timestamp"),
             "title": r.get("title") or r.get("headline") or "",
             "text": r.get("text") or r.get("body") or r.get("content"), "url": r.get("url", "")} for r in RECORDS]
    pd.DataFrame(rows).to_csv(raw_dir / "day.csv", index=False)
    articles, rejected = parse(raw_dir)
    assert rejected.empty, rejected
    a = articles.set_index("external_id")
    assert a.loc["3", "published"] == pd.Timestamp(1739449800000, unit="ms", tz=UTC)
    assert a.loc["1", "body"] == "Para two."
    assert a.loc["3", "url"] is None


def test_parquet_feed(raw_dir):
    df = pd.DataFrame([{"id": "1", "source": "Reuters", "published": pd.Timestamp("2025-02-13 12:30", tz=UTC), "title": "Talks", "text": "Para one.\n\nPara two."},
                       {"id": "3", "source": "BBC", "published": None, "title": None, "text": "Content text."}])
    pq.write_table(pa.Table.from_pandas(df), raw_dir / "feed.parquet")
    articles, rejected = parse(raw_dir)
    assert rejected.empty
    a = articles.set_index("external_id")
    assert a.loc["1", "published"] == pd.Timestamp("2025-02-13 12:30", tz=UTC)
    assert pd.isna(a.loc["3", "published"])


@pytest.mark.parametrize("value, expected", [
    ("2025-02-13", "2025-02-13T00:00:00+00:00"),
    ("2025-02-13T10:00:00Z", "2025-02-13T10:00:00+00:00"),
    ("2025-02-13T10:00:00-05:00", "2025-02-13T15:00:00+00:00"),
    ("Thu, 13 Feb 2025 10:00:00 +0000", "2025-02-13T10:00:00+00:00"),
    (1739440800000, "2025-02-13T10:00:00+00:00"),
    ("1739440800000", "2025-02-13T10:00:00+00:00"),
    (1739440800, "2025-02-13T10:00:00+00:00"),
])
def test_parse_published_formats(value, expected):
    assert parse_published(value).isoformat() == expected


@pytest.mark.parametrize("value, published_from, expected", [
    ("2025-02-13", "record", "day"), (" 20250213 ", "date_line", "day"), ("2025-02-13T00:00:00Z", "record", "time"),
    ("Thu, 13 Feb 2025 00:00:00 +0000", "record", "time"), (1739440800000, "record", "time"),
    (pd.Timestamp("2025-02-13").date(), "record", "day"), (pd.Timestamp("2025-02-13", tz=UTC), "page_date", "day"),
    (pd.Timestamp("2025-02-13", tz=UTC), "page_time", "time"),
])
def test_published_precision_says_when_only_a_day_was_given(value, published_from, expected):
    assert published_precision(value, published_from) == expected


@pytest.mark.parametrize("value, reason", [
    ("yesterday", "bad_date"), ("2025-13-45", "bad_date"), (True, "bad_date"),
    ("0099-01-01", "date_out_of_range"), ("2999-01-01", "date_out_of_range"), (float("inf"), "bad_date"),
])
def test_parse_published_rejects(value, reason):
    with pytest.raises(Rejected) as e:
        parse_published(value)
    assert e.value.reason == reason


# ---------------------------------------------------------------- bad input


def test_bad_inputs_are_rejected_with_reasons_and_good_ones_survive(raw_dir):
    write(raw_dir, "good/ok.txt", "date 2025-01-01 A good lead.\n\nA good body.")
    write(raw_dir, "bad/binary.txt", bytes(range(256)) * 4)
    write(raw_dir, "bad/empty.txt", "")
    write(raw_dir, "bad/blank.txt", "  \n\t\n ")
    write(raw_dir, "bad/undecodable.txt", b"\xff\xfe\xfd" + "x".encode("utf-16-le") + b"\xd8\x00")
    write(raw_dir, "bad/baddate.txt", "date 2025-13-45 Lead with an impossible date.")
    write(raw_dir, "bad/image.png", b"\x89PNG\r\n\x1a\n")
    write(raw_dir, "feeds/mixed.jsonl", jsonl([
        {"id": "a", "text": "Good one.", "published": "2025-01-01"},
        "{not json",
        {"id": "b", "title": "no text field"},
        [1, 2, 3],
        {"id": "c", "text": "Bad date.", "published": "someday"},
        {"id": "d", "text": "Good two."},
        {"id": "e", "text": "Future.", "published": "2999-01-01"},
    ]))
    write(raw_dir, "feeds/notext.csv", "id,title\n1,Only a title\n")
    write(raw_dir, "feeds/rows.csv", 'id,text\n1,"Good csv row."\n2,"extra",field\n3,"Another good row."\n')
    write(raw_dir, "feeds/deep.json", "[" * 100_000 + "]" * 100_000)
    write(raw_dir, "feeds/broken.parquet", b"PAR1 not really parquet")
    write(raw_dir, "latin1.txt", "Caf\xe9 au lait \xe0 Paris, d\xe9j\xe0 vu. " .encode("latin-1") * 5)
    write(raw_dir, "utf16.txt", "date 2025-01-02 Unicode lead \u00e9.\n\nBody.".encode("utf-16"))

    articles, rejected = parse(raw_dir)
    reasons = {(r.raw_path, None if pd.isna(r.line) else int(r.line)): r.reason for r in rejected.itertuples()}
    assert reasons == {
        ("bad/binary.txt", None): "binary",
        ("bad/empty.txt", None): "empty",
        ("bad/blank.txt", None): "empty",
        ("bad/undecodable.txt", None): reasons.get(("bad/undecodable.txt", None)),
        ("bad/baddate.txt", None): "bad_date",
        ("bad/image.png", None): "unsupported_format",
        ("feeds/mixed.jsonl", 2): "bad_json",
        ("feeds/mixed.jsonl", 3): "missing_text",
        ("feeds/mixed.jsonl", 4): "bad_record",
        ("feeds/mixed.jsonl", 5): "bad_date",
        ("feeds/mixed.jsonl", 7): "date_out_of_range",
        ("feeds/notext.csv", 1): "missing_text",
        ("feeds/rows.csv", 2): "bad_csv_row",
        ("feeds/deep.json", None): "bad_json",
        ("feeds/broken.parquet", None): "bad_parquet",
    }
    assert reasons[("bad/undecodable.txt", None)] in {"undecodable", "binary"}
    assert all(rejected.detail.str.len() > 0)
    by_path = articles.groupby("raw_path").size().to_dict()
    assert by_path == {"good/ok.txt": 1, "feeds/mixed.jsonl": 2, "feeds/rows.csv": 2, "latin1.txt": 1, "utf16.txt": 1}
    assert "Café au lait à Paris" in articles.set_index("raw_path").loc["latin1.txt", "text"]
    assert articles.set_index("raw_path").loc["utf16.txt", "published"] == pd.Timestamp("2025-01-02", tz=UTC)


def test_limits_reject_oversized_files_and_records(raw_dir):
    write(raw_dir, "big.txt", "word " * 1000)
    write(raw_dir, "feed.jsonl", jsonl([{"id": "1", "text": "x" * 500}, {"id": "2", "text": "short"}]))
    articles, rejected = parse(raw_dir, ParseOptions(max_file_bytes=2000, max_record_chars=100))
    assert sorted(zip(rejected.raw_path, rejected.reason)) == [("big.txt", "too_large"), ("feed.jsonl", "too_large")]
    assert list(articles.external_id) == ["2"]


def test_links_outside_the_raw_root_are_not_read(raw_dir, tmp_path):
    secret = write(tmp_path, "outside/secret.txt", "Secret text that must not be read.")
    os.symlink(secret, raw_dir / "link.txt")
    os.symlink(secret.parent, raw_dir / "linkdir")
    write(raw_dir, "ok.txt", "Fine.")
    files = scan_raw_files(raw_dir)
    assert files.set_index("raw_path").loc["link.txt", "sha256"] is None
    articles, rejected = parse(raw_dir)
    assert list(articles.raw_path) == ["ok.txt"]
    assert set(zip(rejected.raw_path, rejected.reason)) == {("link.txt", "outside_raw_root"), ("linkdir", "outside_raw_root")}
    assert not articles.text.str.contains("Secret").any()


def test_raw_files_inventory(raw_dir):
    p = write(raw_dir, "bbc/a.txt", "Hello.")
    write(raw_dir, "b.jsonl", jsonl([{"text": "x"}]))
    files = scan_raw_files(raw_dir)
    assert list(files.raw_path) == ["b.jsonl", "bbc/a.txt"]
    assert list(files.format) == ["jsonl", "text"]
    assert list(files.source) == ["unknown", "bbc"]
    row = files.iloc[1]
    import hashlib
    assert row.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert row.size_bytes == 6
    assert str(files.modified.dtype).endswith("UTC]")


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        scan_raw_files(tmp_path / "nope")


def test_sanitise_source():
    assert sanitise_source("../etc") == "_etc"
    assert sanitise_source("-rf") == "rf"
    assert sanitise_source("  ") == "unknown"
    assert sanitise_source("Le Monde") == "Le Monde"
    assert sanitise_source("a/b\x00c") == "a_b_c"


def test_article_id_depends_on_source_key_and_text():
    base = make_article_id("bbc", "a.txt", "Text.")
    assert len(base) == 16 and int(base, 16) >= 0
    assert base == make_article_id("bbc", "a.txt", "Text.")
    assert len({base, make_article_id("cnn", "a.txt", "Text."), make_article_id("bbc", "b.txt", "Text."),
                make_article_id("bbc", "a.txt", "Text!")}) == 4


def test_a_rescan_of_unchanged_files_has_the_same_content_hash(raw_dir, tmp_path):
    from newsdag.storage import content_hash, to_arrow

    write(raw_dir, "a.txt", "Some text.", mtime=1736078400.123456789)
    first = scan_raw_files(raw_dir)
    first["days"] = [["2025-01-05"]]
    stored = to_arrow(first, "raw_files").to_pandas()  # as the next scan reads it back
    again = scan_raw_files(raw_dir, stored)
    again["days"] = stored["days"]
    assert (again["first_seen"] == first["first_seen"]).all()
    # Unchanged files, unchanged data version: downstream stays fresh.
    assert content_hash(again) == content_hash(first)


def test_a_rescan_hashes_only_the_files_that_may_have_changed(raw_dir, monkeypatch):
    import newsdag.ingest as ingest

    old = 1736078400.0  # 2025-01-05, long before the scans below
    write(raw_dir, "a/kept.txt", "Kept text.", mtime=old)
    write(raw_dir, "a/resized.txt", "Short.", mtime=old)
    write(raw_dir, "a/same-size.txt", "Before.", mtime=old)
    write(raw_dir, "a/racy.txt", "Racy one.", mtime=old + 100)
    first = to_stored(scan_raw_files(raw_dir))
    hashed = []
    real = ingest._sha256_file
    monkeypatch.setattr(ingest, "_sha256_file", lambda path: hashed.append(path.name) or real(path))

    write(raw_dir, "a/resized.txt", "Longer now.", mtime=old)  # same time, new size
    write(raw_dir, "a/same-size.txt", "Changed", mtime=old + 60)  # same size, new time
    write(raw_dir, "a/racy.txt", "Racy two.", mtime=old + 100)  # same size and time: only the scan time tells
    write(raw_dir, "a/new.txt", "New file.", mtime=old)
    # The first scan began a second after racy.txt was (last) modified:
    # within RACY_SECONDS, so racy.txt is hashed again; kept.txt was modified
    # long before it and is not.
    with_racy = pd.Timestamp(old + 101, unit="s", tz=UTC)
    again = scan_raw_files(raw_dir, first, previous_scan_started=with_racy)
    assert sorted(hashed) == ["new.txt", "racy.txt", "resized.txt", "same-size.txt"]
    fresh = scan_raw_files(raw_dir)  # every file hashed
    pd.testing.assert_series_equal(again["sha256"], fresh["sha256"])
    assert (again["sha256"] != first.set_index("raw_path")["sha256"].reindex(again["raw_path"]).values).sum() == 4

    # A scan begun long after: only the files whose size or time changed are read.
    hashed.clear()
    scan_raw_files(raw_dir, to_stored(again), previous_scan_started=pd.Timestamp("2026-01-01", tz=UTC))
    assert hashed == []
    write(raw_dir, "a/kept.txt", "Kept text!", mtime=old + 5)
    scan_raw_files(raw_dir, to_stored(again), previous_scan_started=pd.Timestamp("2026-01-01", tz=UTC))
    assert hashed == ["kept.txt"]
    # Without the time the previous scan began, every file is hashed.
    hashed.clear()
    scan_raw_files(raw_dir, to_stored(again))
    assert len(hashed) == 5


def to_stored(scan: pd.DataFrame) -> pd.DataFrame:
    """A scan as the next one reads it back from raw_files."""
    from newsdag.storage import to_arrow

    return to_arrow(scan.assign(days=[[] for _ in range(len(scan))]), "raw_files").to_pandas()


# ---------------------------------------------------------------- a live raw folder


def test_a_file_name_that_is_not_utf8_is_kept_byte_safe(raw_dir, tmp_path):
    name = os.fsdecode(b"caf\xe9-latin1-name.txt")  # a Latin-1 byte in a name: not UTF-8
    write(raw_dir, f"bbc/{name}", "date 2025-01-05 A story whose file name is not UTF-8.")
    write(raw_dir, "bbc/plain.txt", "date 2025-01-05 A story with a plain name.")
    files = scan_raw_files(raw_dir)
    assert "bbc/caf\\xe9-latin1-name.txt" in set(files.raw_path)
    articles, rejected = parse_raw_files(raw_dir, files)
    assert rejected.empty and len(articles) == 2
    assert "bbc/caf\\xe9-latin1-name.txt" in set(articles.raw_path)
    # The tables take it: Parquet strings are UTF-8.
    from newsdag.storage import read_table, write_table
    write_table(files.assign(days=[["2025-01-05"]] * len(files)), tmp_path / "wh", "raw_files")
    assert len(read_table(tmp_path / "wh", "raw_files")) == 2


def test_files_that_vanish_during_a_scan_or_before_parsing(raw_dir, monkeypatch):
    import newsdag.ingest as ingest

    write(raw_dir, "bbc/a.txt", "Lead a.")
    write(raw_dir, "bbc/b.txt", "Lead b.")
    real_walk = ingest._walk_files
    # A crawler's temporary file, listed and gone before it is looked at.
    monkeypatch.setattr(ingest, "_walk_files", lambda root: iter([*real_walk(root), raw_dir / "bbc" / "c.txt.part"]))
    files = scan_raw_files(raw_dir)
    assert list(files.raw_path) == ["bbc/a.txt", "bbc/b.txt"]
    (raw_dir / "bbc" / "b.txt").unlink()  # gone between the scan and parsing
    articles, rejected = parse_raw_files(raw_dir, files)
    assert list(articles.raw_path) == ["bbc/a.txt"]
    assert list(zip(rejected.raw_path, rejected.reason)) == [("bbc/b.txt", "unreadable")]


def test_a_folder_that_cannot_be_listed_is_rejected_not_lost(raw_dir, monkeypatch):
    import newsdag.ingest as ingest

    write(raw_dir, "bbc/a.txt", "Lead a.")
    write(raw_dir, "locked/b.txt", "Lead b.")
    real_walk = os.walk

    def walk(top, onerror=None, **kw):
        # What os.walk does for a folder it may not read (root reads every
        # folder, so the test cannot use permissions).
        for dirpath, dirnames, filenames in real_walk(top, onerror=onerror, **kw):
            if "locked" in dirnames:
                dirnames.remove("locked")
                onerror(PermissionError(13, "Permission denied", os.path.join(dirpath, "locked")))
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(ingest.os, "walk", walk)
    files = scan_raw_files(raw_dir)
    assert sorted(files.raw_path) == ["bbc/a.txt", "locked"]
    articles, rejected = parse_raw_files(raw_dir, files)
    assert list(articles.raw_path) == ["bbc/a.txt"]
    assert rejected.set_index("raw_path").loc["locked", "reason"] == "unreadable"
    assert "cannot list" in rejected.set_index("raw_path").loc["locked", "detail"]


def test_smaller_hostile_cases_get_the_right_reasons(raw_dir):
    os.symlink("loop", raw_dir / "loop")
    write(raw_dir, "enc/utf16-no-bom.txt", "Café story saved as UTF-16 without a byte-order mark.".encode("utf-16-le"))
    write(raw_dir, "feed.jsonl", jsonl([
        {"id": "d", "text": "Compact date.", "published": "20240502"},
        {"id": "s", "text": "Two publishers.", "source": ["Reuters", "AP"]},
    ]))
    articles, rejected = parse(raw_dir)
    assert dict(zip(rejected.raw_path, rejected.reason)) == {"loop": "link_loop"}
    by_id = articles.set_index("external_id")
    assert by_id.loc["d", "published"] == pd.Timestamp("2024-05-02", tz="UTC")
    assert by_id.loc["s", "source"] == "Reuters"
    assert "Café story" in articles.set_index("raw_path").loc["enc/utf16-no-bom.txt", "text"]


def test_the_same_tables_for_one_two_and_four_workers(raw_dir):
    from newsdag.ingest import file_days
    from tests.web import article_html, story_paragraphs

    for i in range(24):
        write(raw_dir, f"site/page{i}.html", article_html(f"Story {i}", story_paragraphs(f"topic{i}"),
                                                          published=f"2025-03-{1 + i % 5:02d}T10:00:00Z"))
        write(raw_dir, f"feed/f{i}.jsonl", jsonl([{"id": f"r{i}", "published": f"2025-03-0{1 + i % 3}", "text": f"Record {i}."},
                                                   "{broken"]))
    files = scan_raw_files(raw_dir)
    for run_days in (None, ["2025-03-02", "2025-03-03"]):  # every day, and a run of two (pages filtered by day)
        results = []
        for workers in (1, 2, 4):
            options = ParseOptions(workers=workers)
            days = file_days(raw_dir, files, options)
            articles, rejected = parse_raw_files(raw_dir, files.assign(days=days), options, days=run_days)
            results.append((days, articles, rejected))
        for days, articles, rejected in results[1:]:
            pd.testing.assert_series_equal(days, results[0][0])
            pd.testing.assert_frame_equal(articles, results[0][1])
            pd.testing.assert_frame_equal(rejected, results[0][2])
        assert len(results[0][1]) > 10
        assert (results[0][2].reason == "bad_json").any() == (run_days is None)
