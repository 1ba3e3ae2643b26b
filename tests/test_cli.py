import json
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from assets.cli import build_parser
from newsdag.schemas import TABLES
from tests.conftest import PROJECT_ROOT, SAMPLE_ORIGINAL, SAMPLE_REWRITE

NEWSDAG = os.path.join(os.path.dirname(sys.executable), "newsdag")


@pytest.mark.e2e
def test_cli_materializes_the_bundled_demo_end_to_end(tmp_path, demo_raw):
    wh = tmp_path / "warehouse"
    home = tmp_path / "home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    proc = subprocess.run([NEWSDAG, "materialize", "--raw", str(demo_raw), "--warehouse", str(wh)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for table in TABLES:
        assert f"{table} " in out and str(wh / table) in out
    assert "succeeded" in out and re.search(r"checks: \d+ passed, 0 failed", out)
    # Every day found, one run per block of days: the samples' days are far from the demo's.
    assert "days 2025-01-05 to 2025-03-12" in out
    # One line per asset with its total over the blocks of days.
    assert re.search(r"^articles\s+13\s", out, re.M)
    # Progress: a line per step as it starts, writes and ends, with the time since the start.
    assert re.search(r"^  \[0:\d\d:\d\d\] parse_articles started$", proc.stderr, re.M)
    assert re.search(r"^  \[0:\d\d:\d\d\] parse_articles: articles written, \d+ rows$", proc.stderr, re.M)
    assert re.search(r"^  \[0:\d\d:\d\d\] overlap done in [\d.]+ s$", proc.stderr, re.M)
    assert "dagster - INFO" not in proc.stderr  # Dagster's console log is turned down to warnings
    assert (home / "dagster.yaml").read_text().count("enabled: false") == 1

    articles = pd.read_parquet(wh / "articles")
    assert set(articles.source) == {"world-desk", "rewrite-farm", "northwire", "valley-gazette", "harbour-herald",
                                    "coastal-times.com", "dailybuzz-now.net"}
    by_path = articles.set_index("raw_path")
    assert by_path.loc[SAMPLE_ORIGINAL, "published"] == pd.Timestamp("2025-02-13", tz="UTC")
    assert pd.isna(by_path.loc[SAMPLE_REWRITE, "published"])
    ids = articles.set_index("external_id")["article_id"]
    clusters = pd.read_parquet(wh / "story_clusters").set_index("article_id")["story_id"]
    # The samples: the rewrite tells the original's story and is traced to it.
    orig_id, rewrite_id = by_path.loc[SAMPLE_ORIGINAL, "article_id"], by_path.loc[SAMPLE_REWRITE, "article_id"]
    assert clusters[rewrite_id] == clusters[orig_id] == orig_id
    # The storm report at 23:40 and its follow-up at 00:35 are one story, with the copies of the report.
    storm = clusters[ids["nw-0310-storm"]]
    assert clusters[ids["nw-0311-power"]] == clusters[ids["vg-11-storm"]] == storm
    pairs = pd.read_parquet(wh / "article_overlap")

    def pair(a, b):
        rows = pairs[((pairs.article_a == a) & (pairs.article_b == b)) | ((pairs.article_a == b) & (pairs.article_b == a))]
        assert len(rows) == 1, (a, b)
        return rows.iloc[0]

    copy = pair(ids["nw-0310-storm"], ids["vg-11-storm"])
    assert copy.origin_article_id == ids["nw-0310-storm"] and copy.reuse_kind == "verbatim"
    rewrite = pair(orig_id, rewrite_id)
    assert rewrite.origin_article_id == orig_id and rewrite.reuse_kind == "paraphrase"
    farm = articles.set_index("source").loc["dailybuzz-now.net", "article_id"]
    scoop = pair(ids["hh-2025-031"], farm)
    assert scoop.origin_article_id == ids["hh-2025-031"] and scoop.reuse_kind == "paraphrase"
    assert scoop.derivation == "wholly"
    # One origin per article: the copies, the rewrite and the farm's paraphrase point to what they took from.
    origins = pd.read_parquet(wh / "article_origins").set_index("article_id")
    assert len(origins) == len(articles)
    assert origins.loc[ids["vg-11-storm"], "origin_article_id"] == ids["nw-0310-storm"]
    assert origins.loc[rewrite_id, "origin_article_id"] == orig_id
    assert origins.loc[farm, ["status", "origin_article_id"]].tolist() == ["derived", ids["hh-2025-031"]]
    assert origins.loc[ids["hh-2025-031"], ["status", "origin_article_id", "n_hops"]].tolist() == \
        ["original", ids["hh-2025-031"], 0]
    # The README's cross-outlet snippet has something to show.
    by_pair = pd.read_parquet(wh / "source_overlap")
    derived = by_pair[by_pair.source_a != by_pair.source_b].groupby("source_b").n_derived.sum()
    assert {"valley-gazette", "coastal-times.com", "dailybuzz-now.net", "rewrite-farm"} <= set(derived[derived > 0].index)
    passages = pd.read_parquet(wh / "reused_passages")
    texts = articles.set_index("article_id")["text"]
    assert len(passages)
    for p in passages.itertuples():
        assert texts[p.article_id][p.char_start:p.char_end] == p.text


def test_cli_version_and_clean_errors(tmp_path):
    done = subprocess.run([NEWSDAG, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and re.fullmatch(r"newsdag \S+ \(dagster 1\.13\.27\)\n", done.stdout)
    bad = tmp_path / "bad.yaml"
    for text, message in [("tfidf: [1, 2", "is not valid YAML"),
                          ("tfidf_typo:\n  min_df: 1\n", "names tfidf_typo; the ops with settings are tfidf, story_clusters, story_threads, overlap"),
                          ("- 1\n", "must map op names to their settings")]:
        bad.write_text(text)
        done = subprocess.run([NEWSDAG, "materialize", "--raw", str(tmp_path), "--config", str(bad)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_cli_config_file_sets_the_algorithm_settings(tmp_path, samples_raw):
    from newsdag.storage import read_kv_metadata, table_file

    settings = tmp_path / "settings.yaml"
    settings.write_text("tfidf:\n  min_df: 1\nstory_clusters:\n  k: 5\n")
    wh, home = tmp_path / "wh", tmp_path / "home"
    done = subprocess.run([NEWSDAG, "materialize", "--raw", str(samples_raw), "--warehouse", str(wh), "--config", str(settings),
                           "--select", "raw_files,articles,rejected_inputs,tfidf_vocabulary,tfidf_features,story_clusters"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "DAGSTER_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert json.loads(read_kv_metadata(table_file(wh, "tfidf_features"))["settings"])["min_df"] == 1
    assert json.loads(read_kv_metadata(table_file(wh, "story_clusters"))["settings"])["k"] == 5


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
