"""Scores against gold labels: clustering (B-cubed, pairwise F1, NMI, ARI) and
article-body extraction (:func:`extraction_scores`).

The clustering functions take two equal-length label sequences (any hashable
values): ``predicted`` cluster labels and ``gold`` class labels, one per item.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


@dataclass(frozen=True)
class ClusterScores:
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    nmi: float
    ari: float
    n_items: int
    n_clusters: int
    n_classes: int

    def as_dict(self) -> dict:
        return asdict(self)


def _contingency(predicted, gold) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = pd.factorize(pd.Series(list(predicted)))[0]
    g = pd.factorize(pd.Series(list(gold)))[0]
    if len(p) != len(g):
        raise ValueError(f"predicted has {len(p)} labels, gold {len(g)}")
    cells = pd.Series(1, index=pd.MultiIndex.from_arrays([p, g])).groupby(level=[0, 1]).size()
    n_ij = cells.to_numpy(dtype=np.float64)
    cluster_size = np.bincount(p).astype(np.float64)
    class_size = np.bincount(g).astype(np.float64)
    rows = cells.index.get_level_values(0).to_numpy()
    cols = cells.index.get_level_values(1).to_numpy()
    return n_ij, cluster_size[rows], class_size[cols]


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def bcubed(predicted, gold) -> tuple[float, float, float]:
    """B-cubed (precision, recall, F1) (Bagga & Baldwin 1998), averaged over items."""
    n_ij, cluster_of_cell, class_of_cell = _contingency(predicted, gold)
    n = n_ij.sum()
    if n == 0:
        return 1.0, 1.0, 1.0
    precision = float((n_ij**2 / cluster_of_cell).sum() / n)
    recall = float((n_ij**2 / class_of_cell).sum() / n)
    return precision, recall, _f1(precision, recall)


def pairwise(predicted, gold) -> tuple[float, float, float]:
    """Pairwise (precision, recall, F1) over the item pairs put together."""
    n_ij, _, _ = _contingency(predicted, gold)
    p = pd.factorize(pd.Series(list(predicted)))[0]
    g = pd.factorize(pd.Series(list(gold)))[0]
    together_both = (n_ij * (n_ij - 1) / 2).sum()
    together_pred = sum(c * (c - 1) / 2 for c in np.bincount(p))
    together_gold = sum(c * (c - 1) / 2 for c in np.bincount(g))
    precision = float(together_both / together_pred) if together_pred else 1.0
    recall = float(together_both / together_gold) if together_gold else 1.0
    return precision, recall, _f1(precision, recall)


def score_clustering(predicted, gold) -> ClusterScores:
    """Every score at once, as a :class:`ClusterScores`."""
    bp, br, bf = bcubed(predicted, gold)
    pp, pr, pf = pairwise(predicted, gold)
    p = pd.factorize(pd.Series(list(predicted)))[0]
    g = pd.factorize(pd.Series(list(gold)))[0]
    return ClusterScores(bp, br, bf, pp, pr, pf, float(normalized_mutual_info_score(g, p)),
                         float(adjusted_rand_score(g, p)), len(p), int(p.max() + 1) if len(p) else 0,
                         int(g.max() + 1) if len(g) else 0)


_WORD = re.compile(r"\w+")


def _word_4grams(text: str) -> Counter:
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i:i + 4]) for i in range(len(words) - 3))


def extraction_scores(extracted: list[str], truth: list[str]) -> dict[str, float]:
    """The article-extraction benchmark's body scores (scrapinghub's metric).

    Inputs: two equal-length lists of texts, one pair per page: what an
    extractor returned (``""`` for nothing) and the hand-checked body.
    Each text is a multiset of word 4-grams (words are ``\\w+`` matches); per
    page TP, FP and FN are multiset overlaps; precision is averaged over the
    pages with TP+FP > 0, recall over those with TP+FN > 0, and a page whose
    two texts are both empty counts 1 for each. Returns ``precision``,
    ``recall`` and ``f1`` (the harmonic mean of the two means), floats in [0, 1].
    """
    if len(extracted) != len(truth):
        raise ValueError(f"{len(extracted)} extracted texts for {len(truth)} pages")
    precisions, recalls = [], []
    for got, want in zip(extracted, truth):
        a, b = _word_4grams(want), _word_4grams(got)
        tp = sum((a & b).values())
        fp = sum((b - a).values())
        fn = sum((a - b).values())
        if tp + fp + fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    p = float(np.mean(precisions)) if precisions else 0.0
    r = float(np.mean(recalls)) if recalls else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
