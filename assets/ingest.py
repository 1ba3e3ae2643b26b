"""Ingest group: raw_files -> articles + rejected_inputs -> sentences."""

import pandas as pd
from dagster import AssetExecutionContext, AssetOut, MetadataValue, asset, multi_asset

from assets.outputs import OWNERS, table_output
from assets.resources import NewsdagSettings
from newsdag.ingest import parse_raw_files, scan_raw_files, split_sentences
from newsdag.schemas import TABLES

GROUP = "ingest"

@asset(
    group_name=GROUP,
    description=TABLES["raw_files"].description,
    owners=OWNERS,
    kinds={"python", "parquet"},
    code_version="1",
)
def raw_files(context: AssetExecutionContext, settings: NewsdagSettings):
    df = scan_raw_files(settings.raw_root)
    context.log.info(f"{len(df)} files under {settings.raw_root}")
    return table_output(df, metadata={
        "raw_root": MetadataValue.path(str(settings.raw_root)),
        "total_bytes": MetadataValue.int(int(df["size_bytes"].sum())),
        "files_by_format": MetadataValue.json(df["format"].value_counts().sort_index().to_dict()),
    })

@multi_asset(
    outs={
        "articles": AssetOut(
            group_name=GROUP, description=TABLES["articles"].description, owners=OWNERS,
            kinds={"python", "pandas", "parquet"}, code_version="1",
        ),
        "rejected_inputs": AssetOut(
            group_name=GROUP, description=TABLES["rejected_inputs"].description, owners=OWNERS,
            kinds={"python", "pandas", "parquet"}, code_version="1",
        ),
    },
)
def parse_articles(context: AssetExecutionContext, settings: NewsdagSettings, raw_files: pd.DataFrame):
    """Parse every raw file: good records become articles, the rest rejected_inputs."""
    articles, rejected = parse_raw_files(settings.raw_root, raw_files, settings.limits)
    by_reason = rejected["reason"].value_counts().sort_index().to_dict()
    if by_reason:
        context.log.warning(f"{len(rejected)} inputs rejected: {by_reason}")
    yield table_output(articles, "articles", metadata={
        "n_sources": MetadataValue.int(int(articles["source"].nunique())),
        "n_duplicates": MetadataValue.int(int(articles["duplicate_of"].notna().sum())),
        "n_undated": MetadataValue.int(int(articles["published"].isna().sum())),
    })
    yield table_output(rejected, "rejected_inputs", metadata={
        "rejections_by_reason": MetadataValue.json(by_reason),
        "n_files_rejected_whole": MetadataValue.int(int(rejected["line"].isna().sum())),
    })

@asset(
    group_name=GROUP,
    description=TABLES["sentences"].description,
    owners=OWNERS,
    kinds={"python", "pandas", "parquet"},
    code_version="1",
)
def sentences(articles: pd.DataFrame):
    df = split_sentences(articles)
    per_article = df.groupby("article_id").size()
    return table_output(df, metadata={
        "mean_sentences_per_article": MetadataValue.float(float(per_article.mean()) if len(per_article) else 0.0),
    })
