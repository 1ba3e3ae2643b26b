import json
import os
from pathlib import Path

import pandas as pd
from dagster import AssetKey, DagsterInstance, materialize

from assets.definitions import ALL_ASSETS, build_resources, defs
from assets.run import materialize_assets
from newsdag.schemas import TABLES as SCHEMAS
from newsdag.storage import read_kv_metadata, table_file
from tests.conftest import PROJECT_ROOT, jsonl, write

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
            "partitioned": node.partitions_def is not None,
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
            "sensors": {s.name: {"default_status": s.default_status.value, "jobs": sorted(j.name for j in s.jobs)}
                        for s in d.sensors or []},
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
    result = materialize(ALL_ASSETS, resources=build_resources(raw_dir, wh), instance=DagsterInstance.ephemeral())
    assert result.success
    for table in TABLES:
        assert table_file(wh, table).is_file(), table
    articles = pd.read_parquet(wh / "articles")
    assert len(articles) == 3
    rejected = pd.read_parquet(wh / "rejected_inputs")
    assert sorted(rejected.reason) == ["bad_json", "unsupported_format"]
    sentences = pd.read_parquet(wh / "sentences")
    assert sentences.groupby("article_id").size().to_dict() == {a: (1 if s == "AP" else 3) for a, s in zip(articles.article_id, articles.source)}

    mats = {m.asset_key: m.metadata for m in (e.event_specific_data.materialization for e in result.get_asset_materialization_events())}
    meta = mats[AssetKey("rejected_inputs")]
    assert meta["dagster/row_count"].value == 2
    assert meta["rejections_by_reason"].value == {"bad_json": 1, "unsupported_format": 1}
    schema = mats[AssetKey("articles")]["dagster/column_schema"].value
    assert all(c.description for c in schema.columns)
    assert "article_id" in mats[AssetKey("articles")]["preview"].value

    # Parquet footers carry lineage: upstream data versions match what the upstream wrote.
    kv = read_kv_metadata(table_file(wh, "sentences"))
    up = read_kv_metadata(table_file(wh, "articles"))
    assert kv["asset_key"] == "sentences" and kv["run_id"] == result.run_id and kv["code_version"]
    assert json.loads(kv["upstream"]) == {"articles": {"part-0.parquet": up["data_version"]}}


def test_rerun_over_unchanged_input_keeps_data_versions(raw_dir, tmp_path):
    make_raw(raw_dir)
    wh = tmp_path / "wh"
    instance = DagsterInstance.ephemeral()
    first = materialize(ALL_ASSETS, resources=build_resources(raw_dir, wh), instance=instance)
    v1 = {t: read_kv_metadata(table_file(wh, t))["data_version"] for t in ["articles", "sentences", "rejected_inputs"]}
    second = materialize(ALL_ASSETS, resources=build_resources(raw_dir, wh), instance=instance)
    v2 = {t: read_kv_metadata(table_file(wh, t))["data_version"] for t in ["articles", "sentences", "rejected_inputs"]}
    assert first.run_id != second.run_id and v1 == v2
    write(raw_dir, "feeds/g.jsonl", jsonl([{"id": "9", "source": "AP", "text": "New."}]))
    materialize(ALL_ASSETS, resources=build_resources(raw_dir, wh), instance=instance)
    assert read_kv_metadata(table_file(wh, "articles"))["data_version"] != v1["articles"]


def test_cli_runner_runs_checks_and_selection(raw_dir, tmp_path):
    make_raw(raw_dir)
    wh = tmp_path / "wh"
    summary = materialize_assets(raw_dir, wh)
    assert summary.success
    assert sorted(a.asset for a in summary.assets) == sorted(TABLES)
    assert {name for name, passed, _ in summary.checks if passed} == {
        "articles:articles_unique_id", "articles:articles_text_not_empty", "rejected_inputs:rejected_share",
        "story_clusters:every_article_in_one_story", "story_clusters:story_similarity_in_range",
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


def test_run_config_reaches_the_assets_and_the_parquet_footer(tmp_path):
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
    result = materialize(ALL_ASSETS, resources=build_resources(PROJECT_ROOT / "data" / "raw", wh),
                         instance=DagsterInstance.ephemeral(), run_config=run_config)
    assert result.success
    assert json.loads(read_kv_metadata(table_file(wh, "story_clusters"))["settings"])["window_days"] == 0.0
    assert json.loads(read_kv_metadata(table_file(wh, "tfidf_features"))["settings"])["ngram_max"] == 1
    assert not pd.read_parquet(wh / "tfidf_vocabulary").term.str.contains(" ").any()
