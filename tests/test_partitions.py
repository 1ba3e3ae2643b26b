"""Daily partitions and incremental cross-day runs, through the CLI's runner."""

import json

import pandas as pd
import pytest
from dagster import DagsterInstance

from assets.run import materialize_assets
from newsdag.incremental import plan_recompute, shift_day
from newsdag.storage import read_kv_metadata, table_file
from tests.conftest import jsonl, materialize_all, write

STORY_A = "Flooding in Valencia: the river burst its banks overnight and rescuers evacuated thousands of residents from the old town."
STORY_B = "The central bank raised interest rates by half a point, citing stubborn inflation in food and energy prices."
STORY_C = "A rare comet is visible to the naked eye this week, astronomers said, best seen an hour after sunset."


def rec(i, source, day, text, hour=9):
    return {"id": str(i), "source": source, "published": f"{day}T{hour:02d}:00:00Z", "title": text[:40], "text": text}


def day_file(raw, day, records):
    write(raw, f"feed/{day}.jsonl", jsonl(records))


@pytest.fixture
def three_days(raw_dir):
    day_file(raw_dir, "2025-03-01", [rec(1, "wire", "2025-03-01", STORY_A), rec(2, "daily", "2025-03-01", STORY_A + " More to come.", 11)])
    day_file(raw_dir, "2025-03-02", [rec(3, "daily", "2025-03-02", STORY_A + " The water is receding."),
                                     rec(4, "wire", "2025-03-02", STORY_B), rec(5, "herald", "2025-03-02", STORY_B + " Markets fell.", 12)])
    return raw_dir


def footer(wh, table, day=None):
    return read_kv_metadata(table_file(wh, table, day))


def stories_by_external_id(wh):
    a = pd.read_parquet(wh / "articles")[["article_id", "external_id"]]
    return a.merge(pd.read_parquet(wh / "story_clusters")).set_index("external_id")["story_id"].to_dict()


def test_a_new_day_keeps_old_stories_and_recomputes_only_the_trailing_window(three_days, tmp_path, monkeypatch):
    # A one-day trailing window (and overlap window, which may not exceed it) on a three-day corpus.
    monkeypatch.setenv("NEWSDAG_TRAILING_DAYS", "1")
    instance = DagsterInstance.ephemeral()

    def run(wh):
        return materialize_all(three_days, wh, instance, run_config={"ops": {"overlap": {"config": {"window_days": 1.0}}}})

    wh = tmp_path / "wh"
    assert run(wh).success
    before = stories_by_external_id(wh)
    assert before["1"] == before["2"] == before["3"] and before["4"] == before["5"] != before["1"]
    assert json.loads(footer(wh, "story_clusters")["plan"])["mode"] == "full"
    pairs_before = pd.read_parquet(wh / "article_overlap")
    day1_files = {t: footer(wh, t, "2025-03-01")["data_version"] for t in ("articles", "sentences")}

    day_file(three_days, "2025-03-03", [rec(6, "herald", "2025-03-03", STORY_A + " Cleanup has begun."),
                                        rec(7, "wire", "2025-03-03", STORY_C)])
    assert run(wh).success
    plan = json.loads(footer(wh, "story_clusters")["plan"])
    assert plan["mode"] == "trailing" and plan["recompute_from"] == "2025-03-02" and plan["changed_days"] == ["2025-03-03"]
    after = stories_by_external_id(wh)
    # Old stories keep their ids; the new article joins the running story; a new story starts.
    assert {k: after[k] for k in before} == before
    assert after["6"] == before["1"] and after["7"] not in before.values()
    # The old days are unchanged; the overlap pairs of two old articles are kept as they were.
    assert {t: footer(wh, t, "2025-03-01")["data_version"] for t in day1_files} == day1_files
    pairs_after = pd.read_parquet(wh / "article_overlap")
    ids = pd.read_parquet(wh / "articles").set_index("external_id")["article_id"]
    old = pairs_before[pairs_before.article_a.isin(ids[["1", "2"]]) & pairs_before.article_b.isin(ids[["1", "2"]])]
    assert len(old) == 1
    pd.testing.assert_frame_equal(
        pairs_after.merge(old[["article_a", "article_b"]]).reset_index(drop=True), old.reset_index(drop=True))
    # Article 6 is compared with the story's earlier articles.
    six = pairs_after[(pairs_after.article_a == ids["6"]) | (pairs_after.article_b == ids["6"])]
    assert len(six) >= 2

    # Nothing new: the cross-day tables stand unchanged, their files not even rewritten.
    versions = {t: (footer(wh, t)["data_version"], footer(wh, t)["run_id"]) for t in ("story_clusters", "article_overlap")}
    result = run(wh)
    assert result.success
    [plan] = [e.step_materialization_data.materialization.metadata["newsdag/plan"].value
              for e in result.all_events if e.is_step_materialization and e.asset_key.path[-1] == "story_clusters"]
    assert plan["mode"] == "unchanged"
    assert {t: (footer(wh, t)["data_version"], footer(wh, t)["run_id"]) for t in versions} == versions

    # The same stories as a full rebuild from scratch.
    fresh = tmp_path / "fresh"
    assert run(fresh).success
    assert stories_by_external_id(fresh) == after


def test_rerunning_a_day_replaces_exactly_that_day(three_days, tmp_path):
    wh = tmp_path / "wh"
    assert materialize_assets(three_days, wh).success
    run_of = {d: footer(wh, "articles", d)["run_id"] for d in ("2025-03-01", "2025-03-02")}
    # Day 2 loses an article and gains another.
    day_file(three_days, "2025-03-02", [rec(4, "wire", "2025-03-02", STORY_B), rec(8, "wire", "2025-03-02", STORY_C)])
    summary = materialize_assets(three_days, wh, from_day="2025-03-02", to_day="2025-03-02")
    assert summary.success and summary.days == ("2025-03-02", "2025-03-02")
    assert footer(wh, "articles", "2025-03-01")["run_id"] == run_of["2025-03-01"]
    assert footer(wh, "articles", "2025-03-02")["run_id"] != run_of["2025-03-02"]
    articles = pd.read_parquet(wh / "articles")
    assert sorted(articles.external_id) == ["1", "2", "4", "8"]
    # The cross-day tables followed, in the same run.
    clusters = pd.read_parquet(wh / "story_clusters")
    assert sorted(clusters.article_id) == sorted(articles.article_id)
    # A day whose articles all went away is replaced by an empty partition.
    (three_days / "feed" / "2025-03-02.jsonl").unlink()
    assert materialize_assets(three_days, wh, from_day="2025-03-02", to_day="2025-03-02").success
    assert len(pd.read_parquet(table_file(wh, "articles", "2025-03-02"))) == 0
    assert sorted(pd.read_parquet(wh / "articles").external_id) == ["1", "2"]


def test_from_and_to_are_checked(three_days, tmp_path):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        materialize_assets(three_days, tmp_path / "wh", from_day="March 1")
    with pytest.raises(ValueError, match="outside the days articles may be dated"):
        materialize_assets(three_days, tmp_path / "wh", from_day="1999-12-31")
    with pytest.raises(ValueError, match="after"):
        materialize_assets(three_days, tmp_path / "wh", from_day="2025-03-02", to_day="2025-03-01")


def test_undated_articles_fall_on_the_day_their_file_was_first_seen(raw_dir, tmp_path):
    write(raw_dir, "a.txt", "No date line here.")  # first seen 2025-01-05 (the suite's fixed mtime)
    write(raw_dir, "old.txt", "date 1999-05-01 Published before the first partition day.")
    wh = tmp_path / "wh"
    assert materialize_assets(raw_dir, wh).success
    assert [p.name for p in sorted((wh / "articles").iterdir())] == ["2025-01-05"]
    rejected = pd.read_parquet(wh / "rejected_inputs")
    [row] = rejected.itertuples()
    assert row.reason == "outside_partitions" and "NEWSDAG_FIRST_DAY" in row.detail and row.day == "2025-01-05"
    # The first-seen day is kept even when the file is touched later.
    write(raw_dir, "a.txt", "No date line here, edited.", mtime=1767225600)  # 2026-01-01
    assert materialize_assets(raw_dir, wh).success
    assert pd.read_parquet(wh / "articles").day.tolist() == ["2025-01-05"]


def test_plan_recompute():
    assert plan_recompute({"2025-01-01": "a"}, None, 14).mode == "full"
    assert plan_recompute({"2025-01-01": "a"}, {"2025-01-01": "a"}, 14).mode == "unchanged"
    assert plan_recompute({"2025-01-01": "a"}, {"2025-01-01": "a"}, 14, same_settings=False).mode == "full"
    plan = plan_recompute({"2025-01-01": "a", "2025-01-20": "b"}, {"2025-01-01": "a", "2025-01-20": "x", "2025-01-25": "c"}, 14)
    assert plan.mode == "trailing" and plan.changed_days == ("2025-01-20", "2025-01-25") and plan.recompute_from == "2025-01-06"
    assert shift_day("2025-03-01", -1.5) == "2025-02-27"


def test_deleted_and_fixed_input_leaves_every_table(three_days, tmp_path):
    raw = three_days
    day_file(raw, "2025-03-03", [rec(6, "wire", "2025-03-03", STORY_C), rec(7, "daily", "2025-03-03", STORY_C + " Look west.", 20)])
    # A record that does not parse, in a file first seen on 2025-01-05 (its rejections' day).
    write(raw, "late/fix.jsonl", '{"id": "8", "source": "late", "published": "2025-03-02T15:00:00Z", "text": "broken\n')
    wh = tmp_path / "wh"
    assert materialize_all(raw, wh).success
    assert "bad_json" in set(pd.read_parquet(wh / "rejected_inputs").reason)
    gone = set(pd.read_parquet(wh / "articles").query("day == '2025-03-03'").article_id)
    assert len(gone) == 2
    # Every file of 2025-03-03 deleted; the broken record fixed.
    (raw / "feed" / "2025-03-03.jsonl").unlink()
    write(raw, "late/fix.jsonl", jsonl([rec(8, "late", "2025-03-02", STORY_B + " Late, fixed.", 15)]))
    assert materialize_all(raw, wh).success
    clean = tmp_path / "clean"
    assert materialize_all(raw, clean).success
    for table in ["articles", "sentences", "rejected_inputs", "story_clusters", "article_overlap", "stories"]:
        got, want = pd.read_parquet(wh / table), pd.read_parquet(clean / table)
        for column in ("article_id", "article_a", "article_b", "story_id"):
            if column in got:
                assert not set(got[column]) & gone, (table, column)
        key = [c for c in ("article_id", "sent_idx", "article_a", "article_b", "raw_path", "line", "story_id") if c in got]
        pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                      want.sort_values(key).reset_index(drop=True), check_dtype=False)
    assert pd.read_parquet(wh / "rejected_inputs").empty  # the stale bad_json row went with its fix


def _files_written(wh) -> dict:
    """{table file: (inode, run that wrote it)}: a file left as it was keeps
    its inode through the hard-linked copy a run starts from."""
    return {p.relative_to(wh).as_posix(): (p.stat().st_ino, read_kv_metadata(p)["run_id"])
            for p in sorted(wh.rglob("part-0.parquet"))}


def test_rerunning_unchanged_input_parses_and_rewrites_nothing(three_days, tmp_path, monkeypatch):
    wh = tmp_path / "wh"
    instance = DagsterInstance.ephemeral()
    assert materialize_assets(three_days, wh, instance=instance).success
    before = _files_written(wh)
    summary = materialize_assets(three_days, wh, instance=instance)
    assert summary.success and summary.days is None  # no day ran
    assert not {"articles", "rejected_inputs", "sentences"} & {a.asset for a in summary.assets}
    assert _files_written(wh) == before  # every file as it was, from the first run
    # One changed day: that day alone is parsed and rewritten.
    day_file(three_days, "2025-03-02", [rec(4, "wire", "2025-03-02", STORY_B), rec(8, "wire", "2025-03-02", STORY_C)])
    summary = materialize_assets(three_days, wh, instance=instance)
    assert summary.success and summary.days == ("2025-03-02", "2025-03-02")
    after = _files_written(wh)
    assert after["articles/2025-03-01/part-0.parquet"] == before["articles/2025-03-01/part-0.parquet"]
    assert after["articles/2025-03-02/part-0.parquet"] != before["articles/2025-03-02/part-0.parquet"]
    # Other parse settings rebuild every day parsed with the old ones.
    monkeypatch.setenv("NEWSDAG_FIRST_DAY", "2025-03-02")
    summary = materialize_assets(three_days, wh, instance=instance)
    assert summary.success and summary.days == ("2025-03-01", "2025-03-02")
    assert pd.read_parquet(wh / "rejected_inputs").reason.tolist() == ["outside_partitions"] * 2
