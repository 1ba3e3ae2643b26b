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

ALL_CHECKS = [articles_unique_id, articles_text_not_empty, rejected_share]
