"""Asset checks, beside the assets they guard. Blocking checks stop bad data
from flowing downstream; the rest warn."""

import pandas as pd
from dagster import AssetCheckResult, AssetIn, AssetCheckSeverity, MetadataValue, asset_check

@asset_check(asset="articles", blocking=True, description="article_id is unique.")
def articles_unique_id(articles: pd.DataFrame) -> AssetCheckResult:
    dups = articles["article_id"][articles["article_id"].duplicated()]
    return AssetCheckResult(passed=dups.empty, metadata={"n_duplicate_ids": len(dups),
                                                         "examples": MetadataValue.json(dups.head(5).tolist())})

@asset_check(asset="articles", blocking=True, description="No article has empty text.")
def articles_text_not_empty(articles: pd.DataFrame) -> AssetCheckResult:
    empty = articles["article_id"][articles["text"].fillna("").str.strip() == ""]
    return AssetCheckResult(passed=empty.empty, metadata={"n_empty": len(empty),
                                                          "examples": MetadataValue.json(empty.head(5).tolist())})

REJECTED_SHARE_WARN = 0.5

@asset_check(asset="rejected_inputs", additional_ins={"raw_files": AssetIn("raw_files")}, description=f"Under {REJECTED_SHARE_WARN:.0%} of raw files are rejected whole (a warning: one bad feed should not stop the day).")
def rejected_share(rejected_inputs: pd.DataFrame, raw_files: pd.DataFrame) -> AssetCheckResult:
    n_files = len(raw_files)
    n_bad = rejected_inputs.loc[rejected_inputs["line"].isna(), "raw_path"].nunique()
    share = n_bad / n_files if n_files else 0.0
    return AssetCheckResult(passed=share <= REJECTED_SHARE_WARN, severity=AssetCheckSeverity.WARN,
                            metadata={"rejected_file_share": MetadataValue.float(share),
                                      "n_files": n_files, "n_rejected_files": n_bad})

@asset_check(asset="story_clusters", additional_ins={"articles": AssetIn("articles")}, blocking=True,
             description="Every article is in exactly one story, and every row is an article.")
def every_article_in_one_story(story_clusters: pd.DataFrame, articles: pd.DataFrame) -> AssetCheckResult:
    counts = story_clusters["article_id"].value_counts()
    multi = counts[counts > 1].index.tolist()
    missing = sorted(set(articles["article_id"]) - set(story_clusters["article_id"]))
    unknown = sorted(set(story_clusters["article_id"]) - set(articles["article_id"]))
    return AssetCheckResult(passed=not (multi or missing or unknown), metadata={
        "n_in_several_stories": len(multi), "n_missing": len(missing), "n_unknown": len(unknown),
        "examples": MetadataValue.json((multi + missing + unknown)[:5])})


@asset_check(asset="story_clusters", blocking=True, description="similarity is within [0, 1].")
def story_similarity_in_range(story_clusters: pd.DataFrame) -> AssetCheckResult:
    s = story_clusters["similarity"]
    bad = int(((s < -1e-6) | (s > 1 + 1e-6) | s.isna()).sum())
    return AssetCheckResult(passed=bad == 0, metadata={"n_out_of_range": bad})


ALL_CHECKS = [articles_unique_id, articles_text_not_empty, rejected_share, every_article_in_one_story,
              story_similarity_in_range]
