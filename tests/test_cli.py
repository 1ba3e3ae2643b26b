import os
import subprocess
import sys

import pandas as pd
import pytest

from newsdag.cli import build_parser
from newsdag.schemas import TABLES
from tests.conftest import PROJECT_ROOT, SAMPLE_ORIGINAL, SAMPLE_REWRITE

NEWSDAG = os.path.join(os.path.dirname(sys.executable), "newsdag")


@pytest.mark.e2e
def test_cli_materializes_the_samples_end_to_end(tmp_path):
    wh = tmp_path / "warehouse"
    home = tmp_path / "home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    proc = subprocess.run([NEWSDAG, "materialize", "--raw", str(PROJECT_ROOT / "data" / "raw"), "--warehouse", str(wh)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for table in TABLES:
        assert f"{table} " in out and str(wh / table) in out
    assert "succeeded" in out and "checks: 5 passed, 0 failed" in out
    assert (home / "dagster.yaml").read_text().count("enabled: false") == 1

    articles = pd.read_parquet(wh / "articles").set_index("raw_path")
    assert articles.loc[SAMPLE_ORIGINAL, "published"] == pd.Timestamp("2025-02-13", tz="UTC")
    assert pd.isna(articles.loc[SAMPLE_REWRITE, "published"])
    assert set(articles.source) == {"unknown"}
    assert articles.loc[SAMPLE_ORIGINAL, "text"].startswith("U.S. President Donald Trump announced on Wednesday")
    # The rewrite tells the same story as the original, which names the story.
    clusters = pd.read_parquet(wh / "story_clusters").set_index("article_id")
    orig_id, rewrite_id = articles.loc[SAMPLE_ORIGINAL, "article_id"], articles.loc[SAMPLE_REWRITE, "article_id"]
    assert clusters.loc[rewrite_id, "story_id"] == clusters.loc[orig_id, "story_id"] == orig_id
    stories = pd.read_parquet(wh / "stories")
    assert len(stories) == 1 and stories.n_articles[0] == 2 and "trump" in list(stories.top_terms[0])
    # The rewrite is traced to the original although few exact 5-grams are shared.
    pairs = pd.read_parquet(wh / "article_overlap")
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert pair.origin_article_id == orig_id
    assert pair.derivation in {"wholly", "partially"} and pair.reuse_kind in {"paraphrase", "mixed"}
    passages = pd.read_parquet(wh / "reused_passages")
    texts = articles.set_index("article_id")["text"]
    for p in passages.itertuples():
        assert p.article_id == rewrite_id and p.source_article_id == orig_id
        assert texts[p.article_id][p.char_start:p.char_end] == p.text
        assert texts[p.source_article_id][p.source_char_start:p.source_char_end].lower().split() == p.text.lower().split()


@pytest.mark.e2e
def test_cli_relative_paths_resolve_against_the_shell_folder(tmp_path):
    (tmp_path / "in" / "bbc").mkdir(parents=True)
    (tmp_path / "in" / "bbc" / "a.txt").write_text("date 2025-05-01 Hello world. Body.")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    proc = subprocess.run([NEWSDAG, "materialize", "--raw", "in", "--warehouse", "out", "--select", "raw_files,articles,rejected_inputs"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(pd.read_parquet(tmp_path / "out" / "articles").source) == ["bbc"]
    assert not (tmp_path / "out" / "sentences").exists()


@pytest.mark.e2e
def test_cli_environment_variables_set_the_folders(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Some text.")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"),
           "NEWSDAG_RAW_DIR": str(tmp_path / "in"), "NEWSDAG_WAREHOUSE_DIR": str(tmp_path / "out")}
    proc = subprocess.run([NEWSDAG, "materialize"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(pd.read_parquet(tmp_path / "out" / "articles")) == 1


def test_cli_missing_raw_folder_fails_clearly(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    proc = subprocess.run([NEWSDAG, "materialize", "--raw", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "out")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "does not exist" in proc.stdout + proc.stderr


def test_cli_parser_has_the_documented_flags():
    args = build_parser().parse_args(["materialize", "--raw", "r", "--warehouse", "w", "--select", "articles"])
    assert (args.raw, args.warehouse, args.select) == ("r", "w", "articles")
