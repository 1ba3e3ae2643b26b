import json
import os
from pathlib import Path

import pandas as pd
from dagster import AssetKey, DagsterInstance

from assets.definitions import defs
from assets.run import materialize_assets
from newsdag.schemas import TABLES as SCHEMAS
from newsdag.storage import read_kv_metadata, table_file
from tests.conftest import jsonl, materialize_all, write

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
TABLES = list(SCHEMAS)  # every table newsdag declares is an asset


def graph_snapshot(d) -> dict:
    graph = d.resolve_asset_graph()
    out = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        out[key.to_user_string()] = {
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "group": node.group_name,
            "partitions": str(node.partitions_def) if node.partitions_def else None,
            "backfill_policy": str(node.backfill_policy) if node.partitions_def else None,
            "code_version": node.code_version,
            "kinds": sorted(node.kinds),
            "owners": list(node.owners),
            "checks": sorted(c.name for c in node.check_keys),
            "has_description": bool(node.description),
        }
    return {"assets": out,
            "schedules": {s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone,
                                   "default_status": s.default_status.value, "job": s.job_name}
                          for s in d.schedules or []},
            "sensors": {s.name: {"default_status": s.default_status.value, "jobs": sorted(j.name for j in s.jobs),
                                 "watches": sorted(k.to_user_string() for k in getattr(s, "asset_keys", []) or [])}
                        for s in d.sensors or []},
            "jobs": {j.name: {"partitions": str(j.partitions_def) if j.partitions_def else None}
                     for j in d.resolve_all_job_defs() if not j.name.startswith("__")},
            "executor": d.executor.name if d.executor else None}


def test_definitions_load_and_match_the_snapshot():
    defs.resolve_all_job_defs()
    current = graph_snapshot(defs)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert current == expected, "the asset graph changed: if on purpose, rerun with UPDATE_SNAPSHOTS=1 and commit the snapshot"


def test_every_asset_is_documented_and_owned():
    for key, node in graph_snapshot(defs)["assets"].items():
        assert node["has_description"] and node["owners"] and node["group"] and node["kinds"] and node["code_version"], key


def make_raw(raw_dir):
    write(raw_dir, "reuters/a.txt", "date 2025-01-01 Wire lead. Second sentence.\n\nWire body.")
    write(raw_dir, "local/b.txt", "date 2025-01-02 Wire lead. Second sentence.\n\nWire body.")
    write(raw_dir, "feeds/f.jsonl", jsonl([{"id": "1", "source": "AP", "text": "Feed text.", "published": "2025-01-03"}, "{broken"]))
    write(raw_dir, "junk.bin", b"\x00\x01")


def test_materialize_assets_into_a_temporary_warehouse(raw_dir, tmp_path):
    make_raw(raw_dir)
    wh = tmp_path / "wh"
    result = materialize_all(raw_dir, wh)
    assert result.success
    for table in TABLES:
        assert (wh / table).is_dir() and list((wh / table).rglob("part-0.parquet")), table
    # Daily partitions: one folder per day, keyed on publication (else first-seen) day.
    assert sorted(p.name for p in (wh / "articles").iterdir()) == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert sorted(p.name for p in (wh / "rejected_inputs").iterdir()) == ["2025-01-05"]
    articles = pd.read_parquet(wh / "articles")
    assert len(articles) == 3
    rejected = pd.read_parquet(wh / "rejected_inputs")
    assert sorted(rejected.reason) == ["bad_json", "unsupported_format"]
    sentences = pd.read_parquet(wh / "sentences")
    assert sentences.groupby("article_id").size().to_dict() == {a: (1 if s == "AP" else 3) for a, s in zip(articles.article_id, articles.source)}

    mats = {m.asset_key: m.metadata for m in (e.event_specific_data.materialization for e in result.get_asset_materialization_events())
            if m.partition in (None, "2025-01-05")}
    meta = mats[AssetKey("rejected_inputs")]
    assert meta["dagster/row_count"].value == 2
    assert meta["rejections_by_reason"].value == {"bad_json": 1, "unsupported_format": 1}
    schema = mats[AssetKey("articles")]["dagster/column_schema"].value
    assert all(c.description for c in schema.columns)
    assert "article_id" in mats[AssetKey("articles")]["preview"].value

    # Parquet footers carry lineage: upstream data versions match what the upstream wrote.
    kv = read_kv_metadata(table_file(wh, "sentences", "2025-01-02"))
    up = read_kv_metadata(table_file(wh, "articles", "2025-01-02"))
    assert kv["asset_key"] == "sentences" and kv["run_id"] == result.run_id and kv["code_version"]
    assert kv["partition"] == "2025-01-02"
    assert json.loads(kv["upstream"]) == {"articles": {"2025-01-02/part-0.parquet": up["data_version"]}}
    # A cross-day table records every day it was made from.
    story_kv = json.loads(read_kv_metadata(table_file(wh, "story_clusters"))["upstream"])
    assert sorted(story_kv["articles"]) == [f"2025-01-0{d}/part-0.parquet" for d in (1, 2, 3)]


def test_rerun_over_unchanged_input_keeps_data_versions(raw_dir, tmp_path):
    make_raw(raw_dir)
    wh = tmp_path / "wh"
    instance = DagsterInstance.ephemeral()

    def versions():
        return {str(f.relative_to(wh)): read_kv_metadata(f)["data_version"] for f in sorted(wh.rglob("part-0.parquet"))
                if not f.parts[-2] == "raw_files" and f.parent.name != "raw_files"}

    first = materialize_all(raw_dir, wh, instance)
    v1 = versions()
    second = materialize_all(raw_dir, wh, instance)
    assert first.run_id != second.run_id and versions() == v1
    write(raw_dir, "feeds/g.jsonl", jsonl([{"id": "9", "source": "AP", "text": "New.", "published": "2025-01-02"}]))
    materialize_all(raw_dir, wh, instance)
    v3 = versions()
    changed = {k for k in v1 if v3[k] != v1[k]}
    # Exactly the day that got an article changes among the daily partitions.
    assert {k for k in changed if k.startswith(("articles/", "sentences/"))} == {
        "articles/2025-01-02/part-0.parquet", "sentences/2025-01-02/part-0.parquet"}


def test_each_file_is_hashed_once_and_not_again_while_it_is_unchanged(raw_dir, tmp_path, monkeypatch):
    import newsdag.ingest as ingest

    make_raw(raw_dir)  # written with a modification time long past
    wh = tmp_path / "wh"
    instance = DagsterInstance.ephemeral()
    hashed = []
    real = ingest._sha256_file
    monkeypatch.setattr(ingest, "_sha256_file", lambda path: hashed.append(path.name) or real(path))
    assert materialize_all(raw_dir, wh, instance).success
    # raw_files hashed each file; parse_articles' own scan kept those hashes.
    assert sorted(hashed) == ["a.txt", "b.txt", "f.jsonl", "junk.bin"]
    assert read_kv_metadata(table_file(wh, "raw_files"))["scan_started"]
    hashed.clear()
    assert materialize_all(raw_dir, wh, instance).success
    assert hashed == []
    write(raw_dir, "local/b.txt", "date 2025-01-02 Other lead. Second sentence.\n\nWire body.")  # new size
    assert materialize_all(raw_dir, wh, instance).success
    assert hashed == ["b.txt"]
    assert "Other lead." in " ".join(pd.read_parquet(wh / "articles")["text"])


def test_a_new_feed_is_parsed_once_and_its_kept_parse_goes_when_its_days_are_done(raw_dir, tmp_path, monkeypatch):
    import newsdag.ingest as ingest
    from newsdag.parsed_files import parsed_dir

    make_raw(raw_dir)
    wh = tmp_path / "wh"
    instance = DagsterInstance.ephemeral()
    parses = []
    real = ingest.parse_file
    monkeypatch.setattr(ingest, "parse_file", lambda root, path, fmt, *a, **k: parses.append(path) or real(root, path, fmt, *a, **k))
    assert materialize_all(raw_dir, wh, instance).success
    # The feed is parsed by the day index and read back by its day's run;
    # plain text and unsupported files are parsed by both (not worth keeping).
    assert sorted(parses) == sorted(["feeds/f.jsonl", "reuters/a.txt", "reuters/a.txt", "local/b.txt", "local/b.txt",
                                     "junk.bin", "junk.bin"])
    records = instance.fetch_materializations(AssetKey("articles"), limit=100).records
    by_day = {r.asset_materialization.partition: r.asset_materialization.metadata for r in records}
    assert sorted(by_day) == ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-05"]
    # One run parsed every day (a single-run backfill): its figures are on each day's materialisation.
    assert {(m["n_files_from_kept_parse"].value, m["n_files_parsed"].value) for m in by_day.values()} == {(1, 3)}
    assert list(parsed_dir(wh).iterdir()) == []  # every day of the feed was parsed: done with


def test_cli_runner_runs_checks_and_selection(raw_dir, tmp_path):
    make_raw(raw_dir)
    wh = tmp_path / "wh"
    summary = materialize_assets(raw_dir, wh)
    assert summary.success
    assert sorted(a.asset for a in summary.assets) == sorted(TABLES)
    assert {name for name, passed, _ in summary.checks if passed} == {
        "articles:articles_unique_id", "articles:articles_text_not_empty", "rejected_inputs:rejected_share",
        "story_clusters:every_article_in_one_story", "story_clusters:story_similarity_in_range",
        "story_threads:every_story_in_one_thread",
        "article_overlap:overlap_metrics_in_range", "reused_passages:passage_offsets_valid",
        "sentences:sentence_offsets_valid", "source_stats:source_stats_in_range"}
    # A selection re-runs only what it names and reads the rest from the warehouse.
    again = materialize_assets(raw_dir, wh, "sentences")
    assert [a.asset for a in again.assets] == ["sentences"]
    # The run is in the persistent instance's history.
    with DagsterInstance.get() as instance:
        assert instance.get_run_by_id(again.run_id) is not None


def test_checks_fail_on_bad_data():
    from dagster import build_asset_check_context  # noqa: F401  (documented API for direct invocation)
    from assets.checks import articles_text_not_empty, articles_unique_id

    bad = pd.DataFrame({"article_id": ["a", "a", "b"], "text": ["x", "y", " "]})
    assert not articles_unique_id(bad).passed
    assert not articles_text_not_empty(bad).passed
    good = pd.DataFrame({"article_id": ["a", "b"], "text": ["x", "y"]})
    assert articles_unique_id(good).passed and articles_text_not_empty(good).passed


def test_run_config_reaches_the_assets_and_the_parquet_footer(tmp_path, samples_raw):
    import dataclasses

    from assets.features import TfidfConfig
    from assets.overlap import OverlapConfig
    from assets.stories import StoryConfig
    from newsdag.features import TfidfSettings
    from newsdag.overlap import OverlapSettings
    from newsdag.stories import StorySettings

    for config_cls, settings_cls in [(TfidfConfig, TfidfSettings), (StoryConfig, StorySettings), (OverlapConfig, OverlapSettings)]:
        assert config_cls().settings() == settings_cls()  # same fields, same defaults
        assert set(config_cls.model_fields) == {f.name for f in dataclasses.fields(settings_cls)}
    wh = tmp_path / "wh"
    run_config = {"ops": {"story_clusters": {"config": {"window_days": 0.0}}, "tfidf": {"config": {"ngram_max": 1}}}}
    result = materialize_all(samples_raw, wh, run_config=run_config)
    assert result.success
    assert json.loads(read_kv_metadata(table_file(wh, "story_clusters"))["settings"])["window_days"] == 0.0
    assert json.loads(read_kv_metadata(table_file(wh, "tfidf_features"))["settings"])["ngram_max"] == 1
    assert not pd.read_parquet(wh / "tfidf_vocabulary").term.str.contains(" ").any()


def _tables_and_row_groups(wh: Path) -> dict:
    """Every Parquet file under ``wh``: its rows (in file order) and its row
    groups' sizes. The files' key-value metadata names the run, so files of
    two runs are compared by content, not by bytes."""
    import pyarrow.parquet as pq

    out = {}
    for f in sorted(wh.rglob("*.parquet")):
        pf = pq.ParquetFile(f)
        out[str(f.relative_to(wh))] = (
            pf.read().to_pandas(),
            [pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)])
    return out


def test_the_warehouse_is_the_same_for_one_and_two_workers(demo_raw, tmp_path, monkeypatch):
    import newsdag.neighbours
    import newsdag.overlap

    # One pair a stretch, and the neighbour search in workers at any size, so
    # that two workers really share the bundled demo's work.
    monkeypatch.setattr(newsdag.overlap, "FLUSH_PAIRS", 1)
    monkeypatch.setattr(newsdag.neighbours, "MIN_ROWS_FOR_WORKERS", 0)
    pools = []
    in_workers = newsdag.overlap.compare_in_workers

    def counted(*args):
        pools.append(args[-1])
        yield from in_workers(*args)

    monkeypatch.setattr(newsdag.overlap, "compare_in_workers", counted)
    runs = {}
    for n in (1, 2):
        monkeypatch.setenv("NEWSDAG_WORKERS", str(n))
        wh = tmp_path / f"wh{n}"
        assert materialize_all(demo_raw, wh).success
        runs[n] = _tables_and_row_groups(wh)
    assert pools == [2]  # one pool, of two processes, in the second run alone
    assert runs[1].keys() == runs[2].keys()
    assert len(runs[1]["article_overlap/part-0.parquet"][0]) > 1
    for name, (frame, groups) in runs[1].items():
        if name.startswith("raw_files"):
            continue  # it records each file's time of reading
        pd.testing.assert_frame_equal(runs[2][name][0], frame, obj=name)
        assert runs[2][name][1] == groups, name


UNGUARDED_SCRIPT = """
import sys
import newsdag.overlap
from assets.run import materialize_assets
from dagster import DagsterInstance

newsdag.overlap.FLUSH_PAIRS = 1
summary = materialize_assets(sys.argv[1], sys.argv[2], instance=DagsterInstance.ephemeral())
sys.exit(0 if all(r.success for r in summary.results) else 3)
"""


def test_a_script_that_materialises_at_import_fails_with_the_fix_instead_of_waiting(demo_raw, tmp_path):
    import subprocess
    import sys

    # Each spawned worker imports the script again: without the guard, its
    # second run would wait an hour for the first run's lock.
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT)
    env = {**os.environ, "NEWSDAG_WORKERS": "2", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, str(script), str(demo_raw), str(tmp_path / "wh")], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0
    assert 'if __name__ == "__main__":' in proc.stderr
    assert "a worker process" in proc.stderr and "stopped before it answered" in proc.stderr
    assert not (tmp_path / "wh" / "article_overlap").exists()
