"""Story threads: the stories of one developing event, across days and languages.

A story (newsdag.stories) is one news cycle in one language: articles close
in time and in wording. A thread is coarser: the stories that follow one
event as it develops over several days, and the same event told in other
languages. Two stories are linked when their TF-IDF centroids are similar:

* within a language, when the cosine reaches ``min_similarity`` and their
  first articles are within ``window_days`` (no time weight: a follow-up two
  days later is what a thread is for);
* across languages, when it reaches ``cross_lingual_similarity``: the
  centroids then share only what languages share, names, places and numbers,
  so their cosine is lower for the same event.

Threads are the connected components of those links: a developing event is
a chain (day 1 to day 2 to day 3), which is what components follow. Each
story keeps its k most similar stories only, so one broad story cannot tie
a whole corpus together. Nothing here compares all pairs of stories: the
links come from newsdag.neighbours' windowed top-k search over the
centroids, as the stories' own do over articles.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from newsdag.language import UNDETERMINED, article_languages
from newsdag.neighbours import topk_neighbours
from newsdag.stories import earliest_first, publication_days, story_centroids


@dataclass(frozen=True)
class ThreadSettings:
    """Linking settings; chosen on two thirds of the SemEval-2022 pairs and,
    for ``min_similarity``, on WikiRef220's topics (bench/RESULTS.md).

    ``k`` most similar stories per story within ``window_days`` of each
    other's first article; a link needs a centroid cosine of at least
    ``min_similarity`` in one language (or where either is ``und``) and
    ``cross_lingual_similarity`` across two.
    """

    k: int = 10
    window_days: float = 3.0
    min_similarity: float = 0.25
    cross_lingual_similarity: float = 0.1

    def as_dict(self) -> dict:
        return asdict(self)


def story_frame(articles: pd.DataFrame, clusters: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per story, earliest story first, and each article's story row.

    ``articles`` (``article_id``, ``published``, optionally
    ``published_precision`` and ``language``) are row-aligned with the
    feature matrix; ``clusters`` is ``story_clusters``. Returns ``(stories,
    row)``: ``stories`` has ``story_id``, ``first_day`` (float days since the
    epoch of its earliest article, NaN if none is dated), ``first_published``,
    ``last_published`` (UTC timestamps, NaT when undated), ``language`` (its
    articles' most common one, ``und`` only when all are; ties: the first in
    alphabetical order) and ``n_articles`` (int64); ``row`` (int64, shape
    (n_articles,)) is each article's row in ``stories``.
    """
    a = articles.reset_index(drop=True)
    story = a["article_id"].map(clusters.set_index("article_id")["story_id"])
    if story.isna().any():
        raise ValueError(f"{int(story.isna().sum())} articles have no story in story_clusters")
    order = earliest_first(a)
    ids = pd.unique(story.to_numpy(dtype=object)[order])  # stories by their earliest article
    row = pd.Index(ids).get_indexer(story).astype(np.int64)
    published = pd.to_datetime(a["published"], utc=True)
    g = pd.DataFrame({"row": row, "day": publication_days(a), "published": published}).groupby("row", sort=True)
    told = pd.DataFrame({"row": row, "language": article_languages(a)})
    told = told[told["language"] != UNDETERMINED].groupby(["row", "language"]).size().rename("n").reset_index()
    told = told.sort_values(["row", "n", "language"], ascending=[True, False, True]).drop_duplicates("row")
    language = np.full(len(ids), UNDETERMINED, dtype=object)
    language[told["row"].to_numpy()] = told["language"].to_numpy(dtype=object)
    stories = pd.DataFrame({
        "story_id": np.asarray(ids, dtype=object),
        "first_day": g["day"].min().to_numpy(dtype=np.float64),
        "first_published": g["published"].min().to_numpy(),
        "last_published": g["published"].max().to_numpy(),
        "language": language,
        "n_articles": g.size().to_numpy(dtype=np.int64),
    })
    return stories, row


def thread_links(C: sp.csr_matrix, stories: pd.DataFrame, settings: ThreadSettings = ThreadSettings()) -> pd.DataFrame:
    """Links between stories: the windowed top-k centroid neighbours
    (newsdag.neighbours.topk_neighbours, no time weight) that reach the
    threshold of their pair: ``min_similarity`` in one language,
    ``cross_lingual_similarity`` across two. Returns ``i`` < ``j`` (int64
    story rows), ``similarity`` (float32) and ``cross_lingual`` (bool)."""
    floor = min(settings.min_similarity, settings.cross_lingual_similarity)
    edges = topk_neighbours(C, stories["first_day"].to_numpy(dtype=np.float64), k=settings.k,
                            min_similarity=floor, window_days=settings.window_days)
    language = stories["language"].to_numpy(dtype=object)
    a, b = language[edges["i"].to_numpy()], language[edges["j"].to_numpy()]
    cross = (a != b) & (a != UNDETERMINED) & (b != UNDETERMINED)
    need = np.where(cross, settings.cross_lingual_similarity, settings.min_similarity)
    keep = edges["similarity"].to_numpy() >= need
    return edges.assign(cross_lingual=cross)[keep].reset_index(drop=True)


def thread_labels(links: pd.DataFrame, n_stories: int) -> np.ndarray:
    """The thread of each story: connected components of ``links``, int64
    labels of shape (n_stories,) numbered by their earliest story (story rows
    are earliest first)."""
    if n_stories == 0:
        return np.array([], dtype=np.int64)
    i, j = links["i"].to_numpy(), links["j"].to_numpy()
    graph = sp.csr_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n_stories, n_stories))
    _, labels = connected_components(graph, directed=False)
    # Renumber so that a thread's label is the row of its earliest story.
    first = pd.Series(np.arange(n_stories)).groupby(labels).min()
    return first.loc[labels].to_numpy(dtype=np.int64)


def build_story_threads(articles: pd.DataFrame, clusters: pd.DataFrame, X: sp.csr_matrix,
                        settings: ThreadSettings = ThreadSettings()) -> pd.DataFrame:
    """The ``story_threads`` table: one row per thread.

    Inputs: ``articles`` row-aligned with ``X`` (see :func:`story_frame`),
    ``clusters`` (``story_clusters``). Columns: ``thread_id`` (the story_id
    of its earliest story), ``story_ids`` (its stories, earliest first),
    ``n_stories``, ``n_articles`` (int64), ``languages`` (sorted, ``und``
    left out unless it is all there is), ``first_published``,
    ``last_published`` (UTC; NaT when undated), ``first_day``, ``last_day``
    (YYYY-MM-DD strings of those, null when undated) and
    ``n_cross_lingual_links`` (int64). Sorted by ``thread_id``.
    Deterministic: the same inputs give the same threads and ids.
    """
    stories, row = story_frame(articles, clusters)
    C = story_centroids(X, row, len(stories))
    links = thread_links(C, stories, settings)
    label = thread_labels(links, len(stories))
    stories["thread"] = label
    cross = np.bincount(label[links.loc[links["cross_lingual"], "i"].to_numpy()], minlength=len(stories))
    g = stories.groupby("thread", sort=True)
    head = g.size().index.to_numpy()  # each thread's label: the row of its earliest story
    first, last = g["first_published"].min(), g["last_published"].max()

    def languages(values):
        told = sorted(set(values) - {UNDETERMINED})
        return told or [UNDETERMINED]

    out = pd.DataFrame({
        "thread_id": stories["story_id"].to_numpy(dtype=object)[head],
        "story_ids": g["story_id"].agg(list).to_numpy(),
        "n_stories": g.size().to_numpy(dtype=np.int64),
        "n_articles": g["n_articles"].sum().to_numpy(dtype=np.int64),
        "languages": g["language"].agg(languages).to_numpy(),
        "first_published": first.to_numpy(),
        "last_published": last.to_numpy(),
        "first_day": _day_strings(first),
        "last_day": _day_strings(last),
        "n_cross_lingual_links": cross[head].astype(np.int64),
    })
    return out.sort_values("thread_id", kind="stable").reset_index(drop=True)


def _day_strings(times: pd.Series) -> np.ndarray:
    """YYYY-MM-DD (UTC) of each time; None where it is missing."""
    days = pd.to_datetime(times, utc=True).dt.strftime("%Y-%m-%d")
    return days.astype(object).where(days.notna(), None).to_numpy(dtype=object)


def story_thread_ids(threads: pd.DataFrame) -> pd.Series:
    """Each story's ``thread_id`` (a Series indexed by story_id), from the ``story_threads`` table."""
    exploded = threads[["thread_id", "story_ids"]].explode("story_ids")
    return pd.Series(exploded["thread_id"].to_numpy(dtype=object), index=exploded["story_ids"].to_numpy(dtype=object),
                     name="thread_id")
