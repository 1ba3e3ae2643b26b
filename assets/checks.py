"""Asset checks, beside the assets they guard. Blocking checks stop bad data
from flowing downstream; the rest warn."""

import pandas as pd
from dagster import (
    AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetIn, MetadataValue, asset_check,
    multi_asset_check,
)

from assets.io_manager import columns_in, partitions_in
from assets.resources import NewsdagSettings
from newsdag.overlap import WarehouseTexts, passage_problems
from newsdag.storage import PartitionedTable, read_partitions, table_file


# An asset's blocking checks run in one op (a multi-asset check): Dagster
# orders the inputs of downstream steps on several check ops by set order,
# which varies from process to process and would make the job's snapshot
# differ between the CLI and the UI's code server (see assets/run.py).
def articles_unique_id(articles: pd.DataFrame) -> AssetCheckResult:
    """article_id is unique."""
    dups = articles["article_id"][articles["article_id"].duplicated()]
    return AssetCheckResult(check_name="articles_unique_id", asset_key="articles", passed=dups.empty,
                            metadata={"n_duplicate_ids": len(dups), "examples": MetadataValue.json(dups.head(5).tolist())})


def articles_text_not_empty(articles: pd.DataFrame) -> AssetCheckResult:
    """No article has empty text."""
    empty = articles["article_id"][articles["text"].fillna("").str.strip() == ""]
    return AssetCheckResult(check_name="articles_text_not_empty", asset_key="articles", passed=empty.empty,
                            metadata={"n_empty": len(empty), "examples": MetadataValue.json(empty.head(5).tolist())})


@multi_asset_check(specs=[
    AssetCheckSpec("articles_unique_id", asset="articles", blocking=True, description="article_id is unique."),
    AssetCheckSpec("articles_text_not_empty", asset="articles", blocking=True, description="No article has empty text."),
], ins={"articles": AssetIn("articles")})
def articles_checks(articles: pd.DataFrame):
    yield articles_unique_id(articles)
    yield articles_text_not_empty(articles)

REJECTED_SHARE_WARN = 0.5

@asset_check(asset="rejected_inputs", additional_ins={"raw_files": AssetIn("raw_files")}, description=f"Under {REJECTED_SHARE_WARN:.0%} of the raw files first seen on the run's days are rejected whole (a warning: one bad feed should not stop the day).")
def rejected_share(context: AssetCheckExecutionContext, rejected_inputs: pd.DataFrame, raw_files: pd.DataFrame) -> AssetCheckResult:
    run = context.op_execution_context
    days = set(run.partition_keys) if run.has_partition_key_range or run.has_partition_key else None
    seen = raw_files["first_seen"].dt.strftime("%Y-%m-%d")
    n_files = int(seen.isin(days).sum()) if days is not None else len(raw_files)
    n_bad = rejected_inputs.loc[rejected_inputs["line"].isna(), "raw_path"].nunique()
    share = n_bad / n_files if n_files else 0.0
    return AssetCheckResult(passed=share <= REJECTED_SHARE_WARN, severity=AssetCheckSeverity.WARN,
                            metadata={"rejected_file_share": MetadataValue.float(share),
                                      "n_files": n_files, "n_rejected_files": n_bad})


def every_article_in_one_story(story_clusters: pd.DataFrame, articles: pd.DataFrame) -> AssetCheckResult:
    """Every article is in exactly one story, and every row is an article."""
    counts = story_clusters["article_id"].value_counts()
    multi = counts[counts > 1].index.tolist()
    missing = sorted(set(articles["article_id"]) - set(story_clusters["article_id"]))
    unknown = sorted(set(story_clusters["article_id"]) - set(articles["article_id"]))
    return AssetCheckResult(check_name="every_article_in_one_story", asset_key="story_clusters",
                            passed=not (multi or missing or unknown), metadata={
        "n_in_several_stories": len(multi), "n_missing": len(missing), "n_unknown": len(unknown),
        "examples": MetadataValue.json((multi + missing + unknown)[:5])})


def story_similarity_in_range(story_clusters: pd.DataFrame) -> AssetCheckResult:
    """similarity is within [0, 1]."""
    s = story_clusters["similarity"]
    bad = int(((s < -1e-6) | (s > 1 + 1e-6) | s.isna()).sum())
    return AssetCheckResult(check_name="story_similarity_in_range", asset_key="story_clusters", passed=bad == 0,
                            metadata={"n_out_of_range": bad})


@multi_asset_check(specs=[
    AssetCheckSpec("every_article_in_one_story", asset="story_clusters", blocking=True, additional_deps=["articles"],
                   description="Every article is in exactly one story, and every row is an article."),
    AssetCheckSpec("story_similarity_in_range", asset="story_clusters", blocking=True,
                   description="similarity is within [0, 1]."),
], ins={"story_clusters": AssetIn("story_clusters")})
def story_clusters_checks(settings: NewsdagSettings, story_clusters: pd.DataFrame):
    # articles is a dependency, read here for its ids alone (a multi-asset
    # check's inputs cannot carry the column selection of columns_in).
    articles = read_partitions(settings.warehouse, "articles", columns=["article_id"])
    yield every_article_in_one_story(story_clusters, articles)
    yield story_similarity_in_range(story_clusters)


@asset_check(asset="story_threads", additional_ins={"story_clusters": AssetIn("story_clusters")}, blocking=True,
             description="Every story is in exactly one thread, and every thread's stories are stories.")
def every_story_in_one_thread(story_threads: pd.DataFrame, story_clusters: pd.DataFrame) -> AssetCheckResult:
    threaded = story_threads["story_ids"].explode().dropna()
    stories = set(story_clusters["story_id"])
    n_repeated = int(threaded.duplicated().sum())
    n_missing = len(stories - set(threaded))
    n_unknown = len(set(threaded) - stories)
    return AssetCheckResult(passed=n_repeated == n_missing == n_unknown == 0,
                            metadata={"n_repeated": n_repeated, "n_missing": n_missing, "n_unknown": n_unknown})


@asset_check(asset="article_overlap", blocking=True,
             description="Containment, Jaccard and aligned shares are within [0, 1]; labels are known values.")
def overlap_metrics_in_range(article_overlap: pd.DataFrame) -> AssetCheckResult:
    cols = ["containment_a_in_b", "containment_b_in_a", "jaccard", "aligned_sentence_share_a", "aligned_sentence_share_b"]
    bad = {c: int((~article_overlap[c].between(0, 1)).sum()) for c in cols}
    bad["derivation"] = int((~article_overlap["derivation"].isin(["wholly", "partially", "non"])).sum())
    bad["reuse_kind"] = int((~article_overlap["reuse_kind"].isin(["verbatim", "paraphrase", "mixed", "none"])).sum())
    return AssetCheckResult(passed=sum(bad.values()) == 0, metadata={"n_bad_by_column": MetadataValue.json(bad)})


def _offsets_outside(spans: pd.DataFrame, lengths: pd.Series, id_col: str, start: str, end: str) -> int:
    n = spans[id_col].map(lengths)
    return int((n.isna() | (spans[start] < 0) | (spans[end] > n) | (spans[start] >= spans[end])).sum())


@asset_check(asset="reused_passages", additional_ins={"articles": partitions_in("articles")}, blocking=True,
             description="Every passage's offsets lie within both articles' text, and the text is the slice.")
def passage_offsets_valid(settings: NewsdagSettings, articles: PartitionedTable) -> AssetCheckResult:
    # The passages' file a row group at a time and the texts a few days at a
    # time: at a million articles neither fits beside the other whole.
    day_of = articles.read(columns=["article_id", "day"]).set_index("article_id")["day"]
    bad, mismatched = passage_problems(table_file(settings.warehouse, "reused_passages"),
                                       WarehouseTexts(articles, None, day_of))
    return AssetCheckResult(passed=bad == 0 and mismatched == 0,
                            metadata={"n_out_of_range": bad, "n_text_mismatch": mismatched})


@asset_check(asset="sentences", additional_ins={"articles": columns_in("articles", "article_id", "text")}, blocking=True,
             description="Every sentence's offsets lie within its article's text.")
def sentence_offsets_valid(sentences: pd.DataFrame, articles: pd.DataFrame) -> AssetCheckResult:
    lengths = articles.set_index("article_id")["text"].str.len()
    bad = _offsets_outside(sentences, lengths, "article_id", "char_start", "char_end")
    return AssetCheckResult(passed=bad == 0, metadata={"n_out_of_range": bad})


@asset_check(asset="source_stats", description="Shares and originality are within [0, 1].")
def source_stats_in_range(source_stats: pd.DataFrame) -> AssetCheckResult:
    cols = ["derived_share", "originality"]
    bad = {c: int((~source_stats[c].between(0, 1)).sum()) for c in cols}
    first = source_stats["first_to_report_share"].dropna()
    bad["first_to_report_share"] = int((~first.between(0, 1)).sum())
    return AssetCheckResult(passed=sum(bad.values()) == 0, metadata={"n_bad_by_column": MetadataValue.json(bad)})


ALL_CHECKS = [every_story_in_one_thread, overlap_metrics_in_range, passage_offsets_valid, sentence_offsets_valid, source_stats_in_range, articles_checks,
              rejected_share, story_clusters_checks]
