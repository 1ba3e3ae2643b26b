"""Story clustering over the sparse candidate graph, with stable story ids.

A story is an event bounded in time. Articles are linked to their top-k TF-IDF
neighbours within a time window (newsdag.neighbours), and the weighted graph is
partitioned with the Leiden algorithm under the Constant Potts Model: a story
is a group whose internal similarity density exceeds ``resolution``. Unlike
connected components, one strong link does not chain two stories together;
unlike modularity, CPM has no resolution limit that merges small stories in a
large corpus.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import igraph as ig
import leidenalg
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from newsdag.incremental import in_reach
from newsdag.language import UNDETERMINED, article_languages
from newsdag.neighbours import days_since_epoch, topk_neighbours as neighbours_here


@dataclass(frozen=True)
class StorySettings:
    """Clustering settings; defaults chosen on UCI March-May weeks and WikiRef220 (bench/RESULTS.md).

    ``k`` neighbours per article with time-weighted similarity at least
    ``min_similarity``, compared only within ``window_days`` of publication
    time (|dt| <= window; undated articles are compared with all). The
    time-weighted similarity is the cosine halved for every
    ``half_life_hours`` between the two publication times (None: the plain
    cosine), so that the same topic on two days is two stories while a story
    crossing midnight stays one; see :func:`publication_days` for articles
    that give only a day. Two full texts (both of at least ``full_text_words``
    words) need ``full_text_min_similarity`` instead (see
    :func:`above_similarity_floor`). Leiden CPM ``resolution`` is the minimum
    similarity density of a story of headlines (articles of fewer than
    ``full_text_words`` words), ``full_text_resolution`` that of a story of
    full texts: two full texts of different stories share more words than
    two headlines do, so the same density means less (see
    :func:`node_sizes` for a story of both). ``seed`` makes Leiden
    deterministic.
    """

    k: int = 20
    min_similarity: float = 0.1
    full_text_min_similarity: float = 0.15
    window_days: float = 1.0
    half_life_hours: float | None = 8.0
    resolution: float = 0.006
    full_text_resolution: float = 0.006
    full_text_words: int = 50
    seed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def node_sizes(n_words: np.ndarray | None, settings: StorySettings) -> tuple[float, np.ndarray | None]:
    """The Leiden CPM resolution and node sizes that give each article the
    resolution of its kind of text (:class:`StorySettings`).

    ``n_words``: int, shape (n,), each article's ``articles.n_words`` (None:
    every article is taken for a headline). Returns ``(resolution, sizes)``.
    When every article is of one kind, that kind's resolution and None (every
    node of size 1). Otherwise ``settings.resolution`` and float64 sizes,
    shape (n,): ``sqrt(own resolution / settings.resolution)``. CPM charges a
    community ``resolution * sum of size_i * size_j`` over its pairs of nodes
    (leidenalg's ``n_c (n_c - 1) / 2`` of the summed sizes differs from that
    by each node's own ``size_i (size_i - 1) / 2``, the same for every
    partition), so two headlines pay the headline resolution, two full texts
    the full-text one, and a headline with a full text their geometric mean.
    """
    full = (np.asarray(n_words) >= settings.full_text_words) if n_words is not None else None
    if full is None or not full.any():
        return settings.resolution, None
    if full.all():
        return settings.full_text_resolution, None
    sizes = np.where(full, np.sqrt(settings.full_text_resolution / settings.resolution), 1.0)
    return settings.resolution, sizes.astype(np.float64)


def above_similarity_floor(edges: pd.DataFrame, n_words: np.ndarray | None, settings: StorySettings) -> pd.DataFrame:
    """The neighbour ``edges`` (``i``, ``j``, ``similarity``) that reach the
    floor of their kind of pair: ``settings.full_text_min_similarity`` when
    both articles are full texts (``n_words`` at least ``full_text_words``;
    None: every article is a headline), ``settings.min_similarity``
    otherwise. Row order is kept.

    Why two floors: two full texts of different stories share the words of
    their language and their beat (hundreds of words each), two headlines a
    handful; at the headline floor, 0.1, different stories in one language
    were joined on the SemEval-2022 pairs (bench/RESULTS.md). A headline
    with a full text keeps the headline floor: the headline's few words are
    all it can share.
    """
    if edges.empty:
        return edges
    floor = np.full(len(edges), settings.min_similarity)
    if n_words is not None:
        full = np.asarray(n_words) >= settings.full_text_words
        both_full = full[edges["i"].to_numpy()] & full[edges["j"].to_numpy()]
        floor[both_full] = settings.full_text_min_similarity
    keep = edges["similarity"].to_numpy() >= floor
    return edges if keep.all() else edges[keep].reset_index(drop=True)


def search_floor(settings: StorySettings) -> float:
    """The similarity the neighbour search keeps edges from: the lower of the
    two floors, so :func:`above_similarity_floor` can apply each."""
    return min(settings.min_similarity, settings.full_text_min_similarity)


def leiden_labels(edges: pd.DataFrame, n: int, resolution: float, seed: int = 0,
                  initial: np.ndarray | None = None, fixed: np.ndarray | None = None,
                  sizes: np.ndarray | None = None) -> np.ndarray:
    """Leiden (CPM) community labels for ``n`` nodes and a weighted edge list
    (``i``, ``j``, ``similarity``). Returns int64 labels, shape (n,). Deterministic for a seed.

    ``initial`` (int labels, shape (n,)) and ``fixed`` (bool, shape (n,))
    start from a given partition and keep the fixed nodes' communities: other
    nodes may join them, but two fixed communities never merge or split.
    ``sizes`` (float, shape (n,); None: all 1) are the CPM node sizes
    (:func:`node_sizes`).
    """
    if n == 0:
        return np.array([], dtype=np.int64)
    g = ig.Graph(n=n, edges=np.column_stack([edges["i"].to_numpy(), edges["j"].to_numpy()]).tolist(), directed=False)
    g.es["weight"] = edges["similarity"].astype(float).tolist()
    node_size = None if sizes is None else [float(x) for x in sizes]
    if initial is None:
        part = leidenalg.find_partition(
            g, leidenalg.CPMVertexPartition, weights="weight", resolution_parameter=resolution,
            n_iterations=2, seed=seed, node_sizes=node_size,
        )
        return np.asarray(part.membership, dtype=np.int64)
    part = leidenalg.CPMVertexPartition(g, initial_membership=[int(x) for x in initial], weights="weight",
                                        resolution_parameter=resolution, node_sizes=node_size)
    optimiser = leidenalg.Optimiser()
    optimiser.set_rng_seed(seed)
    fixed_list = [bool(x) for x in (fixed if fixed is not None else np.zeros(n, bool))]
    optimiser.optimise_partition(part, n_iterations=2, is_membership_fixed=fixed_list)
    return np.asarray(part.membership, dtype=np.int64)


def publication_days(articles: pd.DataFrame) -> np.ndarray:
    """Publication times for the time window and weight: float days since 1970,
    shape (n,), NaN for undated.

    An article whose ``published_precision`` is ``day`` (its source gave a
    date without a time) is placed at noon of that day, the middle of the
    hours it could have been published in: two such articles a day apart are
    24 hours apart, as the day-only articles of one day are 0 hours apart,
    while a timed article at 23:00 and one at 01:00 are 2 hours apart.
    Without the column, every time is taken as given.
    """
    days = days_since_epoch(articles["published"])
    if "published_precision" in articles:
        days = days + np.where(articles["published_precision"].to_numpy(dtype=object) == "day", 0.5, 0.0)
    return days


def earliest_first(articles: pd.DataFrame) -> np.ndarray:
    """Positions of ``articles`` ordered by published (undated last), then article_id."""
    key = pd.DataFrame({"p": pd.to_datetime(articles["published"], utc=True).to_numpy(),
                        "a": articles["article_id"].to_numpy()})
    return key.sort_values(["p", "a"], na_position="last", kind="stable").index.to_numpy()


def within_language(edges: pd.DataFrame, languages: np.ndarray) -> pd.DataFrame:
    """The neighbour ``edges`` (``i``, ``j``, ``similarity``) whose two
    articles are in the same language, or where either is ``und`` (too
    short to tell). Articles in two languages never share a story by
    accident: what they have in common is names and numbers, which the
    cross-lingual story_threads link instead. Row order is kept."""
    if edges.empty:
        return edges
    a, b = languages[edges["i"].to_numpy()], languages[edges["j"].to_numpy()]
    keep = (a == b) | (a == UNDETERMINED) | (b == UNDETERMINED)
    return edges if keep.all() else edges[keep].reset_index(drop=True)


def cluster_stories(articles: pd.DataFrame, X: sp.csr_matrix, settings: StorySettings = StorySettings(),
                    previous: pd.DataFrame | None = None, recompute_from: str | None = None,
                    backend=None) -> pd.DataFrame:
    """Assign every article to exactly one story.

    Inputs: ``articles`` with ``article_id``, ``published`` and optionally
    ``published_precision``, ``language`` (n rows; two articles in
    different languages are never in one story, see :func:`within_language`)
    and ``n_words`` (without it, every article takes the headline
    resolution; see :func:`node_sizes`) and
    ``X``, their L2-normalised TF-IDF rows in the same order (n, V).
    Returns ``story_clusters``: ``article_id``, ``story_id`` (the article_id of
    the story's earliest member when the story formed, kept from then on),
    ``similarity`` (float32 cosine to the story's centroid); sorted by ``article_id``.

    Incremental: given ``previous`` (an earlier ``story_clusters``) and
    ``recompute_from`` (YYYY-MM-DD; ``articles`` then needs ``day``), an
    article of an earlier day that was clustered before keeps its story; the
    others are clustered again among themselves and with those earlier
    articles within ``window_days``, which they may join. Stories never merge
    or split across the ``recompute_from`` boundary, so older stories stay as
    they were and keep their ids.

    ``backend`` (a newsdag.backend object, passed by the caller; None: this
    process) computes the neighbour graph; Leiden runs here, on the graph's
    edge list.
    """
    topk_neighbours = backend.neighbours if backend is not None else neighbours_here
    articles = articles.reset_index(drop=True)
    if previous is None or recompute_from is None:
        edges = topk_neighbours(X, publication_days(articles), k=settings.k, min_similarity=search_floor(settings),
                                window_days=settings.window_days, half_life_hours=settings.half_life_hours)
        n_words = _word_counts(articles)
        edges = above_similarity_floor(within_language(edges, article_languages(articles)), n_words, settings)
        resolution, sizes = node_sizes(n_words, settings)
        labels = leiden_labels(edges, len(articles), resolution, settings.seed, sizes=sizes)
        return story_table(articles, X, labels)

    before = previous.set_index("article_id")
    prev_story = articles["article_id"].map(before["story_id"])
    day = articles["day"].astype(str)
    frozen = ((day < recompute_from) & prev_story.notna()).to_numpy()
    # Frozen articles near the boundary take part, fixed, so later ones can join their stories.
    scope = ~frozen | in_reach(day, recompute_from, settings.window_days)
    rows = np.flatnonzero(scope)
    fixed = frozen[rows]
    story = prev_story.to_numpy(dtype=object).copy()
    if len(rows):
        edges = topk_neighbours(X[rows], publication_days(articles.iloc[rows]), k=settings.k,
                                min_similarity=search_floor(settings), window_days=settings.window_days,
                                half_life_hours=settings.half_life_hours)
        n_words = _word_counts(articles.iloc[rows])
        edges = above_similarity_floor(within_language(edges, article_languages(articles.iloc[rows])), n_words,
                                       settings)
        codes, uniques = pd.factorize(prev_story.iloc[rows][fixed])
        initial = np.empty(len(rows), dtype=np.int64)
        initial[fixed] = codes
        initial[~fixed] = len(uniques) + np.arange(int((~fixed).sum()))
        resolution, sizes = node_sizes(n_words, settings)
        labels = leiden_labels(edges, len(rows), resolution, settings.seed, initial, fixed, sizes)
        name = dict(zip(labels[fixed], prev_story.iloc[rows][fixed]))
        ids = articles["article_id"].to_numpy(dtype=object)
        for pos in earliest_first(articles.iloc[rows].reset_index(drop=True)):
            name.setdefault(labels[pos], ids[rows[pos]])
        story[rows] = [name[l] for l in labels]
    # Centroid similarity for every story that gained or lost an article; the rest keep theirs.
    touched = set(story[~frozen]) | set(prev_story[~frozen].dropna())
    sim = articles["article_id"].map(before["similarity"]).to_numpy(dtype=np.float32, na_value=np.nan)
    redo = np.flatnonzero(pd.Series(story).isin(touched).to_numpy())
    if len(redo):
        sim[redo] = centroid_similarity(X[redo], pd.factorize(story[redo])[0])
    out = pd.DataFrame({"article_id": articles["article_id"].to_numpy(dtype=object), "story_id": story,
                        "similarity": sim.astype(np.float32)})
    return out.sort_values("article_id", kind="stable").reset_index(drop=True)


def _word_counts(articles: pd.DataFrame) -> np.ndarray | None:
    return articles["n_words"].to_numpy(dtype=np.int64) if "n_words" in articles else None


def story_table(articles: pd.DataFrame, X: sp.csr_matrix, labels: np.ndarray) -> pd.DataFrame:
    """``story_clusters`` rows from integer cluster ``labels`` (one per article)."""
    n = len(articles)
    if n == 0:
        return pd.DataFrame({"article_id": pd.Series([], dtype=object), "story_id": pd.Series([], dtype=object),
                             "similarity": pd.Series([], dtype=np.float32)})
    ids = articles["article_id"].to_numpy(dtype=object)
    first = {}
    for pos in earliest_first(articles):
        first.setdefault(labels[pos], ids[pos])
    story_ids = np.array([first[l] for l in labels], dtype=object)
    sims = centroid_similarity(X, labels)
    out = pd.DataFrame({"article_id": ids, "story_id": story_ids, "similarity": sims.astype(np.float32)})
    return out.sort_values("article_id", kind="stable").reset_index(drop=True)


def story_centroids(X: sp.csr_matrix, row: np.ndarray, n_stories: int) -> sp.csr_matrix:
    """The L2-normalised mean TF-IDF row of each story: CSR of ``X``'s dtype
    with sorted indices, shape (n_stories, V), from article rows ``X`` (n, V)
    and each article's story ``row`` (ints in [0, n_stories), shape (n,))."""
    M = sp.csr_matrix((np.ones(len(row), np.float32), (row, np.arange(len(row)))), shape=(n_stories, X.shape[0]))
    C = normalize(M @ X).tocsr()
    C.sort_indices()
    return C


def centroid_similarity(X: sp.csr_matrix, labels: np.ndarray, chunk_nnz: int = 20_000_000) -> np.ndarray:
    """Cosine of each row of ``X`` to the normalised mean of its cluster, shape (n,).

    Each row's centroid weights are looked up at the row's own terms only, a
    chunk of rows at a time: copying every row's whole centroid (``C[labels]``)
    takes the sum over stories of size × centroid terms, which at a million
    articles no longer fits in memory. The products, and the order they are
    added in, are those of ``X.multiply(C[labels]).sum(axis=1)``.
    """
    X = X.tocsr()
    X.sort_indices()
    n = X.shape[0]
    _, lab = np.unique(labels, return_inverse=True)
    C = story_centroids(X, lab, lab.max() + 1)
    weights = np.empty(X.nnz, dtype=np.float32)
    starts = np.searchsorted(X.indptr, np.arange(0, X.nnz, chunk_nnz), side="right") - 1
    for a, b in zip(starts, np.r_[starts[1:], n]):
        lo, hi = X.indptr[a], X.indptr[b]
        rows = np.repeat(lab[a:b], np.diff(X.indptr[a : b + 1]))
        weights[lo:hi] = np.asarray(C[rows, X.indices[lo:hi]]).ravel()
    products = sp.csr_matrix((X.data * weights, X.indices, X.indptr), shape=X.shape)
    return np.asarray(products.sum(axis=1)).ravel()


def summarise_stories(articles: pd.DataFrame, clusters: pd.DataFrame, X: sp.csr_matrix,
                      vocabulary: pd.DataFrame, n_terms: int = 5) -> pd.DataFrame:
    """The ``stories`` table: one row per story.

    ``articles`` (with ``article_id``, ``source``, ``published``, ``title``)
    and ``X`` are row-aligned; ``clusters`` is :func:`cluster_stories`' output.
    Columns: ``story_id``, ``n_articles``, ``n_sources``, ``sources`` (sorted
    list), ``first_published``, ``last_published``, ``headline`` (title of
    the representative article), ``top_terms`` (the centroid's heaviest
    terms), ``representative_article_id`` (closest to the centroid; ties go
    to the earliest). Sorted by ``story_id``.
    """
    a = articles.reset_index(drop=True)[["article_id", "source", "published", "title"]]
    a = a.assign(row=np.arange(len(a))).merge(clusters, on="article_id", how="left", validate="one_to_one")
    if a.empty:
        return pd.DataFrame(columns=["story_id", "n_articles", "n_sources", "sources", "first_published",
                                     "last_published", "headline", "top_terms", "representative_article_id"])
    rank = pd.Series(np.arange(len(a)), index=earliest_first(a))
    a["earliest_rank"] = rank.sort_index().to_numpy()
    rep = a.sort_values(["story_id", "similarity", "earliest_rank"], ascending=[True, False, True]).drop_duplicates("story_id")
    g = a.groupby("story_id", sort=True)
    stories = pd.DataFrame({
        "n_articles": g.size().astype("int64"),
        "n_sources": g["source"].nunique().astype("int64"),
        "sources": g["source"].agg(lambda s: sorted(set(s))),
        "first_published": g["published"].min(),
        "last_published": g["published"].max(),
    })
    rep = rep.set_index("story_id")
    stories["headline"] = rep["title"]
    stories["representative_article_id"] = rep["article_id"]
    # Top terms of each story's centroid.
    codes, uniques = pd.factorize(a["story_id"], sort=True)
    M = sp.csr_matrix((np.ones(len(a), np.float32), (codes, a["row"].to_numpy())), shape=(len(uniques), X.shape[0]))
    C = (M @ X).tocsr()
    terms = vocabulary.sort_values("term_id")["term"].to_numpy(dtype=object)
    top = []
    for r in range(C.shape[0]):
        lo, hi = C.indptr[r], C.indptr[r + 1]
        idx, val = C.indices[lo:hi], C.data[lo:hi]
        order = np.lexsort((idx, -val))[:n_terms]
        top.append([str(terms[i]) for i in idx[order]])
    stories["top_terms"] = pd.Series(top, index=uniques)
    return stories.reset_index().rename(columns={"index": "story_id"})
