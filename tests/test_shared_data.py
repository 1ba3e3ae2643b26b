"""Quality floors on slices of the real datasets in ../shared/data (fail loudly when missing).

The floors sit below what the full evaluations measure (bench/RESULTS.md), with
room for the smaller samples' noise, so that a regression fails here first.
"""

import json

import pandas as pd
import pytest


from newsdag.evaluate import bcubed
from tests.conftest import jsonl, materialize_all, write

pytestmark = pytest.mark.shared_data


def test_uci_day_clusters_like_google_news(shared_data, tmp_path):
    # One day of UCI titles from the held-out June weeks.
    df = pd.read_parquet(shared_data / "uci-news-aggregator" / "newsCorpora.parquet")
    df["published"] = pd.to_datetime(df["TIMESTAMP"], unit="ms", utc=True)
    day = df[df["published"] == pd.Timestamp("2014-06-04", tz="UTC")]
    assert len(day) > 500
    raw = tmp_path / "raw"
    write(raw, "uci.jsonl", jsonl([{"id": str(r.ID), "source": r.PUBLISHER, "published": r.published.isoformat(),
                                    "title": r.TITLE, "text": r.TITLE} for r in day.itertuples()]))
    wh = tmp_path / "wh"
    keys = ["raw_files", "articles", "rejected_inputs", "tfidf_vocabulary", "tfidf_features", "story_clusters"]
    result = materialize_all(raw, wh, selection=keys)
    assert result.success
    got = pd.read_parquet(wh / "articles")[["article_id", "external_id"]].merge(pd.read_parquet(wh / "story_clusters"))
    gold = got["external_id"].map(day.set_index(day["ID"].astype(str))["STORY"])
    # Measured 0.828 here; UCI's weekly evaluation averages 0.81 (bench/RESULTS.md).
    # Within one day the default 1-day window changes nothing.
    f1 = bcubed(got["story_id"], gold)[2]
    print(f"B-cubed F1 on UCI 2014-06-04: {f1:.3f}")
    assert f1 >= 0.75


def test_llm_rewrites_are_traced_to_their_originals(shared_data, tmp_path):
    base = shared_data / "l2r-llm-rewrites" / "NewsArticle"
    human = json.loads((base / "human.json").read_text())[:40]
    gpt = json.loads((base / "GPT-3-Turbo.json").read_text())[:40]
    records = []
    for i, (h, g) in enumerate(zip(human, gpt)):
        records.append({"id": f"bbc-{i}", "source": "bbc", "published": f"2024-01-{1 + i // 4:02d}T08:00:00Z", "text": h})
        records.append({"id": f"gpt-{i}", "source": "farm", "published": f"2024-01-{1 + i // 4:02d}T20:00:00Z", "text": g})
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write(raw, "l2r.jsonl", jsonl(records))
    assert materialize_all(raw, wh).success
    ids = pd.read_parquet(wh / "articles").set_index("external_id")["article_id"]
    pairs = pd.read_parquet(wh / "article_overlap")
    found = derived = 0
    for i in range(40):
        o, r = ids[f"bbc-{i}"], ids[f"gpt-{i}"]
        row = pairs[((pairs.article_a == o) & (pairs.article_b == r)) | ((pairs.article_a == r) & (pairs.article_b == o))]
        if len(row) and row.iloc[0].origin_article_id == o:
            found += 1
            derived += row.iloc[0].derivation != "non"
    # The full L2R evaluation (200 rewrites per model) is in bench/RESULTS.md.
    assert found >= 38 and derived >= 32
    stats = pd.read_parquet(wh / "source_stats").set_index("source")
    assert stats.loc["farm", "derived_share"] > 0.7 > stats.loc["bbc", "derived_share"]
    assert stats.loc["farm", "originality"] < stats.loc["bbc", "originality"]


def test_article_bodies_of_real_news_pages_in_a_folder_and_in_a_warc(shared_data, tmp_path):
    # The 95 pages of the article-extraction benchmark, as .html.gz files and
    # as one WARC, through the ingest assets. bench/eval_extraction.py runs the
    # whole graph and measured F1 0.970 both ways (bench/RESULTS.md); the
    # anchors are trafilatura 0.956 and AutoExtract 0.968.
    from bench.eval_extraction import benchmark_ids, load_benchmark, write_crawl, write_pages
    from newsdag.evaluate import extraction_scores

    truth, pages = load_benchmark(shared_data / "article-extraction-benchmark")
    ids = sorted(truth)
    keys = ["raw_files", "articles", "rejected_inputs"]
    write_pages(tmp_path / "pages", pages)
    write_crawl(tmp_path / "warc", pages, truth)
    for kind in ("pages", "warc"):
        wh = tmp_path / f"wh_{kind}"
        assert materialize_all(tmp_path / kind, wh, selection=keys).success
        articles = pd.read_parquet(wh / "articles")
        text = dict(zip(benchmark_ids(articles, kind, ids), articles["text"]))
        scores = extraction_scores([text.get(i, "") for i in ids], [truth[i]["articleBody"] for i in ids])
        print(kind, scores)
        assert scores["f1"] >= 0.96, (kind, scores)
        assert len(articles) == 95 and articles["published"].notna().all()
        if kind == "warc":
            assert articles["raw_offset"].notna().all() and articles["external_id"].notna().all()
