import os
import re
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
    assert "succeeded" in out and re.search(r"checks: \d+ passed, 0 failed", out)
    # Every day found, one run per block of days: the sample's two days are far apart.
    assert "days 2025-02-13 to " in out
    # One line per asset with its total over the blocks of days.
    assert re.search(r"^articles\s+2\s", out, re.M) and re.search(r"^sentences\s+38\s", out, re.M)
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


@pytest.mark.e2e
def test_a_second_run_waits_for_the_first_or_fails_clearly(tmp_path):
    import threading

    from newsdag.storage import warehouse_lock

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("date 2025-01-01 Some text. More text.")
    wh = tmp_path / "out"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    cmd = [NEWSDAG, "materialize", "--raw", str(tmp_path / "in"), "--warehouse", str(wh)]
    # Someone else holds the warehouse: a run that may wait 1 s fails and says who.
    with warehouse_lock(wh, "test-holder"):
        proc = subprocess.run(cmd + ["--lock-wait", "1"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "is being written by run test-holder" in proc.stdout + proc.stderr
    assert not (wh / "articles").exists()
    # A patient run waits and says so; once the holder lets go, it succeeds.
    release = threading.Event()
    held = threading.Event()

    def hold():
        with warehouse_lock(wh, "slow-run"):
            held.set()
            release.wait(timeout=120)

    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    proc = subprocess.Popen(cmd + ["--lock-wait", "120"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    output = []
    for line in proc.stdout:
        output.append(line)
        if "waiting up to 120 s" in line:
            assert "is being written by run slow-run" in line
            release.set()
    proc.wait(timeout=300)
    release.set()
    t.join()
    assert proc.returncode == 0, "".join(output)
    assert any("waiting up to 120 s" in line for line in output)


@pytest.mark.e2e
def test_two_concurrent_runs_do_not_mix_outputs(tmp_path):
    import json

    from newsdag.storage import read_kv_metadata, table_file

    raw = tmp_path / "in"
    for i in range(30):
        (raw / f"outlet{i % 3}").mkdir(parents=True, exist_ok=True)
        (raw / f"outlet{i % 3}" / f"{i}.txt").write_text(f"date 2025-01-0{1 + i % 5} Story {i % 7} about topic {i % 7}. Details {i}.")
    wh = tmp_path / "out"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    cmd = [NEWSDAG, "materialize", "--raw", str(raw), "--warehouse", str(wh)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    # Every table was last written by one and the same run, and each table's
    # recorded upstream versions match what is on disk.
    files = sorted(wh.rglob("part-0.parquet"))
    assert {f.relative_to(wh).parts[0] for f in files} == set(TABLES)
    # The cross-day tables were last written by one and the same run, and
    # each file's recorded upstream versions match what is on disk.
    cross_day = [table_file(wh, t) for t in TABLES if table_file(wh, t).exists() and t != "raw_files"]
    assert len({read_kv_metadata(f)["run_id"] for f in cross_day}) == 1
    for f in files:
        for up, ups in json.loads(read_kv_metadata(f)["upstream"]).items():
            for rel, version in ups.items():
                assert read_kv_metadata(wh / up / rel)["data_version"] == version, (f, up, rel)


def test_cli_unknown_compute_backend_fails_clearly(tmp_path):
    env = {**os.environ, "NEWSDAG_COMPUTE": "dask"}
    proc = subprocess.run([NEWSDAG, "materialize", "--warehouse", str(tmp_path / "out")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "NEWSDAG_COMPUTE must be one of local, spark, not 'dask'" in proc.stderr
    assert not (tmp_path / "out").exists()
