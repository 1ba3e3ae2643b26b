"""Compute backends: where the heavy stages run.

A backend has three methods, the heavy stages of the graph: ``fit_tfidf``
(TF-IDF over every article), ``neighbours`` (the time-windowed top-k
candidate graph) and ``compare_pairs`` (shingles, passages and sentence
alignment of every candidate pair). The rest of the graph (Leiden over the
edge list, the story and outlet tables) is the same code for every backend.

* :data:`LOCAL` (``NEWSDAG_COMPUTE=local``, the default): in this process, with
  scikit-learn, scipy and numpy.
* ``newsdag.spark.SparkBackend`` (``NEWSDAG_COMPUTE=spark``): the same stages
  as Spark jobs; see that module.
"""

from __future__ import annotations

import pandas as pd
import scipy.sparse as sp

from newsdag.features import TfidfSettings, fit_tfidf
from newsdag.neighbours import topk_neighbours
from newsdag.overlap import compare_pairs_here

BACKENDS = ("local", "spark")


class LocalBackend:
    """The heavy stages on this machine: in this process, and the neighbour
    search and the pair comparisons in ``workers`` processes
    (:func:`newsdag.neighbours.topk_neighbours`,
    :func:`newsdag.overlap.compare_pairs`)."""

    name = "local"
    label = "local"  # what the assets record as compute_backend

    def __init__(self, workers: int = 1):
        self.workers = workers

    def fit_tfidf(self, documents, settings: TfidfSettings = TfidfSettings()) -> tuple[pd.DataFrame, sp.csr_matrix]:
        """See :func:`newsdag.features.fit_tfidf`."""
        return fit_tfidf(documents, settings, workers=self.workers)

    def neighbours(self, X, days, k=10, min_similarity=0.1, window_days=2.0, half_life_hours=None) -> pd.DataFrame:
        """See :func:`newsdag.neighbours.topk_neighbours`."""
        return topk_neighbours(X, days, k=k, min_similarity=min_similarity, window_days=window_days,
                               half_life_hours=half_life_hours, workers=self.workers)

    def compare_pairs(self, articles: pd.DataFrame, texts, pairs: pd.DataFrame, settings, sink) -> None:
        """See :func:`newsdag.overlap.compare_pairs_here`."""
        compare_pairs_here(articles, texts, pairs, settings, sink, workers=self.workers)


LOCAL = LocalBackend()
