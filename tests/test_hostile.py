import pandas as pd
import pytest
from tests.conftest import materialize_all
from tests.hostile import make_hostile_corpus


@pytest.mark.e2e
def test_hostile_raw_folder(tmp_path):
    raw = tmp_path / "raw"
    truth = make_hostile_corpus(raw)
    assert truth.n_bad >= 200
    wh = tmp_path / "wh"
    result = materialize_all(raw, wh)
    assert result.success
    articles = pd.read_parquet(wh / "articles")
    rejected = pd.read_parquet(wh / "rejected_inputs")
    assert dict(rejected.reason.value_counts()) == dict(truth.reasons)
    assert len(articles) == truth.n_articles
    assert not articles.text.str.contains(truth.secret).any()
    assert not articles.text.str.contains("root:x:0").any()
    # Every raw file is accounted for: it gave an article or at least one rejection.
    files = pd.read_parquet(wh / "raw_files")
    accounted = set(articles.raw_path) | set(rejected.raw_path)
    assert set(files.raw_path) == accounted
    # The smaller cases of a live raw folder came through with their meaning.
    by_id = articles.set_index("external_id")
    assert by_id.loc["compact-date", "day"] == "2025-05-02" and by_id.loc["two-publishers", "source"] == "Wire One"
    assert "names/caf\\xe9-not-utf8.txt" in set(articles.raw_path)
    # Awkward names and outlets came through, sanitised.
    assert {"bbc", "le monde", "dash-outlet", "ünï", "x"} <= set(articles.source)
    assert articles.raw_path.str.contains("..double..dots.txt", regex=False).any()
    # The same file under two outlets: two articles, the later one linked to the earlier.
    wire = articles[articles.raw_path.str.startswith(("wire/", "copier/"))]
    assert len(wire) == 10 and wire.duplicate_of.notna().sum() == 5
    # Downstream assets ran over every good article.
    assert pd.read_parquet(wh / "story_clusters").article_id.nunique() == len(articles)
