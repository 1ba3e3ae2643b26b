"""Overlap group: candidate pairs -> article_overlap, reused_passages, sentence_alignments -> outlet tables."""

import json
from collections import Counter
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetOut, MetadataValue, asset, multi_asset

from assets.incremental import basis_json, footer, footer_metadata, plan_run
from assets.io_manager import columns_in, file_in, partitions_in
from assets.outputs import OWNERS, image_markdown, table_output
from assets.resources import ComputeResource, NewsdagSettings
from assets.settings import settings_config
from newsdag.features import load_tfidf
from newsdag.origins import article_origins as origins_table
from newsdag.outlets import source_overlap, source_stats
from newsdag.plots import reuse_heatmap
from newsdag.incremental import FULL, UNCHANGED
from newsdag.overlap import (
    OverlapSettings, WarehouseTexts, compute_overlap, compute_overlap_incremental, previous_pieces,
)
from newsdag.schemas import TABLES
from newsdag.storage import PartitionedTable, TableWriter

GROUP = "overlap"
# Bump when a change to the code changes the overlap tables: the next run then rebuilds them.
OVERLAP_VERSION = "2"
OverlapConfig = settings_config(OverlapSettings, "OverlapConfig")


def _out(name: str, kinds: set[str]) -> AssetOut:
    return AssetOut(group_name=GROUP, description=TABLES[name].description, owners=OWNERS, kinds=kinds, code_version=OVERLAP_VERSION)


class _OverlapWriters:
    """The sink of the comparison: each piece of the three tables is written
    at once (newsdag.storage.TableWriter), and the figures the materialisation
    reports are counted as the pieces pass."""

    def __init__(self, warehouse):
        self.writers = {t: TableWriter(t, warehouse / t) for t in ("article_overlap", "reused_passages", "sentence_alignments")}
        self.derivation: Counter = Counter()
        self.reuse_kind: Counter = Counter()
        self.longest_passage_words = 0

    def __call__(self, pairs: pd.DataFrame, passages: pd.DataFrame, alignments: pd.DataFrame) -> None:
        for writer, piece in zip(self.writers.values(), (pairs, passages, alignments)):
            writer.append(piece)
        self.derivation.update(pairs["derivation"].value_counts().to_dict())
        self.reuse_kind.update(pairs["reuse_kind"].value_counts().to_dict())
        if len(passages):
            self.longest_passage_words = max(self.longest_passage_words, int(passages["n_words"].max()))

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()


@multi_asset(outs={
    "article_overlap": _out("article_overlap", {"python", "numpy", "parquet"}),
    "reused_passages": _out("reused_passages", {"python", "numpy", "parquet"}),
    "sentence_alignments": _out("sentence_alignments", {"scikit-learn", "parquet"}),
}, ins={"articles": partitions_in("articles"), "sentences": partitions_in("sentences"),
        "tfidf_features": file_in("tfidf_features"),
        "tfidf_vocabulary": columns_in("tfidf_vocabulary", "term_id")})
def overlap(context: AssetExecutionContext, config: OverlapConfig, settings: NewsdagSettings,
            compute: ComputeResource, articles: PartitionedTable, sentences: PartitionedTable,
            story_clusters: pd.DataFrame, tfidf_features: Path, tfidf_vocabulary: pd.DataFrame):
    """Compare every candidate pair: shingles, shared passages, sentence alignment,
    origin and derivation. Incremental like story_clusters: pairs of two older
    articles are kept as they were. Article texts and sentences are read a day
    at a time and the tables written as they are made, so memory follows the
    time window, not the corpus."""
    overlap_settings = config.settings()
    if overlap_settings.window_days > settings.trailing_days:
        raise ValueError(f"overlap window_days ({overlap_settings.window_days}) must not exceed the trailing window "
                         f"({settings.trailing_days} days): no two articles further apart are ever compared")
    settings_json = json.dumps(overlap_settings.as_dict(), sort_keys=True)
    basis = basis_json(code_version=OVERLAP_VERSION, settings=settings_json, trailing_days=settings.trailing_days,
                       stories=footer(settings.warehouse, "story_clusters").get("basis"))
    tables = ["article_overlap", "reused_passages", "sentence_alignments"]
    # The previous tables are read a row group at a time as they are copied, never whole.
    plan, previous = plan_run(context, settings, tables, basis, read=False)
    backend = compute.get_backend(workers=settings.n_workers)
    graph = articles.read(columns=["article_id", "published", "day", "duplicate_of"])
    sink = _OverlapWriters(settings.warehouse)
    try:
        if plan.mode == UNCHANGED:
            for piece in previous_pieces(previous):
                sink(*piece)
        else:
            X, _ = load_tfidf(tfidf_features, tfidf_vocabulary, graph["article_id"])
            texts = WarehouseTexts(articles, sentences, graph.set_index("article_id")["day"])
            if plan.mode == FULL:
                compute_overlap(graph, texts, story_clusters, X, overlap_settings, backend=backend, sink=sink)
            else:
                compute_overlap_incremental(graph, texts, story_clusters, X, previous, plan.recompute_from,
                                            overlap_settings, backend, sink)
    except BaseException:
        sink.abort()
        raise
    del previous
    writers = sink.writers
    n_pairs = writers["article_overlap"].rows
    n_derived = n_pairs - sink.derivation.get("non", 0)
    common = footer_metadata(settings_json, basis, plan)
    yield table_output(writers["article_overlap"], "article_overlap", metadata={
        **common,
        "compute_backend": MetadataValue.text(backend.label),
        # The processes that compared pairs (local backend); the tables do not depend on it.
        **({"pair_workers": MetadataValue.int(backend.workers)} if hasattr(backend, "workers") else {}),
        "pairs_per_article": MetadataValue.float(float(n_pairs / max(len(graph), 1))),
        "share_derived": MetadataValue.float(float(n_derived / n_pairs) if n_pairs else 0.0),
        "derivation": MetadataValue.json(dict(sink.derivation.most_common())),
        "reuse_kind": MetadataValue.json(dict(sink.reuse_kind.most_common())),
    })
    yield table_output(writers["reused_passages"], "reused_passages", metadata={
        **common, "longest_passage_words": MetadataValue.int(sink.longest_passage_words)})
    yield table_output(writers["sentence_alignments"], "sentence_alignments", metadata=common)


@multi_asset(
    outs={"source_overlap": _out("source_overlap", {"pandas", "parquet"}),
          "source_stats": _out("source_stats", {"pandas", "parquet"})},
    ins={"article_overlap": AssetIn("article_overlap"),
         "articles": columns_in("articles", "article_id", "source", "published", "n_words"),
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


@asset(group_name=GROUP, description=TABLES["article_origins"].description, owners=OWNERS,
       kinds={"pandas", "parquet"}, code_version="1",
       ins={"article_overlap": AssetIn("article_overlap"),
            "articles": columns_in("articles", "article_id", "published", "duplicate_of")})
def article_origins(article_overlap: pd.DataFrame, articles: pd.DataFrame):
    """Where each article comes from: original, or derived with its earliest source."""
    table = origins_table(article_overlap, articles)
    derived = table[table["status"] == "derived"]
    return table_output(table, metadata={
        "n_original": MetadataValue.int(len(table) - len(derived)),
        "n_derived": MetadataValue.int(len(derived)),
        "n_hops": MetadataValue.json({str(k): int(v) for k, v in derived["n_hops"].value_counts().sort_index().items()}),
        "derived_by_reuse_kind": MetadataValue.json(derived["reuse_kind"].value_counts().sort_index().to_dict()),
    })
