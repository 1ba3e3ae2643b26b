"""Features group: articles -> tfidf_vocabulary + tfidf_features."""


from dagster import AssetOut, MetadataValue, multi_asset

from assets.io_manager import partitions_in
from assets.outputs import OWNERS, SETTINGS_KEY, table_output
from assets.resources import ComputeResource
from assets.settings import settings_config
from newsdag.features import DayDocuments, TfidfSettings, features_table
from newsdag.schemas import TABLES
from newsdag.storage import PartitionedTable

GROUP = "features"
TfidfConfig = settings_config(TfidfSettings, "TfidfConfig")


@multi_asset(
    # code version 2: each article analysed in its own language (newsdag.analysis).
    outs={
        "tfidf_vocabulary": AssetOut(group_name=GROUP, description=TABLES["tfidf_vocabulary"].description,
                                     owners=OWNERS, kinds={"scikit-learn", "pandas", "parquet"}, code_version="2"),
        "tfidf_features": AssetOut(group_name=GROUP, description=TABLES["tfidf_features"].description,
                                   owners=OWNERS, kinds={"scikit-learn", "scipy", "parquet"}, code_version="2"),
    },
    ins={"articles": partitions_in("articles")},
)
def tfidf(config: TfidfConfig, compute: ComputeResource, articles: PartitionedTable):
    """Fit TF-IDF on every article's title and text (on the compute backend),
    reading the articles a day at a time."""
    settings = config.settings()
    backend = compute.get_backend()
    documents = DayDocuments(articles)
    vocabulary, X = backend.fit_tfidf(documents, settings)
    features = features_table(X, documents.article_ids)
    yield table_output(vocabulary, "tfidf_vocabulary", metadata={
        SETTINGS_KEY: MetadataValue.json(settings.as_dict()), "n_terms": MetadataValue.int(len(vocabulary)),
        "compute_backend": MetadataValue.text(backend.label)})
    yield table_output(features, "tfidf_features", metadata={
        SETTINGS_KEY: MetadataValue.json(settings.as_dict()),
        "mean_terms_per_article": MetadataValue.float(float(X.nnz / max(X.shape[0], 1)))})
