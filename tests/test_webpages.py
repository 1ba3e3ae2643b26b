"""Saved web pages and WARC files: bodies without boilerplate, metadata, outlets, lineage, damage."""

import gzip
import os
import zlib

import pandas as pd
import pytest

from newsdag.ingest import ParseOptions, file_days, file_format, outlet_of_page, parse_raw_files, read_host_outlets, scan_raw_files
from newsdag.warc import iter_warc
from newsdag.webpages import drop_headline, page_metadata, parse_html, url_host
from tests.conftest import materialize_all, write
from tests.web import BOILERPLATE, article_html, http_response, story_paragraphs, write_warc


def parse(raw, options=ParseOptions()):
    files = scan_raw_files(raw)
    files["days"] = file_days(raw, files, options)
    return parse_raw_files(raw, files, options)


def test_formats_from_file_names():
    assert [file_format(p) for p in ["a.html", "b/c.HTM", "d.xhtml", "e.html.gz", "f.htm.gz", "g.warc", "h.warc.gz",
                                     "i.gz", "j.warc.gzip"]] == \
        ["html", "html", "html", "html", "html", "warc", "warc", "unsupported", "unsupported"]


def test_page_metadata_with_time_zone_canonical_url_and_author():
    page = page_metadata(parse_html(article_html("Council approves tram plan", story_paragraphs("tram"))))
    assert page.title == "Council approves tram plan"
    assert page.published_time == "2025-03-04T23:10:00+01:00"
    assert page.url == "https://www.example-news.com/2025/03/04/story"
    assert page.author == "Jane Reporter"
    # Open Graph's article:published_time when there is no JSON-LD.
    page = page_metadata(parse_html(article_html("T", story_paragraphs("x"), jsonld=False,
                                                 published="2025-01-02T03:04:05Z")))
    assert page.published_time == "2025-01-02T03:04:05Z"


def test_html_article_has_no_boilerplate_and_keeps_its_metadata(raw_dir):
    write(raw_dir, "example/story.html", article_html("Council approves tram plan", story_paragraphs("tram")))
    articles, rejected = parse(raw_dir)
    assert rejected.empty
    (a,) = articles.itertuples()
    for name, text in BOILERPLATE.items():
        assert text not in a.text, name
    for p in story_paragraphs("tram"):
        assert p in a.text
    assert a.title == "Council approves tram plan"
    assert not a.text.startswith("Council approves")  # the headline is the title's, not the lead's
    assert a.published == pd.Timestamp("2025-03-04T22:10:00Z") and a.published_from == "page_time"
    assert a.day == "2025-03-04"  # 23:10 at UTC+1 is 22:10 UTC
    assert a.url == "https://www.example-news.com/2025/03/04/story" and a.author == "Jane Reporter"
    assert a.source == "example"  # an outlet folder names the outlet, as for every format
    assert pd.isna(a.raw_line) and pd.isna(a.raw_offset)


def test_outlet_of_pages_at_the_root_in_host_folders_and_by_mapping(raw_dir, tmp_path):
    write(raw_dir, "root.html", article_html("A", story_paragraphs("bridge"), canonical="https://www.Daily-Planet.com/a"))
    write(raw_dir, "www.gazette.co.uk/news/b.html.gz",
          gzip.compress(article_html("B", story_paragraphs("school"), canonical="https://news.gazette.co.uk/b").encode()))
    write(raw_dir, "no-url.html", article_html("C", story_paragraphs("park"), canonical=None))
    articles, rejected = parse(raw_dir)
    assert rejected.empty
    assert dict(zip(articles.raw_path, articles.source)) == {
        "root.html": "daily-planet.com", "www.gazette.co.uk/news/b.html.gz": "news.gazette.co.uk", "no-url.html": "unknown"}
    mapping = tmp_path / "outlets.csv"
    mapping.write_text("host,outlet\ngazette.co.uk,The Gazette\nwww.daily-planet.com,Daily Planet\n")
    options = ParseOptions(host_outlets=read_host_outlets(mapping))
    articles, _ = parse(raw_dir, options)
    assert set(articles.source) == {"Daily Planet", "The Gazette", "unknown"}
    assert outlet_of_page("x.warc.gz", "https://sub.news.gazette.co.uk/x", options.host_outlets, True) == "The Gazette"
    assert url_host("http://WWW.Example.com:8080/x") == "example.com" and url_host("not a url") is None


def test_drop_headline_only_when_the_first_line_is_the_title():
    assert drop_headline("Big news\nFirst paragraph.", "Big  News") == "First paragraph."
    assert drop_headline("First paragraph.\nSecond.", "Big news") == "First paragraph.\nSecond."


def _crawl_records():
    good = article_html("Harbour reopens", story_paragraphs("harbour"), canonical="https://www.port-times.com/harbour")
    undated = article_html("Library expands", story_paragraphs("library"), published=None,
                           canonical="https://www.port-times.com/library")
    chunked = gzip.compress(article_html("Museum opens", story_paragraphs("museum"),
                                         canonical="https://www.city-post.org/museum").encode())
    chunked_body = f"{len(chunked):x}\r\n".encode() + chunked + b"\r\n0\r\n\r\n"
    return [
        {"type": "request", "url": "https://www.port-times.com/harbour", "body": b"GET /harbour HTTP/1.1\r\n\r\n"},
        http_response("https://www.port-times.com/harbour", good.encode()),
        {"type": "metadata", "url": "https://www.port-times.com/harbour", "body": b"outlinks: 3\r\n"},
        http_response("https://www.port-times.com/library", undated.encode()),
        http_response("https://www.port-times.com/gone", b"<html>Not found</html>", status="404 Not Found"),
        http_response("https://www.port-times.com/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"),
        {"type": "revisit", "url": "https://www.port-times.com/harbour"},
        http_response("https://www.city-post.org/museum", chunked_body,
                      headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
        http_response("https://www.city-post.org/nav", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
        http_response("https://www.city-post.org/br", b"\x1b\x00\x00", headers=[("Content-Encoding", "br")]),
    ]


@pytest.mark.parametrize("compressed", [True, False])
def test_warc_records_become_articles_or_rejections_with_offsets(raw_dir, compressed):
    name = "crawls/day1.warc.gz" if compressed else "crawls/day1.warc"
    offsets = write_warc(raw_dir / name, _crawl_records(), gzip=compressed)
    articles, rejected = parse(raw_dir)
    by_url = articles.set_index("url")
    assert sorted(by_url.index) == ["https://www.city-post.org/museum", "https://www.port-times.com/harbour",
                                    "https://www.port-times.com/library"]
    harbour = by_url.loc["https://www.port-times.com/harbour"]
    assert harbour.source == "port-times.com"  # a WARC's outlets come from its hosts, not its folder
    assert harbour.published_from == "page_time" and harbour.raw_offset == offsets[1] and harbour.raw_line == 1
    assert harbour.external_id.startswith("<urn:uuid:")  # the WARC-Record-ID
    for text in BOILERPLATE.values():
        assert text not in harbour.text
    library = by_url.loc["https://www.port-times.com/library"]
    assert library.published_from in ("warc_date", "page_date")
    assert by_url.loc["https://www.city-post.org/museum"].source == "city-post.org"  # chunked and gzip undone
    reasons = dict(zip(rejected.reason, rejected.offset))
    assert reasons == {"warc_http_status": offsets[4], "warc_not_html": offsets[5], "warc_revisit": offsets[6],
                       "no_article_body": offsets[8], "unsupported_encoding": offsets[9]}
    assert rejected.line.notna().all()
    # A user finds a record again from the row: its offset starts a WARC record.
    data = (raw_dir / name).read_bytes()[int(harbour.raw_offset):]
    head = zlib.decompressobj(31).decompress(data) if compressed else data
    assert head.startswith(b"WARC/1") and b"WARC-Target-URI: https://www.port-times.com/harbour" in head[:2000]


def test_damaged_warcs_keep_their_good_records(raw_dir, tmp_path):
    records = [http_response(f"https://www.port-times.com/{t}", article_html(t.title(), story_paragraphs(t)).encode())
               for t in ["harbour", "library", "museum", "bridge", "school"]]

    def crawl(name):  # each file its own records (WARC-Record-IDs): the same record twice is one article
        offsets = write_warc(tmp_path / name, records)
        return bytearray((tmp_path / name).read_bytes()), offsets

    # Cut inside the last record's header, and inside the last record's body.
    data, offsets = crawl("cut")
    write(raw_dir, "cut.warc.gz", bytes(data[: offsets[4] + 200]))
    data, offsets = crawl("cut-body")
    write(raw_dir, "cut-body.warc", gzip.decompress(bytes(data))[:-400])
    # A damaged gzip member in the middle (the third record's).
    data, broken_offsets = crawl("broken")
    for i in range(broken_offsets[2] + 40, broken_offsets[2] + 240):
        data[i] ^= 0x55
    write(raw_dir, "broken.warc.gz", bytes(data))
    # Garbage after the last record.
    data, _ = crawl("trailing")
    write(raw_dir, "trailing.warc.gz", bytes(data) + b"this is not a WARC record" * 10)
    articles, rejected = parse(raw_dir)
    got = articles.groupby("raw_path").size().to_dict()
    assert got == {"cut.warc.gz": 4, "cut-body.warc": 4, "broken.warc.gz": 4, "trailing.warc.gz": 5}
    why = rejected.groupby("raw_path")["reason"].apply(sorted).to_dict()
    assert why == {"cut.warc.gz": ["warc_truncated"], "cut-body.warc": ["warc_truncated"],
                   "broken.warc.gz": ["bad_warc"], "trailing.warc.gz": ["bad_warc"]}
    assert rejected.set_index("raw_path").loc["broken.warc.gz", "offset"] == broken_offsets[2]


def test_iter_warc_streams_without_reading_oversized_records(tmp_path):
    big = b"<html><body>" + b"<p>word </p>" * 300_000 + b"</body></html>"
    write_warc(tmp_path / "big.warc.gz", [http_response("https://a.com/big", big),
                                          http_response("https://a.com/small", b"<html><p>hi</p></html>")])
    pages = list(iter_warc(tmp_path / "big.warc.gz", max_page_bytes=1_000_000))
    assert [p.reason for p in pages] == ["too_large", None]
    assert pages[0].html is None


def test_hostile_pages_are_quarantined_with_reasons(raw_dir):
    good = story_paragraphs("ferry")
    write(raw_dir, "bad/binary.html", bytes(range(256)) * 40)
    write(raw_dir, "bad/empty.html", b"")
    write(raw_dir, "bad/huge.html", "<html><body>" + "<p>big page</p>" * 200_000 + "</body></html>")
    write(raw_dir, "bad/nav-only.html", "<html><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav></body></html>")
    write(raw_dir, "bad/broken.html.gz", gzip.compress(article_html("Cut", good).encode())[:300])
    # Malformed markup still gives its article.
    write(raw_dir, "ok/malformed.html", "<html><head><title>Ferry</title><body><article><p>" + "<p>".join(good)
          + "<div><span></b></i></article></html")
    # A page declaring UTF-8 but saved in Windows-1252: decoded as what it is.
    write(raw_dir, "ok/cp1252.html", article_html("Café reopens", [p.replace("council", "café council") for p in good],
                                                  charset="utf-8").encode("cp1252"))
    articles, rejected = parse(raw_dir, ParseOptions(max_page_bytes=1_000_000))
    assert dict(zip(rejected.raw_path, rejected.reason)) == {
        "bad/binary.html": "binary", "bad/empty.html": "empty", "bad/huge.html": "too_large",
        "bad/nav-only.html": "no_article_body", "bad/broken.html.gz": "bad_gzip"}
    assert sorted(articles.raw_path) == ["ok/cp1252.html", "ok/malformed.html"]
    assert "café council" in articles.set_index("raw_path").loc["ok/cp1252.html", "text"]


def test_a_warc_feeding_many_days_lands_each_page_on_its_day(raw_dir):
    records = [http_response(f"https://www.port-times.com/{i}",
                             article_html(f"Story {i}", story_paragraphs(f"topic{i}"),
                                          published=f"2025-03-{1 + i:02d}T10:00:00Z").encode()) for i in range(4)]
    write_warc(raw_dir / "crawl.warc.gz", records)
    files = scan_raw_files(raw_dir)
    files["days"] = file_days(raw_dir, files)
    assert {"2025-03-01", "2025-03-04"} <= set(files["days"].iloc[0])
    # A run over some of the days extracts only their pages, and the same rows.
    some, _ = parse_raw_files(raw_dir, files, days=["2025-03-02", "2025-03-03"])
    everything, _ = parse_raw_files(raw_dir, files)
    assert sorted(some.day) == ["2025-03-02", "2025-03-03"]
    pd.testing.assert_frame_equal(
        some.drop(columns="duplicate_of").reset_index(drop=True),
        everything[everything.day.isin(["2025-03-02", "2025-03-03"])].drop(columns="duplicate_of").reset_index(drop=True))


def test_pages_and_a_warc_through_the_whole_graph(tmp_path):
    # In make check: its small end-to-end run.
    raw = tmp_path / "raw"
    page = article_html("Harbour reopens", story_paragraphs("harbour", 7), canonical="https://www.port-times.com/h",
                        published="2025-03-04T09:00:00Z")
    write(raw, "port-times/harbour.html", page)
    # The same story copied by another outlet, found in a crawl.
    copy = article_html("Harbour reopens after repairs", story_paragraphs("harbour", 7),
                        canonical="https://www.coast-news.net/harbour", published="2025-03-04T15:00:00Z")
    write_warc(raw / "crawl" / "cc-news.warc.gz", [http_response("https://www.coast-news.net/harbour", copy.encode()),
                                                   http_response("https://www.coast-news.net/x", b"", status="500 Oops")])
    os.utime(raw / "crawl" / "cc-news.warc.gz", (1736078400, 1736078400))
    wh = tmp_path / "wh"
    assert materialize_all(raw, wh).success
    articles = pd.read_parquet(wh / "articles")
    assert set(articles.source) == {"port-times", "coast-news.net"}
    overlap = pd.read_parquet(wh / "article_overlap")
    assert len(overlap) == 1 and overlap.iloc[0].reuse_kind == "verbatim"
    assert overlap.iloc[0].origin_article_id == articles.set_index("source").loc["port-times", "article_id"]
    rejected = pd.read_parquet(wh / "rejected_inputs")
    assert list(rejected.reason) == ["warc_http_status"]


def test_an_index_made_before_pages_were_read_is_made_again(raw_dir):
    write(raw_dir, "site/a.html", article_html("Harbour", story_paragraphs("harbour"), published="2025-02-01T10:00:00Z"))
    files = scan_raw_files(raw_dir)
    old = files.assign(format="unsupported", days=[["2025-01-05"]])  # what an older newsdag stored
    assert list(file_days(raw_dir, files, previous=old).iloc[0]) == ["2025-01-05", "2025-02-01"]


def test_a_warc_records_url_is_the_one_it_was_fetched_from(raw_dir):
    page = article_html("Tram", story_paragraphs("tram"), canonical="https://www.port-times.com/tram")
    write_warc(raw_dir / "c.warc.gz", [http_response("https://m.port-times.com/tram?utm_source=feed", page.encode())])
    write(raw_dir, "saved/tram.html", page)
    articles, _ = parse(raw_dir)
    urls = dict(zip(articles.raw_path, articles.url))
    assert urls == {"c.warc.gz": "https://m.port-times.com/tram?utm_source=feed", "saved/tram.html": "https://www.port-times.com/tram"}
    assert articles.set_index("raw_path").loc["c.warc.gz", "source"] == "m.port-times.com"
