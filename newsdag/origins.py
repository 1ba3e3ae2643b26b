"""One origin per article: original or derived, and the earliest source along chains of derivation.

article_overlap answers "how much does b take from a" pair by pair; a reader
asking "where does this article come from?" wants one answer. Each derived
article's *source* is the article it takes most from (highest reuse score,
newsdag.overlap.reuse_score, among its pairs labelled wholly or partially
derived); an exact copy's source is the text it copies (articles.duplicate_of).
Its *origin* is found by following sources until an article that derives from
none: a rewrite of a rewrite points to the first article, and two rewrites of
one original that resemble each other more than the original still reach it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from newsdag.outlets import derived_view

ORIGIN_COLUMNS = ["article_id", "status", "source_article_id", "origin_article_id", "n_hops", "derivation",
                  "reuse_kind", "reuse_score", "evidence", "evidence_article_a", "evidence_article_b"]


def direct_sources(overlap: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Each derived article's one source, indexed by ``derived_id``.

    ``overlap``: article_overlap rows; ``articles``: ``article_id``,
    ``published`` and ``duplicate_of``. Among an article's pairs with
    derivation ``wholly`` or ``partially`` (it being the derived side), the
    source is the one with the highest reuse score; ties go to the earlier
    source, then the smaller id. An exact copy (``duplicate_of`` set) has its
    duplicate as source, with reuse score 1, derivation ``wholly`` and kind
    ``verbatim``: it has no pairs, as it has no features of its own.
    Columns: ``source_id``, ``derivation``, ``reuse_kind``, ``reuse``,
    ``evidence`` (``article_overlap`` or ``duplicate_of``), ``pair_a``, ``pair_b``.
    """
    published = articles.set_index("article_id")["published"]
    v = derived_view(overlap)
    v = v[v["derivation"] != "non"]
    pairs = pd.DataFrame({
        "derived_id": v["derived_id"].to_numpy(), "source_id": v["origin_id"].to_numpy(),
        "derivation": v["derivation"].to_numpy(), "reuse_kind": v["reuse_kind"].to_numpy(),
        "reuse": v["reuse"].to_numpy(dtype=np.float64), "evidence": "article_overlap",
        "pair_a": v["article_a"].to_numpy(), "pair_b": v["article_b"].to_numpy(),
    })
    dup = articles[articles["duplicate_of"].notna()]
    copies = pd.DataFrame({
        "derived_id": dup["article_id"].to_numpy(), "source_id": dup["duplicate_of"].to_numpy(),
        "derivation": "wholly", "reuse_kind": "verbatim", "reuse": 1.0, "evidence": "duplicate_of",
        "pair_a": None, "pair_b": None,
    })
    both = pd.concat([copies, pairs], ignore_index=True) if len(copies) else pairs
    both["source_published"] = pd.to_datetime(both["source_id"].map(published), utc=True)
    both = both.sort_values(["derived_id", "reuse", "source_published", "source_id"],
                            ascending=[True, False, True, True], na_position="last", kind="stable")
    return both.drop_duplicates("derived_id").set_index("derived_id").drop(columns="source_published")


def follow_sources(source_of: dict[str, str], article_id: str) -> tuple[str, int]:
    """``(origin, hops)``: the article reached from ``article_id`` by following
    ``source_of`` (derived -> source) until an article with no source. A cycle
    (possible only among articles of the same time, whose pairs' origins were
    decided by containment) stops before it repeats an article."""
    seen = {article_id}
    current, hops = article_id, 0
    while current in source_of and source_of[current] not in seen:
        current = source_of[current]
        seen.add(current)
        hops += 1
    return current, hops


def article_origins(overlap: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The ``article_origins`` table: one row per article of ``articles``.

    Inputs as for :func:`direct_sources`. Columns: ``article_id``;
    ``status`` (``original`` or ``derived``); ``source_article_id`` (the
    article it takes most from; null for an original); ``origin_article_id``
    (the earliest source along the chain of sources; the article itself for
    an original); ``n_hops`` (int64, sources followed to reach the origin; 0
    for an original); ``derivation``, ``reuse_kind`` and ``reuse_score``
    (float64) of the article against its source; ``evidence`` (where the
    derivation was seen: ``article_overlap``, whose row is
    (``evidence_article_a``, ``evidence_article_b``), or ``duplicate_of``).
    The evidence columns are null for an original. Sorted by ``article_id``.
    """
    ids = articles["article_id"].astype(object).to_numpy()
    known = set(ids)
    src = direct_sources(overlap, articles)
    src = src[src.index.isin(known) & src["source_id"].isin(known)]
    source_of = src["source_id"].to_dict()
    walked = [follow_sources(source_of, a) for a in ids]
    row = src.reindex(ids)
    derived = row["source_id"].notna().to_numpy()
    out = pd.DataFrame({
        "article_id": ids,
        "status": np.where(derived, "derived", "original"),
        "source_article_id": row["source_id"].to_numpy(dtype=object),
        "origin_article_id": np.array([w[0] for w in walked], dtype=object),
        "n_hops": np.array([w[1] for w in walked], dtype=np.int64),
        "derivation": row["derivation"].to_numpy(dtype=object),
        "reuse_kind": row["reuse_kind"].to_numpy(dtype=object),
        "reuse_score": row["reuse"].to_numpy(dtype=np.float64),
        "evidence": row["evidence"].to_numpy(dtype=object),
        "evidence_article_a": row["pair_a"].to_numpy(dtype=object),
        "evidence_article_b": row["pair_b"].to_numpy(dtype=object),
    })
    return out.sort_values("article_id", kind="stable").reset_index(drop=True)[ORIGIN_COLUMNS]
