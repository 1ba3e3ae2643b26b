"""Outlet-level tables: who originates and who reuses, from the article pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from newsdag.overlap import reuse_score


def derived_view(overlap: pd.DataFrame) -> pd.DataFrame:
    """One row per article pair seen from its derived article.

    Columns: ``origin_id``, ``derived_id``, ``story_id``, ``containment`` (of
    the derived article's shingles in the origin), ``aligned_share`` (of its
    sentences), ``reuse`` (their geometric mean, newsdag.overlap.reuse_score), ``derivation``, ``reuse_kind``,
    and the pair's key ``article_a``, ``article_b``.
    """
    # In key order: floating-point sums, and so the outlet means, then do not
    # depend on the order the pairs were stored in.
    overlap = overlap.sort_values(["article_a", "article_b"], kind="stable")
    a_is_origin = overlap["origin_article_id"] == overlap["article_a"]
    containment = np.where(a_is_origin, overlap["containment_b_in_a"], overlap["containment_a_in_b"])
    aligned = np.where(a_is_origin, overlap["aligned_sentence_share_b"], overlap["aligned_sentence_share_a"])
    return pd.DataFrame({
        "origin_id": overlap["origin_article_id"].to_numpy(),
        "derived_id": np.where(a_is_origin, overlap["article_b"], overlap["article_a"]),
        "story_id": overlap["story_id"].to_numpy(),
        "containment": containment.astype(np.float64),
        "aligned_share": aligned.astype(np.float64),
        "reuse": reuse_score(containment.astype(np.float64), aligned.astype(np.float64)),
        "derivation": overlap["derivation"].to_numpy(),
        "reuse_kind": overlap["reuse_kind"].to_numpy(),
        "article_a": overlap["article_a"].to_numpy(),
        "article_b": overlap["article_b"].to_numpy(),
    })


def source_overlap(overlap: pd.DataFrame, articles: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """The ``source_overlap`` table: one row per ordered outlet pair with article pairs.

    ``source_a`` is the outlet of the origin article, ``source_b`` the outlet
    of the derived one (the two may be equal). ``n_shared_stories`` counts the
    stories in which both outlets published; ``n_pairs`` the candidate article
    pairs from a to b; ``n_derived`` those where b's article derives (wholly or
    partially) from a's; ``mean_containment`` and ``mean_aligned_share`` are
    the means over those pairs of the derived article's shingle containment
    and aligned-sentence share. Sorted by (source_a, source_b).
    """
    source = articles.set_index("article_id")["source"]
    v = derived_view(overlap)
    v["source_a"] = v["origin_id"].map(source).to_numpy()
    v["source_b"] = v["derived_id"].map(source).to_numpy()
    v["is_derived"] = v["derivation"] != "non"
    g = v.groupby(["source_a", "source_b"], sort=True)
    out = pd.DataFrame({
        "n_pairs": g.size().astype("int64"),
        "n_derived": g["is_derived"].sum().astype("int64"),
        "mean_containment": g["containment"].mean(),
        "mean_aligned_share": g["aligned_share"].mean(),
    }).reset_index()
    stories_of = clusters.assign(source=clusters["article_id"].map(source)).groupby("source")["story_id"].agg(set)
    out["n_shared_stories"] = [len(stories_of.get(a, set()) & stories_of.get(b, set()))
                               for a, b in zip(out["source_a"], out["source_b"])]
    out["n_shared_stories"] = out["n_shared_stories"].astype("int64")
    return out[["source_a", "source_b", "n_shared_stories", "n_pairs", "n_derived", "mean_containment",
                "mean_aligned_share"]]


def source_stats(overlap: pd.DataFrame, articles: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """The ``source_stats`` table: one row per outlet.

    ``n_articles``; ``n_stories``; ``first_to_report_share``: of its stories
    that more than one outlet covered (with a date), the share in which it
    published first (ties count for every outlet tied); ``derived_share``: the
    share of its articles derived (wholly or partially) from an earlier article
    of another outlet; ``originality``: 1 minus the word-weighted reuse score
    of its articles from other outlets' earlier articles, in [0, 1]. Sorted by source.
    """
    a = articles[["article_id", "source", "published", "n_words"]].merge(clusters[["article_id", "story_id"]],
                                                                         on="article_id", how="left")
    source = a.set_index("article_id")["source"]
    v = derived_view(overlap)
    v = v[v["origin_id"].map(source).to_numpy() != v["derived_id"].map(source).to_numpy()]
    reuse = v.groupby("derived_id")["reuse"].max()
    derived = set(v.loc[v["derivation"] != "non", "derived_id"])
    a["reuse_from_others"] = a["article_id"].map(reuse).fillna(0.0).clip(0.0, 1.0)
    a["is_derived"] = a["article_id"].isin(derived)

    # First to report: per multi-outlet story, the outlets with the earliest dated article.
    dated = a.dropna(subset=["published"])
    n_sources = dated.groupby("story_id")["source"].nunique()
    multi = dated[dated["story_id"].map(n_sources) > 1]
    first_time = multi.groupby("story_id")["published"].transform("min")
    firsts = multi[multi["published"] == first_time].drop_duplicates(["story_id", "source"])
    covered = multi.drop_duplicates(["story_id", "source"]).groupby("source").size()
    first_count = firsts.groupby("source").size()

    g = a.groupby("source", sort=True)
    words = g["n_words"].sum()
    reused_words = (a["n_words"] * a["reuse_from_others"]).groupby(a["source"]).sum()
    out = pd.DataFrame({
        "n_articles": g.size().astype("int64"),
        "n_stories": g["story_id"].nunique().astype("int64"),
        "first_to_report_share": (first_count.reindex(words.index).fillna(0) / covered.reindex(words.index)).astype("float64"),
        "derived_share": g["is_derived"].mean().astype("float64"),
        "originality": (1.0 - reused_words / words.where(words > 0)).fillna(1.0).clip(0.0, 1.0),
    })
    return out.reset_index()
