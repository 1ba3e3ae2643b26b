"""Overlap group: candidate pairs -> article_overlap, reused_passages, sentence_alignments -> outlet tables."""

import json

import pandas as pd
from dagster import AssetIn, AssetOut, MetadataValue, multi_asset

from assets.outputs import OWNERS, SETTINGS_KEY, image_markdown, table_output
from assets.settings import settings_config
from newsdag.features import load_tfidf
from newsdag.outlets import source_overlap, source_stats
from newsdag.plots import reuse_heatmap
from newsdag.overlap import OverlapSettings, compute_overlap
from newsdag.schemas import TABLES

GROUP = "overlap"
OverlapConfig = settings_config(OverlapSettings, "OverlapConfig")


def _out(name: str, kinds: set[str]) -> AssetOut:
    return AssetOut(group_name=GROUP, description=TABLES[name].description, owners=OWNERS, kinds=kinds, code_version="1")


@multi_asset(outs={
    "article_overlap": _out("article_overlap", {"python", "numpy", "parquet"}),
    "reused_passages": _out("reused_passages", {"python", "numpy", "parquet"}),
    "sentence_alignments": _out("sentence_alignments", {"scikit-learn", "parquet"}),
})
def overlap(config: OverlapConfig, articles: pd.DataFrame, sentences: pd.DataFrame, story_clusters: pd.DataFrame,
            tfidf_features: pd.DataFrame, tfidf_vocabulary: pd.DataFrame):
    """Compare every candidate pair: shingles, shared passages, sentence alignment, origin and derivation."""
    settings = config.settings()
    X, _ = load_tfidf(tfidf_features, tfidf_vocabulary, articles["article_id"])
    pairs, passages, alignments = compute_overlap(articles, sentences, story_clusters, X, settings)
    settings_json = json.dumps(settings.as_dict(), sort_keys=True)
    derived = pairs["derivation"] != "non"
    yield table_output(pairs, "article_overlap", metadata={
        SETTINGS_KEY: settings_json,
        "pairs_per_article": MetadataValue.float(float(len(pairs) / max(len(articles), 1))),
        "share_derived": MetadataValue.float(float(derived.mean()) if len(pairs) else 0.0),
        "derivation": MetadataValue.json(pairs["derivation"].value_counts().to_dict()),
        "reuse_kind": MetadataValue.json(pairs["reuse_kind"].value_counts().to_dict()),
    })
    yield table_output(passages, "reused_passages", metadata={
        SETTINGS_KEY: settings_json,
        "longest_passage_words": MetadataValue.int(int(passages["n_words"].max()) if len(passages) else 0)})
    yield table_output(alignments, "sentence_alignments", metadata={SETTINGS_KEY: settings_json})


@multi_asset(
    outs={"source_overlap": _out("source_overlap", {"pandas", "parquet"}),
          "source_stats": _out("source_stats", {"pandas", "parquet"})},
    ins={"article_overlap": AssetIn("article_overlap"), "articles": AssetIn("articles"),
         "story_clusters": AssetIn("story_clusters")},
)
def outlet_tables(article_overlap: pd.DataFrame, articles: pd.DataFrame, story_clusters: pd.DataFrame):
    """Aggregate the article pairs by outlet."""
    pairs = source_overlap(article_overlap, articles, story_clusters)
    stats = source_stats(article_overlap, articles, story_clusters)
    top = pairs[pairs.source_a != pairs.source_b].sort_values(["n_derived", "n_pairs"], ascending=False).head(10)
    yield table_output(pairs, "source_overlap", metadata={
        "reuse_heatmap": image_markdown(reuse_heatmap(pairs), "outlet-by-outlet reuse heatmap"),
        "top_reuse": MetadataValue.md(top.to_markdown(index=False) if len(top) else "_(no reuse across outlets)_")})
    derived_share = float((stats["derived_share"] * stats["n_articles"]).sum() / max(stats["n_articles"].sum(), 1))
    yield table_output(stats, "source_stats", metadata={
        "share_derived_articles": MetadataValue.float(derived_share),
        "mean_originality": MetadataValue.float(float(stats["originality"].mean()) if len(stats) else 1.0)})
