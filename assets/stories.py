"""Stories group: TF-IDF neighbours within a time window -> story_clusters -> stories."""

import json
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from assets.incremental import basis_json, footer, footer_metadata, plan_run
from assets.io_manager import columns_in, file_in
from assets.outputs import OWNERS, image_markdown, table_output
from assets.resources import ComputeResource, NewsdagSettings
from assets.settings import settings_config
from newsdag.features import load_tfidf
from newsdag.incremental import UNCHANGED
from newsdag.plots import reuse_heatmap, story_size_histogram, story_timeline
from newsdag.schemas import TABLES
from newsdag.stories import StorySettings, cluster_stories, summarise_stories
from newsdag.threads import ThreadSettings, build_story_threads

GROUP = "stories"
# Bump when a change to the code changes story_clusters: the next run then rebuilds it.
# 3: centroid similarities summed in term order (they differ from 2 in the last bit).
# 4: time-weighted similarity (half_life_hours), day-only articles at noon.
# 5: never across two languages (within_language). 6: a resolution per kind of text (node_sizes).
STORY_CLUSTERS_VERSION = "7"
StoryConfig = settings_config(StorySettings, "StoryConfig")
ThreadConfig = settings_config(ThreadSettings, "ThreadConfig")


@asset(group_name=GROUP, description=TABLES["story_clusters"].description, owners=OWNERS,
       kinds={"python", "igraph", "parquet"}, code_version=STORY_CLUSTERS_VERSION,
       ins={"articles": columns_in("articles", "article_id", "published", "published_precision", "day", "language",
                                   "n_words"),
            "tfidf_features": file_in("tfidf_features"),
            # Only the number of terms is needed, not the terms.
            "tfidf_vocabulary": columns_in("tfidf_vocabulary", "term_id")})
def story_clusters(context: AssetExecutionContext, config: StoryConfig, settings: NewsdagSettings,
                   compute: ComputeResource, articles: pd.DataFrame, tfidf_features: Path, tfidf_vocabulary: pd.DataFrame):
    """Cluster the articles into stories. Incremental: only articles from the
    trailing window before the earliest changed day are clustered again; older
    ones keep their stories and story ids."""
    story_settings = config.settings()
    settings_json = json.dumps(story_settings.as_dict(), sort_keys=True)
    tfidf_footer = footer(settings.warehouse, "tfidf_features")
    basis = basis_json(code_version=STORY_CLUSTERS_VERSION, settings=settings_json, trailing_days=settings.trailing_days,
                       tfidf=[tfidf_footer.get("settings"), tfidf_footer.get("code_version")])
    plan, previous = plan_run(context, settings, ["story_clusters"], basis)
    backend = compute.get_backend(workers=settings.n_workers)
    if plan.mode == UNCHANGED:
        clusters = previous["story_clusters"]
    else:
        X, _ = load_tfidf(tfidf_features, tfidf_vocabulary, articles["article_id"])
        clusters = cluster_stories(articles, X, story_settings, previous.get("story_clusters"), plan.recompute_from,
                                   backend=backend)
    sizes = clusters.groupby("story_id").size()
    return table_output(clusters, metadata={
        **footer_metadata(settings_json, basis, plan),
        "compute_backend": MetadataValue.text(backend.label),
        "n_stories": MetadataValue.int(int(len(sizes))),
        "n_singletons": MetadataValue.int(int((sizes == 1).sum())),
        "mean_story_size": MetadataValue.float(float(sizes.mean()) if len(sizes) else 0.0),
        "largest_story": MetadataValue.int(int(sizes.max()) if len(sizes) else 0),
        "story_sizes": image_markdown(story_size_histogram(sizes), "story sizes"),
    })


@asset(group_name=GROUP, description=TABLES["stories"].description, owners=OWNERS,
       kinds={"python", "pandas", "parquet"}, code_version="1",
       ins={"articles": columns_in("articles", "article_id", "source", "published", "title"), "tfidf_features": file_in("tfidf_features")})
def stories(context: AssetExecutionContext, articles: pd.DataFrame, story_clusters: pd.DataFrame,
            tfidf_features: Path, tfidf_vocabulary: pd.DataFrame, source_overlap: pd.DataFrame):
    """The story table for people. It also reads source_overlap, so that the
    stories page shows who reused whom across these stories as a heatmap."""
    X, _ = load_tfidf(tfidf_features, tfidf_vocabulary, articles["article_id"])
    table = summarise_stories(articles, story_clusters, X, tfidf_vocabulary)
    top = table.sort_values(["n_articles", "story_id"], ascending=[False, True]).head(10)
    preview = "\n".join(
        f"| {r.headline[:90]} | {r.n_articles} | {r.n_sources} | {', '.join(r.sources[:5])}{'…' if len(r.sources) > 5 else ''} | "
        f"{r.first_published.date() if pd.notna(r.first_published) else 'undated'} |"
        for r in top.itertuples())
    return table_output(table, metadata={
        "n_stories": MetadataValue.int(len(table)),
        "mean_story_size": MetadataValue.float(float(table["n_articles"].mean()) if len(table) else 0.0),
        "timeline": image_markdown(story_timeline(table), "largest stories over time"),
        "story_sizes": image_markdown(story_size_histogram(table["n_articles"]), "story sizes"),
        "largest_stories": MetadataValue.md("| headline | articles | outlets | sources | first seen |\n|---|---|---|---|---|\n" + preview),
        "n_multi_source_stories": MetadataValue.int(int((table["n_sources"] > 1).sum())),
        "reuse_heatmap": image_markdown(reuse_heatmap(source_overlap), "outlet-by-outlet reuse heatmap"),
    })


@asset(group_name=GROUP, description=TABLES["story_threads"].description, owners=OWNERS,
       kinds={"python", "scipy", "parquet"}, code_version="1",
       ins={"articles": columns_in("articles", "article_id", "published", "published_precision", "language"),
            "tfidf_features": file_in("tfidf_features"),
            "tfidf_vocabulary": columns_in("tfidf_vocabulary", "term_id")})
def story_threads(config: ThreadConfig, articles: pd.DataFrame, story_clusters: pd.DataFrame,
                  tfidf_features: Path, tfidf_vocabulary: pd.DataFrame):
    """Link the stories of one developing event across days and languages."""
    thread_settings = config.settings()
    X, _ = load_tfidf(tfidf_features, tfidf_vocabulary, articles["article_id"])
    table = build_story_threads(articles, story_clusters, X, thread_settings)
    multi = table[table["n_stories"] > 1]
    return table_output(table, metadata={
        "settings": MetadataValue.json(thread_settings.as_dict()),
        "n_threads": MetadataValue.int(len(table)),
        "n_threads_of_several_stories": MetadataValue.int(len(multi)),
        "n_multilingual_threads": MetadataValue.int(int((table["languages"].map(len) > 1).sum())),
        "largest_thread_stories": MetadataValue.int(int(table["n_stories"].max()) if len(table) else 0),
    })
