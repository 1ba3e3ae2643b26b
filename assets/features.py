"""Features group: articles -> tfidf_vocabulary + tfidf_features."""

import json

import pandas as pd
from dagster import AssetOut, MetadataValue, multi_asset

from assets.io_manager import columns_in
from assets.outputs import OWNERS, SETTINGS_KEY, table_output
from assets.resources import ComputeResource
from assets.settings import settings_config
from newsdag.features import TfidfSettings, document_text, features_table
from newsdag.schemas import TABLES

GROUP = "features"
TfidfConfig = settings_config(TfidfSettings, "TfidfConfig")


@multi_asset(
    outs={
        "tfidf_vocabulary": AssetOut(group_name=GROUP, description=TABLES["tfidf_vocabulary"].description,
                                     owners=OWNERS, kinds={"scikit-learn", "pandas", "parquet"}, code_version="1"),
        "tfidf_features": AssetOut(group_name=GROUP, description=TABLES["tfidf_features"].description,
                                   owners=OWNERS, kinds={"scikit-learn", "scipy", "parquet"}, code_version="1"),
    },
    ins={"articles": columns_in("articles", "article_id", "title", "text")},
)
def tfidf(config: TfidfConfig, compute: ComputeResource, articles: pd.DataFrame):
    """Fit TF-IDF on every article's title and text (on the compute backend)."""
    settings = config.settings()
    backend = compute.get_backend()
    vocabulary, X = backend.fit_tfidf(document_text(articles), settings)
    features = features_table(X, articles["article_id"])
    settings_json = json.dumps(settings.as_dict(), sort_keys=True)
    yield table_output(vocabulary, "tfidf_vocabulary", metadata={
        SETTINGS_KEY: settings_json, "n_terms": MetadataValue.int(len(vocabulary)),
        "compute_backend": MetadataValue.text(backend.label)})
    yield table_output(features, "tfidf_features", metadata={
        SETTINGS_KEY: settings_json,
        "mean_terms_per_article": MetadataValue.float(float(X.nnz / max(X.shape[0], 1)))})
