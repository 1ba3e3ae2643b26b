"""The Spark backend (NEWSDAG_COMPUTE=spark) gives the local backend's tables.

Spark runs in local mode (``local[2]``) on the machine's Java 17; one session
serves the whole module.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from newsdag.backend import LOCAL
from newsdag.evaluate import bcubed
from newsdag.features import TfidfSettings, fit_sentence_vocabulary
from newsdag.neighbours import symmetric_edges, topk_directed, topk_neighbours
from tests.conftest import materialize_all

pytestmark = pytest.mark.spark

TABLES = ["tfidf_vocabulary", "tfidf_features", "story_clusters", "article_overlap", "reused_passages",
          "sentence_alignments", "stories", "story_threads", "source_overlap", "source_stats", "article_origins"]
# Spark sums the TF-IDF weights in float64 and scikit-learn partly in float32.
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def spark():
    from newsdag.spark import spark_config, spark_session

    session = spark_session(spark_config("local[2]", driver_memory="2g", shuffle_partitions=4))
    yield session


@pytest.fixture(scope="module")
def backend(spark):
    from newsdag.spark import SparkBackend

    return SparkBackend(spark)


def test_time_blocks_give_the_same_topk_lists_as_the_whole():
    """The property the Spark neighbour search rests on: a block's rows, with
    the blocks beside it as candidates, get the same lists as in the whole corpus."""
    rng = np.random.default_rng(0)
    X = rng.random((300, 40)).astype(np.float32) * (rng.random((300, 40)) < 0.2)
    from sklearn.preprocessing import normalize

    X = normalize(X)
    days = rng.uniform(0, 10, 300)
    days[rng.random(300) < 0.05] = np.nan
    whole = topk_neighbours(X, days, k=5, min_similarity=0.05, window_days=1.0)
    block = np.where(np.isnan(days), -1, np.floor(np.nan_to_num(days))).astype(int)
    parts = []
    for b in np.unique(block[block >= 0]):
        members = np.flatnonzero((np.abs(block - b) <= 1) & (block >= 0) | (block == -1))
        home = block[members] == b
        r, c, s = topk_directed(X[members], days[members], 5, 0.05, 1.0, home=home)
        parts.append((members[r], members[c], s))
    r, c, s = topk_directed(X, days, 5, 0.05, 1.0, home=block == -1)
    parts.append((r, c, s))
    blocked = symmetric_edges(*(np.concatenate(p) for p in zip(*parts)))
    pd.testing.assert_frame_equal(whole, blocked)
    assert len(whole) > 300


def test_tfidf_on_spark_is_scikit_learns(backend):
    docs = ["The cat sat on the mat today.", "A dog sat on the mat.", "Cats and dogs are friends!",
            "The quick brown fox", "quick brown dogs jump", "", "Ça va? Déjà vu, naïve café."]
    for settings in (TfidfSettings(min_df=1), TfidfSettings(), TfidfSettings(sublinear_tf=False, ngram_max=1)):
        v_local, X_local = LOCAL.fit_tfidf(docs, settings)
        v_spark, X_spark = backend.fit_tfidf(docs, settings)
        pd.testing.assert_frame_equal(v_local.drop(columns="idf"), v_spark.drop(columns="idf"))
        np.testing.assert_allclose(v_local["idf"], v_spark["idf"], rtol=TOLERANCE)
        assert X_local.shape == X_spark.shape
        assert abs(X_local - X_spark).max() < TOLERANCE
    # Too few documents for min_df=2: both keep every term.
    v_local, X_local = LOCAL.fit_tfidf(["only one document here"], TfidfSettings())
    v_spark, X_spark = backend.fit_tfidf(["only one document here"], TfidfSettings())
    assert len(v_spark) > 0 and v_local["term"].tolist() == v_spark["term"].tolist()
    assert abs(X_local - X_spark).max() < TOLERANCE


def _day_articles(warehouse, days: dict):
    """An ``articles`` table of the given ``{day: [(article_id, title, text[, language])]}``
    partitions (language ``en`` where a row gives none)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newsdag.storage import PartitionedTable, table_file

    for day, rows in days.items():
        path = table_file(warehouse, "articles", day)
        path.parent.mkdir(parents=True)
        pq.write_table(pa.table({"article_id": [r[0] for r in rows], "title": [r[1] for r in rows],
                                 "text": [r[2] for r in rows],
                                 "language": [r[3] if len(r) > 3 else "en" for r in rows]}), path)
    return PartitionedTable(warehouse, "articles")


def test_tfidf_on_spark_reads_the_warehouse_files_and_leaves_no_scratch(spark, tmp_path):
    """DayDocuments are read by the executors from the Parquet files, each
    text with its language (a third are German, whose stop words go); the
    weights come back through scratch files, which are gone afterwards."""
    from newsdag.features import DayDocuments
    from newsdag.spark import SparkBackend

    words = "flood river rain council vote budget minister storm police court".split()
    rng = np.random.default_rng(1)
    days = {f"2025-03-0{d}": [(f"a{d}{i:02d}", f"Title {words[i % 10]}",
                               " ".join(rng.choice(words, 12)) + (" und die" if i % 3 == 0 else ""),
                               "de" if i % 3 == 0 else "en") for i in range(30)] for d in range(1, 4)}
    documents = DayDocuments(_day_articles(tmp_path / "wh", days))
    assert {lang for lang, _ in documents} == {"de", "en"}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    v_local, X_local = LOCAL.fit_tfidf(list(documents), TfidfSettings(min_df=1))
    v_spark, X_spark = SparkBackend(spark, scratch).fit_tfidf(documents, TfidfSettings(min_df=1))
    pd.testing.assert_frame_equal(v_local.drop(columns="idf"), v_spark.drop(columns="idf"))
    assert X_spark.shape == (90, len(v_local)) and X_spark.has_sorted_indices
    assert abs(X_local - X_spark).max() < TOLERANCE
    assert list(scratch.iterdir()) == []


def test_tfidf_on_spark_refuses_repeated_article_ids(backend, tmp_path):
    from newsdag.features import DayDocuments

    documents = DayDocuments(_day_articles(tmp_path, {"2025-03-01": [("a", "T", "x y")], "2025-03-02": [("a", "T", "y z")]}))
    with pytest.raises(ValueError, match="repeat an article_id"):
        backend.fit_tfidf(documents, TfidfSettings(min_df=1))


def test_max_features_is_refused_on_spark(backend):
    with pytest.raises(ValueError, match="max_features"):
        backend.fit_tfidf(["a b c", "b c d"], TfidfSettings(max_features=2))


def test_sentence_idf_on_spark_is_scikit_learns(backend):
    sentences = pd.Series(["The minister announced a plan.", "The minister announces plans!", "Rain fell.", ""])
    local = fit_sentence_vocabulary(sentences)
    spark = backend.sentence_vocabulary(sentences)
    assert local["term"].tolist() == spark["term"].tolist()
    np.testing.assert_allclose(local["idf"], spark["idf"], rtol=TOLERANCE)


def _tables(warehouse):
    return {t: pd.read_parquet(warehouse / t) for t in TABLES}


def _assert_same_tables(local: dict, spark: dict) -> None:
    v_l, v_s = local["tfidf_vocabulary"], spark["tfidf_vocabulary"]
    pd.testing.assert_frame_equal(v_l.drop(columns="idf"), v_s.drop(columns="idf"))
    np.testing.assert_allclose(v_l["idf"], v_s["idf"], rtol=TOLERANCE)
    f = local["tfidf_features"].merge(spark["tfidf_features"], on=["article_id", "term_id"], how="outer")
    assert len(f) == len(local["tfidf_features"]) == len(spark["tfidf_features"])
    assert (f["weight_x"] - f["weight_y"]).abs().max() < TOLERANCE

    s = local["story_clusters"].merge(spark["story_clusters"], on="article_id", validate="one_to_one")
    assert len(s) == len(local["story_clusters"])
    assert bcubed(s["story_id_y"], s["story_id_x"])[2] >= 0.99

    keys = ["article_a", "article_b"]
    o = local["article_overlap"].merge(spark["article_overlap"], on=keys, how="outer", indicator=True)
    assert (o["_merge"] == "both").all(), o["_merge"].value_counts()
    for col in ["cosine", "containment_a_in_b", "containment_b_in_a", "jaccard", "aligned_sentence_share_a",
                "aligned_sentence_share_b"]:
        assert (o[f"{col}_x"] - o[f"{col}_y"]).abs().max() < TOLERANCE, col
    for col in ["story_id", "longest_passage_words", "n_passages", "origin_article_id", "derivation", "reuse_kind"]:
        assert (o[f"{col}_x"] == o[f"{col}_y"]).all(), col
    pd.testing.assert_frame_equal(local["reused_passages"], spark["reused_passages"])
    a_l, a_s = local["sentence_alignments"], spark["sentence_alignments"]
    pd.testing.assert_frame_equal(a_l.drop(columns="similarity"), a_s.drop(columns="similarity"))
    np.testing.assert_allclose(a_l["similarity"], a_s["similarity"], atol=TOLERANCE)
    for t in ["stories", "source_overlap", "source_stats"]:
        assert list(local[t].columns) == list(spark[t].columns), t
        assert len(local[t]) == len(spark[t]), t


@pytest.mark.e2e
def test_spark_backend_writes_the_local_tables_for_the_samples(spark, samples_raw, tmp_path):
    materialize_all(samples_raw, tmp_path / "local", compute="local")
    result = materialize_all(samples_raw, tmp_path / "spark", compute="spark")
    assert result.success
    local, spark_tables = _tables(tmp_path / "local"), _tables(tmp_path / "spark")
    _assert_same_tables(local, spark_tables)
    # The reuse in the samples is found on both backends.
    assert len(spark_tables["article_overlap"]) == 1
    meta = result.asset_materializations_for_node("overlap")[0].metadata
    assert meta["compute_backend"].value == "spark"
    # Same paths: the partitioned tables and the single files are laid out alike.
    files = lambda root: sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
    assert files(tmp_path / "local") == files(tmp_path / "spark")


@pytest.mark.e2e
def test_spark_connect_writes_the_local_tables_for_the_samples(samples_raw, tmp_path):
    """NEWSDAG_SPARK_REMOTE: the CLI as a Spark Connect client (of a Connect
    server it starts, local[2]) writes the local tables. In its own process:
    one process holds one kind of Spark session, and this module's is classic."""
    from dagster import AssetKey, DagsterInstance

    materialize_all(samples_raw, tmp_path / "local", compute="local")
    env = {**os.environ, "NEWSDAG_COMPUTE": "spark", "NEWSDAG_SPARK_REMOTE": "local[2]",
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    done = subprocess.run([sys.executable, "-m", "assets.cli", "materialize", "--raw", str(samples_raw),
                           "--warehouse", str(tmp_path / "connect")], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "compute spark (Spark Connect local[2])" in done.stdout
    _assert_same_tables(_tables(tmp_path / "local"), _tables(tmp_path / "connect"))
    # The heavy stages ran on a Connect session, not a classic one.
    with DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        for key in ["tfidf_vocabulary", "story_clusters", "article_overlap"]:
            event = instance.get_latest_materialization_event(AssetKey(key))
            assert event.asset_materialization.metadata["compute_backend"].value == "spark (Spark Connect)", key


@pytest.mark.e2e
@pytest.mark.shared_data
def test_spark_and_local_agree_on_a_generated_corpus(spark, shared_data, tmp_path):
    """1,500 articles over 10 days from the shared texts: copies, LLM rewrites,
    MSRP paraphrases and own takes. Stories: B-cubed F1 of one backend against
    the other at least 0.99; overlap: the same pairs, labels and passages, and
    metrics within 1e-5."""
    from bench.generate_corpus import generate

    generate(1500, tmp_path / "corpus", seed=3, days=10)
    materialize_all(tmp_path / "corpus" / "raw", tmp_path / "local", compute="local")
    materialize_all(tmp_path / "corpus" / "raw", tmp_path / "spark", compute="spark")
    local, spark_tables = _tables(tmp_path / "local"), _tables(tmp_path / "spark")
    assert len(local["article_overlap"]) > 1000
    _assert_same_tables(local, spark_tables)


def test_an_unknown_backend_is_a_clear_error(monkeypatch):
    from newsdag import config

    monkeypatch.setenv("NEWSDAG_COMPUTE", "dask")
    with pytest.raises(ValueError, match="NEWSDAG_COMPUTE must be one of local, spark"):
        config.compute_backend()


@pytest.mark.e2e
def test_an_incremental_day_on_spark_gives_the_local_tables(spark, raw_dir, tmp_path, monkeypatch):
    """A new day on both backends: the trailing-window recompute (Leiden with
    fixed stories, overlap of the new articles only) ends in the same tables."""
    from tests.test_partitions import STORY_A, STORY_B, STORY_C, day_file, rec

    monkeypatch.setenv("NEWSDAG_TRAILING_DAYS", "1")
    config = {"ops": {"overlap": {"config": {"window_days": 1.0}}}}
    day_file(raw_dir, "2025-03-01", [rec(1, "wire", "2025-03-01", STORY_A), rec(2, "daily", "2025-03-01", STORY_A + " More.", 11)])
    day_file(raw_dir, "2025-03-02", [rec(3, "daily", "2025-03-02", STORY_A + " The water is receding."),
                                     rec(4, "wire", "2025-03-02", STORY_B), rec(5, "herald", "2025-03-02", STORY_B + " Markets fell.", 12)])
    for compute in ("local", "spark"):
        assert materialize_all(raw_dir, tmp_path / compute, run_config=config, compute=compute).success
    day_file(raw_dir, "2025-03-03", [rec(6, "herald", "2025-03-03", STORY_A + " Cleanup has begun."),
                                     rec(7, "wire", "2025-03-03", STORY_C)])
    for compute in ("local", "spark"):
        result = materialize_all(raw_dir, tmp_path / compute, run_config=config, compute=compute)
        assert result.success
        meta = result.asset_materializations_for_node("story_clusters")[0].metadata
        assert meta["newsdag/plan"].value["mode"] == "trailing"
    _assert_same_tables(_tables(tmp_path / "local"), _tables(tmp_path / "spark"))
