"""Source overlap between candidate article pairs: who reused or rewrote whom.

Two kinds of reuse, measured separately and combined:

* **verbatim**: word n-gram shingles (containment and Jaccard) and maximal
  shared passages, found from hashed word k-gram anchors that line up on the
  same diagonal, so reordered passages are found too (greedy-string-tiling
  style, as in passim and text-reuse detectors);
* **paraphrase**: sentence alignment, each sentence matched to its most
  similar sentence of the other article by TF-IDF cosine. A rewrite shares few
  exact n-grams with its source but most of its sentences still align.

Candidate pairs come from the time-windowed top-k neighbour graph
(newsdag.neighbours), so the work is linear in the number of articles.

Token hashes use pandas' fixed-key hashing, so every id and metric is the same
in every process and on every machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Iterator, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp
from newsdag.features import fit_sentence_idf, sentence_vectorizer, transform_sentences
from newsdag.incremental import in_reach
from newsdag.neighbours import days_since_epoch, topk_neighbours
from newsdag.storage import row_groups
from newsdag.text import WORD, word_spans

# Odd 64-bit multipliers for combining token hashes into n-gram hashes.
_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                         0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9,
                         0x2545F4914F6CDD1D, 0x9FB21C651E98DF25, 0x5851F42D4C957F2D, 0x14057B7EF767814F],
                        dtype=np.uint64)
# An n-gram occurring more often than this in one article is boilerplate, not evidence.
_MAX_ANCHOR_REPEATS = 20

DERIVATIONS = ("wholly", "partially", "non")
REUSE_KINDS = ("verbatim", "paraphrase", "mixed", "none")


@dataclass(frozen=True)
class OverlapSettings:
    """Overlap settings; thresholds chosen on the shared data (bench/RESULTS.md):
    sentence_threshold near MSRP's best-F1 point (0.44) and best for Clough &
    Stevenson's Spearman; partially/wholly from Clough's derived-vs-non
    accuracy and the share of L2R rewrites found; verbatim/paraphrase from
    Clough's cut/light/heavy answers.

    shingle_n: words per shingle for containment and Jaccard.
    min_passage_words: the shortest shared span reported as a passage.
    sentence_threshold: TF-IDF cosine at which two sentences align.
    k, min_similarity, window_days: the candidate graph (as for stories, but a
        week wide: a rewrite may come days after its source).
    cross_story_similarity: pairs across story borders need at least this cosine.
        0.3 since stories became news cycles of hours (StorySettings.half_life_hours):
        at 0.5, 5 of L2R's 400 rewrites, published 20 hours after their
        original and in another story, were never compared with it.
    wholly_threshold, partially_threshold: a later article's reuse score at which
        it is wholly or partially derived (METER classes).
    verbatim_containment, paraphrase_containment: containment of the derived
        article above which its reuse is verbatim, below which it is paraphrase
        (mixed between).
    """

    shingle_n: int = 3
    min_passage_words: int = 8
    sentence_threshold: float = 0.45
    k: int = 20
    min_similarity: float = 0.1
    window_days: float = 7.0
    cross_story_similarity: float = 0.3
    wholly_threshold: float = 0.25
    partially_threshold: float = 0.1
    verbatim_containment: float = 0.6
    paraphrase_containment: float = 0.25

    def as_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------ tokens and shingles


@dataclass
class TokenizedArticle:
    hashes: np.ndarray  # (n_tokens,) uint64 hash of each lower-cased word
    spans: np.ndarray  # (n_tokens, 2) int64 char offsets into the article text


def tokenize(text: str, word_hashes: dict[str, np.uint64] | None = None) -> TokenizedArticle:
    """Lower-cased word tokens of ``text`` as stable uint64 hashes with their char spans.

    ``word_hashes`` (optional) is a cache of word -> hash shared by the calls
    of one comparison run: most words recur, and hashing each occurrence was
    the larger part of tokenising. The hashes are the same with or without it.
    """
    spans = word_spans(text)
    lower = text.lower()
    # Lower-casing the whole text keeps the offsets when no character changes
    # length; capital sigma lower-cases by context, so a text with one is done
    # word by word, exactly as the words alone would be.
    words = None
    if len(lower) == len(text) and "\u03a3" not in text:
        words = WORD.findall(lower)
        if len(words) != len(spans):  # lower-casing changed what is a word character
            words = [lower[a:b] for a, b in spans]
    if words is None:
        words = [text[a:b].lower() for a, b in spans]
    if word_hashes is None:
        word_hashes = {}
    new = list({w for w in words if w not in word_hashes})
    if new:
        word_hashes.update(zip(new, pd.util.hash_array(np.array(new, dtype=object))))
    hashes = np.fromiter((word_hashes[w] for w in words), dtype=np.uint64, count=len(words))
    return TokenizedArticle(hashes=hashes, spans=spans)


def ngram_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every word n-gram, position i covering tokens i..i+n-1; shape (max(0, len-n+1),)."""
    m = len(token_hashes) - n + 1
    if m <= 0:
        return np.array([], dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = np.zeros(m, dtype=np.uint64)
        for offset in range(n):
            h = h * np.uint64(31) + token_hashes[offset : offset + m] * _MULTIPLIERS[offset % len(_MULTIPLIERS)]
    return h


def containment(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """(containment of a in b, containment of b in a, Jaccard) of two sorted unique hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0, 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / len(a), shared / len(b), shared / (len(a) + len(b) - shared)


def shared_passages(anchors_a: np.ndarray, anchors_b: np.ndarray, k: int) -> np.ndarray:
    """Maximal shared spans of at least ``k`` words between two articles.

    ``anchors_a`` and ``anchors_b`` are the k-gram hashes of each article
    (:func:`ngram_hashes` with n=k). Returns an int64 array of shape (p, 3):
    (token start in a, token start in b, length in tokens), ordered by start in a.
    """
    empty = np.zeros((0, 3), dtype=np.int64)
    if len(anchors_a) == 0 or len(anchors_b) == 0:
        return empty
    order_b = np.argsort(anchors_b, kind="stable")
    sorted_b = anchors_b[order_b]
    lo = np.searchsorted(sorted_b, anchors_a, side="left")
    hi = np.searchsorted(sorted_b, anchors_a, side="right")
    cnt = hi - lo
    cnt[cnt > _MAX_ANCHOR_REPEATS] = 0
    total = int(cnt.sum())
    if total == 0:
        return empty
    ia = np.repeat(np.arange(len(anchors_a), dtype=np.int64), cnt)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    jb = order_b[np.repeat(lo, cnt) + within].astype(np.int64)
    diag = ia - jb
    order = np.lexsort((ia, diag))
    ia, jb, diag = ia[order], jb[order], diag[order]
    # A run: consecutive anchors on one diagonal.
    new_run = np.ones(len(ia), dtype=bool)
    new_run[1:] = (diag[1:] != diag[:-1]) | (ia[1:] != ia[:-1] + 1)
    starts = np.flatnonzero(new_run)
    ends = np.r_[starts[1:], len(ia)] - 1
    out = np.column_stack([ia[starts], jb[starts], ia[ends] - ia[starts] + k])
    return out[np.argsort(out[:, 0], kind="stable")]


# ------------------------------------------------------------------ pairs


def candidate_pairs(articles: pd.DataFrame, clusters: pd.DataFrame, X: sp.csr_matrix,
                    settings: OverlapSettings = OverlapSettings(), active: np.ndarray | None = None,
                    neighbours=topk_neighbours) -> pd.DataFrame:
    """Article pairs to compare: never all pairs.

    ``articles`` (``article_id``, ``published``, ``duplicate_of``) row-aligned
    with ``X``; ``clusters`` is story_clusters. A pair is kept when the two
    articles are top-k neighbours within the time window and either share a
    story or have cosine >= ``cross_story_similarity``; each article is also
    paired with its ``duplicate_of`` and with its story's earliest article, so
    wire copy carried by many outlets always meets its first copy. At most
    about (k + 2) pairs per article.

    With ``active`` (bool, shape (n,)), only pairs with an active article are kept.
    ``neighbours`` computes the top-k graph (:func:`newsdag.neighbours.topk_neighbours`
    or a backend's equivalent).

    Returns ``i`` < ``j`` (row numbers), ``cosine`` (float32), sorted.
    """
    a = articles.reset_index(drop=True)
    n = len(a)
    edges = neighbours(X, days_since_epoch(a["published"]), k=settings.k,
                       min_similarity=settings.min_similarity, window_days=settings.window_days)
    story = a["article_id"].map(clusters.set_index("article_id")["story_id"]).to_numpy(dtype=object)
    same = story[edges["i"].to_numpy()] == story[edges["j"].to_numpy()]
    edges = edges[same | (edges["similarity"].to_numpy() >= settings.cross_story_similarity)]
    row_of = pd.Series(np.arange(n), index=a["article_id"])
    extra = []
    dup = a["duplicate_of"].dropna()
    if len(dup):
        extra.append(np.column_stack([dup.index.to_numpy(), row_of.loc[dup.to_numpy()].to_numpy()]))
    first = pd.Series(story).map(row_of)  # story ids are their earliest member's article id
    has_first = first.notna().to_numpy() & (first.fillna(-1).to_numpy() != np.arange(n))
    if has_first.any():
        extra.append(np.column_stack([np.flatnonzero(has_first), first.to_numpy()[has_first].astype(np.int64)]))
    pairs = edges[["i", "j"]].to_numpy(dtype=np.int64)
    if extra:
        pairs = np.vstack([pairs] + extra)
    if len(pairs) == 0:
        return pd.DataFrame({"i": np.array([], np.int64), "j": np.array([], np.int64), "cosine": np.array([], np.float32)})
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if active is not None:
        active = np.asarray(active, dtype=bool)
        pairs = pairs[active[pairs[:, 0]] | active[pairs[:, 1]]]
    # A chunk of pairs at a time: the rows of every pair at once would be
    # (k + 2) copies of the whole matrix.
    cos = np.concatenate([np.asarray(X[p[:, 0]].multiply(X[p[:, 1]]).sum(axis=1)).ravel().astype(np.float32)
                          for p in np.array_split(pairs, max(1, -(-len(pairs) // 100_000)))])
    return pd.DataFrame({"i": pairs[:, 0], "j": pairs[:, 1], "cosine": cos})


def best_matches(M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best match of every sentence of a in b and of b in a, from the (n_a, n_b)
    matrix of sentence cosines.

    Returns (best_b_for_a, sim_a, best_a_for_b, sim_b): indices (int64) and
    cosines (float32), shapes (n_a,) and (n_b,). Ties go to the earlier sentence.
    """
    if M.shape[0] == 0 or M.shape[1] == 0:
        return (np.zeros(M.shape[0], np.int64), np.zeros(M.shape[0], np.float32),
                np.zeros(M.shape[1], np.int64), np.zeros(M.shape[1], np.float32))
    best_b = M.argmax(axis=1)
    best_a = M.argmax(axis=0)
    return best_b, M[np.arange(M.shape[0]), best_b].astype(np.float32), best_a, M[best_a, np.arange(M.shape[1])].astype(np.float32)


def derivation_label(score: float, settings: OverlapSettings) -> str:
    if score >= settings.wholly_threshold:
        return "wholly"
    if score >= settings.partially_threshold:
        return "partially"
    return "non"


def reuse_kind(derivation: str, containment_of_derived: float, settings: OverlapSettings) -> str:
    if derivation == "non":
        return "none"
    if containment_of_derived >= settings.verbatim_containment:
        return "verbatim"
    if containment_of_derived < settings.paraphrase_containment:
        return "paraphrase"
    return "mixed"


def reuse_score(containment_of_derived, aligned_share_of_derived):
    """How much of an article comes from the other, in [0, 1]: the geometric
    mean of its shingle containment (shared wording) and its aligned-sentence
    share (shared content, sentence by sentence). High only when both agree:
    wire copy scores near 1, a close rewrite in between, a text on the same
    topic near 0. On Clough & Stevenson it ranks cut > light > heavy > non
    better than either part alone (bench/RESULTS.md). Takes floats or arrays."""
    return np.sqrt(np.maximum(containment_of_derived, 0.0) * np.maximum(aligned_share_of_derived, 0.0))


# ------------------------------------------------------------------ the tables


def _sentence_cosines(block: sp.csr_matrix, partner_blocks: list[sp.csr_matrix], n_partner_rows: int) -> np.ndarray:
    """``block @ vstack(partner_blocks).T`` as a dense float32 (n, n_partner_rows) array.

    A sparse product with the whole vocabulary as its inner dimension builds
    index arrays as long as the vocabulary on every call; this one works in
    the few columns ``block`` uses: the partners' entries are mapped into
    them and multiplied with ``block`` made dense there. The terms of each
    dot product are the same and are added in the same (column) order, so
    the values equal scipy's to the bit.
    """
    if block.shape[0] == 0 or n_partner_rows == 0 or block.nnz == 0:
        return np.zeros((block.shape[0], n_partner_rows), dtype=np.float32)
    columns = np.unique(block.indices)
    dense = np.zeros((block.shape[0], len(columns)), dtype=np.float32)
    dense[np.repeat(np.arange(block.shape[0]), np.diff(block.indptr)), np.searchsorted(columns, block.indices)] = block.data
    data = np.concatenate([b.data for b in partner_blocks])
    indices = np.concatenate([b.indices for b in partner_blocks])
    rows = np.repeat(np.arange(n_partner_rows), np.concatenate([np.diff(b.indptr) for b in partner_blocks]))
    at = np.minimum(np.searchsorted(columns, indices), len(columns) - 1)
    shared = columns[at] == indices
    partners = sp.csr_matrix((data[shared], at[shared], np.r_[0, np.cumsum(np.bincount(rows[shared], minlength=n_partner_rows))]),
                             shape=(n_partner_rows, len(columns)))
    return np.ascontiguousarray((partners @ dense.T).T, dtype=np.float32)


class _Pieces:
    """Columns gathered as many small numpy arrays (one per pair) and merged
    every few thousand pairs, so that millions of pairs do not each keep their
    own array objects alive until the end."""

    def __init__(self, **dtypes):
        self.dtypes = dtypes
        self.pending: dict[str, list] = {c: [] for c in dtypes}
        self.merged: dict[str, list] = {c: [] for c in dtypes}
        self.count = 0

    def add(self, **columns: np.ndarray) -> None:
        for c, v in columns.items():
            self.pending[c].append(v)
        self.count += 1
        if self.count >= 4096:
            self._merge()

    def _merge(self) -> None:
        for c, dtype in self.dtypes.items():
            if self.pending[c]:
                self.merged[c].append(np.concatenate(self.pending[c]).astype(dtype, copy=False))
                self.pending[c] = []
        self.count = 0

    def columns(self) -> dict[str, np.ndarray]:
        self._merge()
        return {c: np.concatenate(self.merged[c]) if self.merged[c] else np.array([], dtype=dtype)
                for c, dtype in self.dtypes.items()}


# ------------------------------------------------------------------ texts, a day at a time


class ArticleTexts(Protocol):
    """Where the comparison reads article texts and sentences: a batch (a day)
    at a time, so that no step holds the corpus's text.

    ``batches``: the batch keys, sorted; ``batch_of(ids)``: each article's
    key (an object array); ``load(key)``: that batch's articles
    (``article_id``, ``text``) and sentences (``article_id``, ``sent_idx``,
    ``text``); ``restricted(ids)``: the same source for these articles only.
    """

    def batches(self) -> list[str]: ...

    def batch_of(self, article_ids) -> np.ndarray: ...

    def load(self, key: str) -> tuple[pd.DataFrame, pd.DataFrame]: ...

    def restricted(self, article_ids) -> "ArticleTexts": ...


def sentence_batches(texts: ArticleTexts) -> Iterator[pd.Series]:
    """The sentence texts of ``texts``, one batch at a time (for the sentence idf)."""
    for key in texts.batches():
        yield texts.load(key)[1]["text"]


class FrameTexts:
    """:class:`ArticleTexts` over frames in memory: ``articles`` (``article_id``,
    ``text``, and ``day``, the batch key, when it has one: otherwise one batch)
    and ``sentences`` (``article_id``, ``sent_idx``, ``text``)."""

    def __init__(self, articles: pd.DataFrame, sentences: pd.DataFrame):
        self.articles = articles[["article_id", "text"]].reset_index(drop=True)
        key = articles["day"].astype(str).to_numpy(dtype=object) if "day" in articles else np.full(len(articles), "", dtype=object)
        self._key = pd.Series(key, index=self.articles["article_id"].to_numpy())
        self.sentences = sentences[["article_id", "sent_idx", "text"]].reset_index(drop=True)
        self._article_rows = pd.Series(np.arange(len(self.articles))).groupby(key).indices
        sentence_key = self._key.reindex(self.sentences["article_id"].to_numpy()).to_numpy(dtype=object)
        self._sentence_rows = pd.Series(np.arange(len(self.sentences))).groupby(sentence_key).indices

    def batches(self) -> list[str]:
        return sorted(self._article_rows)

    def batch_of(self, article_ids) -> np.ndarray:
        return self._key.reindex(np.asarray(article_ids, dtype=object)).to_numpy(dtype=object)

    def load(self, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        none = np.array([], dtype=np.int64)
        return (self.articles.iloc[self._article_rows.get(key, none)],
                self.sentences.iloc[self._sentence_rows.get(key, none)])

    def restricted(self, article_ids) -> "FrameTexts":
        keep = self.articles["article_id"].isin(set(article_ids)).to_numpy()
        articles = self.articles[keep].assign(day=self._key.to_numpy()[keep])
        return FrameTexts(articles, self.sentences[self.sentences["article_id"].isin(set(articles["article_id"]))])


class WarehouseTexts:
    """:class:`ArticleTexts` read from the warehouse's day partitions of
    ``articles`` and ``sentences`` (newsdag.storage.PartitionedTable;
    ``sentences`` None: texts only, no sentences); ``day_of``: each
    article's day (a Series indexed by article id)."""

    def __init__(self, articles, sentences, day_of: pd.Series, only: set | None = None):
        self.articles_table, self.sentences_table = articles, sentences
        self.day_of = day_of.astype(str)
        self.only = only

    def batches(self) -> list[str]:
        days = set(self.day_of.to_numpy()) if self.only is None else set(self.day_of.reindex(list(self.only)).dropna())
        return sorted(days)

    def batch_of(self, article_ids) -> np.ndarray:
        return self.day_of.reindex(np.asarray(article_ids, dtype=object)).to_numpy(dtype=object)

    def load(self, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        articles = self.articles_table.read([key], columns=["article_id", "text"])
        sentences = (self.sentences_table.read([key], columns=["article_id", "sent_idx", "text"])
                     if self.sentences_table is not None else
                     pd.DataFrame({"article_id": pd.Series([], dtype=object), "sent_idx": pd.Series([], dtype=np.int32),
                                   "text": pd.Series([], dtype=object)}))
        if self.only is not None:
            articles = articles[articles["article_id"].isin(self.only)]
            sentences = sentences[sentences["article_id"].isin(self.only)]
        return articles, sentences

    def files(self) -> tuple[list, list]:
        """The Parquet files of ``articles`` and ``sentences`` that hold
        :meth:`batches` (rows outside ``only`` included: the reader filters)."""
        keys = self.batches()
        return self.articles_table.files(keys), self.sentences_table.files(keys)

    def restricted(self, article_ids) -> "WarehouseTexts":
        only = set(article_ids) if self.only is None else set(article_ids) & self.only
        return WarehouseTexts(self.articles_table, self.sentences_table, self.day_of, only)


# Pairs per piece handed to the sink: about 100 MB of rows at most.
FLUSH_PAIRS = 50_000
# The three tables of a stretch of pairs, handed over as soon as they are made.
OverlapSink = Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], None]


class _Collected:
    """An :data:`OverlapSink` that keeps every piece, for callers that want the whole tables."""

    def __init__(self):
        self.pieces: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = []

    def __call__(self, overlap, reused, aligned) -> None:
        self.pieces.append((overlap, reused, aligned))

    def tables(self, empty: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, ...]:
        out = []
        for t, first in enumerate(empty):
            parts = [p[t] for p in self.pieces if len(p[t])]
            out.append(pd.concat(parts, ignore_index=True).astype(first.dtypes.to_dict()) if parts else first)
        return tuple(out)


def compute_overlap(articles: pd.DataFrame, sentences: pd.DataFrame | ArticleTexts, clusters: pd.DataFrame,
                    X: sp.csr_matrix, settings: OverlapSettings = OverlapSettings(), active: np.ndarray | None = None,
                    backend=None, sink: OverlapSink | None = None):
    """All pair metrics, passages and sentence alignments.

    Inputs: ``articles`` (article_id, published, duplicate_of, and text unless
    ``sentences`` is an :class:`ArticleTexts`) row-aligned with ``X`` (their
    TF-IDF rows); ``sentences``: the sentences table, or an
    :class:`ArticleTexts` that reads texts and sentences a day at a time;
    ``clusters`` (story_clusters). Sentences are compared with
    newsdag.features.sentence_vectors.

    Returns ``(article_overlap, reused_passages, sentence_alignments)`` as
    documented in newsdag.schemas; with ``sink``, hands them over piece by
    piece instead (``sink(overlap, reused, aligned)``) and returns None. The
    derived article of a pair is the one that is not ``origin_article_id``;
    passages and alignments run from the derived article to its origin. Rows
    come in the order pairs are compared (:func:`compare_pairs`). With
    ``active`` (bool per article), only pairs with an active article are
    compared (see :func:`candidate_pairs`). ``backend`` (a newsdag.backend
    object, passed by the caller) runs the neighbour search and the pair
    comparisons; None runs them here (:func:`compare_pairs_here`), as the
    local backend does.
    """
    neighbours = backend.neighbours if backend is not None else topk_neighbours
    compare = backend.compare_pairs if backend is not None else compare_pairs_here
    a = articles.reset_index(drop=True)
    texts = FrameTexts(a, sentences) if isinstance(sentences, pd.DataFrame) else sentences
    pairs = candidate_pairs(a, clusters, X, settings, active, neighbours=neighbours)
    compared = pd.DataFrame({
        "article_id": a["article_id"].to_numpy(dtype=object),
        "days": days_since_epoch(a["published"]),
        "story_id": a["article_id"].map(clusters.set_index("article_id")["story_id"]).to_numpy(dtype=object),
    })
    collected = _Collected() if sink is None else None
    compare(compared, texts, pairs, settings, sink or collected)
    return None if sink is not None else collected.tables(empty_tables())


def empty_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three overlap tables without rows, with their dtypes."""
    o, i8, f8 = object, np.int64, np.float64
    overlap = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in [
        ("article_a", o), ("article_b", o), ("story_id", o), ("cosine", np.float32), ("containment_a_in_b", f8),
        ("containment_b_in_a", f8), ("jaccard", f8), ("aligned_sentence_share_a", f8), ("aligned_sentence_share_b", f8),
        ("longest_passage_words", i8), ("n_passages", i8), ("origin_article_id", o), ("derivation", o), ("reuse_kind", o)]})
    reused = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in [
        ("article_id", o), ("source_article_id", o), ("char_start", i8), ("char_end", i8), ("source_char_start", i8),
        ("source_char_end", i8), ("n_words", i8), ("text", o)]})
    aligned = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in [
        ("article_id", o), ("sent_idx", np.int32), ("source_article_id", o), ("source_sent_idx", np.int32),
        ("similarity", np.float32)]})
    return overlap, reused, aligned


def pair_order(days: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    """The order in which pairs are compared and their rows stored: by the
    publication time of the first article (undated last), then the row
    numbers of the two articles. Shape (len(pairs),), int64 positions."""
    pi, pj = pairs["i"].to_numpy(dtype=np.int64), pairs["j"].to_numpy(dtype=np.int64)
    when = np.where(np.isnan(days), np.inf, days)
    return np.lexsort((pj, pi, when[pi]))


def compare_pairs_here(articles: pd.DataFrame, texts: ArticleTexts, pairs: pd.DataFrame, settings, sink) -> None:
    """:func:`compare_pairs` in this process, the sentence idf fitted first, a
    batch of ``texts`` at a time, on every sentence they hold: the local
    backend's pair comparisons."""
    vocabulary = fit_sentence_idf(sentence_batches(texts))
    compare_pairs(articles, texts, pairs, vocabulary, settings, sink)


def compare_pairs(articles: pd.DataFrame, texts: ArticleTexts, pairs: pd.DataFrame,
                  sentence_vocabulary: pd.DataFrame, settings: OverlapSettings = OverlapSettings(),
                  sink: OverlapSink | None = None, flush_pairs: int | None = None):
    """Compare each pair of articles: the rows of the three overlap tables.

    ``articles``: ``article_id``, ``days`` (float days since 1970, NaN
    undated) and ``story_id``; ``texts``: their texts and sentences
    (:class:`ArticleTexts`, read a batch at a time); ``pairs``: ``i``, ``j``
    (row numbers of ``articles``) and ``cosine``; ``sentence_vocabulary``:
    :func:`newsdag.features.fit_sentence_vocabulary` over the whole corpus's
    sentences, so that any subset of pairs is scored exactly as the whole.

    Pairs are compared in :func:`pair_order`; every ``flush_pairs`` or so
    (default :data:`FLUSH_PAIRS`), the rows so far go to ``sink(overlap, reused, aligned)`` (the tables,
    whole, are returned when ``sink`` is None). Memory follows the time
    window, not the corpus: a batch of texts is read when its first article
    is needed, each article's tokens and sentence vectors are made at its
    first pair and dropped after its last.
    """
    collected = _Collected() if sink is None else None
    sink = sink or collected
    flush_pairs = flush_pairs or FLUSH_PAIRS
    ids = articles["article_id"].to_numpy(dtype=object)
    days = articles["days"].to_numpy(dtype=np.float64)
    story_ids = articles["story_id"].to_numpy(dtype=object)
    batch = texts.batch_of(ids)
    vectorizer, n_terms = sentence_vectorizer(sentence_vocabulary), len(sentence_vocabulary)

    # Pairs grouped by their first article, groups in publication order: an
    # article's pairs then fall in a short stretch of the loop (pairs lie within
    # the time window), so its tokens are made at its first pair and dropped
    # after its last.
    order = pair_order(days, pairs)
    pi, pj = pairs["i"].to_numpy(dtype=np.int64)[order], pairs["j"].to_numpy(dtype=np.int64)[order]
    pc = pairs["cosine"].to_numpy(dtype=np.float32)[order]
    n_pairs = len(pi)
    starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]]) if n_pairs else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], n_pairs].astype(np.int64)
    group = np.repeat(np.arange(len(starts)), ends - starts)
    last_group = np.full(len(ids), -1, dtype=np.int64)
    np.maximum.at(last_group, pi, group)
    np.maximum.at(last_group, pj, group)
    used = np.flatnonzero(last_group >= 0)
    drop_order = used[np.argsort(last_group[used], kind="stable")]
    drop_until = np.searchsorted(last_group[drop_order], np.arange(len(starts)), side="right")
    row_of = pd.Series(np.arange(len(ids)), index=ids)

    word_hashes: dict[str, np.uint64] = {}
    loaded: set = set()
    waiting: dict[int, tuple] = {}  # read, not yet used: row -> (text, sentence numbers, sentence vectors)
    held: dict[int, tuple] = {}
    no_sentences = (np.array([], dtype=np.int32), sp.csr_matrix((0, n_terms), dtype=np.float32))

    def load(key) -> None:
        """Read one batch of texts; keep the articles that still have pairs to come."""
        loaded.add(key)
        arts, sents = texts.load(key)
        rows = row_of.reindex(arts["article_id"].to_numpy(dtype=object)).to_numpy()
        keep = ~np.isnan(rows)
        wanted = np.zeros(len(arts), dtype=bool)
        wanted[keep] = last_group[rows[keep].astype(np.int64)] >= 0
        sents = sents[sents["article_id"].isin(set(arts["article_id"][wanted]))]
        sents = sents.sort_values(["article_id", "sent_idx"], kind="stable")
        # One vectorisation per batch; each article then takes its own rows.
        S = transform_sentences(vectorizer, sents["text"], n_terms)
        spans = sents.groupby("article_id", sort=False).indices
        sent_idx = sents["sent_idx"].to_numpy(dtype=np.int32)
        for r, text, article_id in zip(rows[wanted].astype(np.int64), arts["text"][wanted], arts["article_id"][wanted]):
            if r in held or r in waiting or last_group[r] < g_now:
                continue
            at = spans.get(article_id)
            waiting[r] = (text, *((sent_idx[at[0] : at[-1] + 1], S[at[0] : at[-1] + 1]) if at is not None else no_sentences))

    def article(r: int) -> tuple:
        """(tokens, shingles, anchors, sentence numbers, sentence vectors, text) of row ``r``, made once."""
        got = held.get(r)
        if got is None:
            if r not in waiting and batch[r] not in loaded:
                load(batch[r])
            text, sent_numbers, vectors = waiting.pop(r, ("", *no_sentences))
            if len(word_hashes) > 2_000_000:
                word_hashes.clear()  # a cache only: the hashes do not depend on it
            tok = tokenize(text, word_hashes)
            got = held[r] = (tok, np.unique(ngram_hashes(tok.hashes, settings.shingle_n)),
                             ngram_hashes(tok.hashes, settings.min_passage_words), sent_numbers, vectors, text)
        return got

    c_a_in_b, c_b_in_a, jaccard = (np.zeros(n_pairs) for _ in range(3))
    share_a, share_b = np.zeros(n_pairs), np.zeros(n_pairs)
    longest, n_found, origin = (np.zeros(n_pairs, dtype=np.int64) for _ in range(3))
    derivations, kinds = np.empty(n_pairs, dtype=object), np.empty(n_pairs, dtype=object)

    def new_pieces():
        return (_Pieces(d=np.int64, o=np.int64, cs=np.int64, ce=np.int64, ocs=np.int64, oce=np.int64, n=np.int64), [],
                _Pieces(d=np.int64, sent=np.int32, o=np.int64, source_sent=np.int32, sim=np.float32))

    passages, passage_texts, alignments = new_pieces()
    flushed = 0

    def flush(until: int) -> None:
        nonlocal flushed, passages, passage_texts, alignments
        x = slice(flushed, until)
        overlap = pd.DataFrame({
            "article_a": ids[pi[x]], "article_b": ids[pj[x]], "story_id": story_ids[pi[x]], "cosine": pc[x],
            "containment_a_in_b": c_a_in_b[x], "containment_b_in_a": c_b_in_a[x], "jaccard": jaccard[x],
            "aligned_sentence_share_a": share_a[x], "aligned_sentence_share_b": share_b[x],
            "longest_passage_words": longest[x], "n_passages": n_found[x], "origin_article_id": ids[origin[x]],
            "derivation": derivations[x], "reuse_kind": kinds[x]})
        p = passages.columns()
        reused = pd.DataFrame({"article_id": ids[p["d"]], "source_article_id": ids[p["o"]], "char_start": p["cs"],
                               "char_end": p["ce"], "source_char_start": p["ocs"], "source_char_end": p["oce"],
                               "n_words": p["n"], "text": np.array(passage_texts, dtype=object)})
        al = alignments.columns()
        aligned = pd.DataFrame({"article_id": ids[al["d"]], "sent_idx": al["sent"], "source_article_id": ids[al["o"]],
                                "source_sent_idx": al["source_sent"], "similarity": al["sim"]})
        sink(overlap, reused, aligned)
        derivations[x] = kinds[x] = None
        passages, passage_texts, alignments = new_pieces()
        flushed = until

    g_now = 0
    for g, (g0, g1) in enumerate(zip(starts, ends)):
        g_now = g
        i = int(pi[g0])
        tok_i, sh_i, an_i, si, block_i, text_i = article(i)
        partners = [article(int(j)) for j in pj[g0:g1]]
        # One sparse product for the article against all its partners' sentences.
        sizes = np.array([len(p[3]) for p in partners], dtype=np.int64)
        offsets = np.r_[0, np.cumsum(sizes)]
        M_all = _sentence_cosines(block_i, [p[4] for p in partners], int(offsets[-1]))
        for k, (tok_j, sh_j, an_j, sj, _, text_j) in enumerate(partners):
            x, j = g0 + k, int(pj[g0 + k])
            M = M_all[:, offsets[k] : offsets[k + 1]]
            c_ij, c_ji, jac = containment(sh_i, sh_j)
            best_j, sim_i, best_i, sim_j = best_matches(M)
            share_i = float((sim_i >= settings.sentence_threshold).mean()) if len(sim_i) else 0.0
            share_j = float((sim_j >= settings.sentence_threshold).mean()) if len(sim_j) else 0.0
            found = shared_passages(an_i, an_j, settings.min_passage_words)

            # Origin: the earlier publication; on a tie or a missing date, the
            # direction of the asymmetric overlap: the article more contained in
            # the other is the derived one (Broder's containment), then the one
            # with more of its sentences aligned, then the shorter.
            di, dj = days[i], days[j]
            if not np.isnan(di) and not np.isnan(dj) and di != dj:
                origin_is_i = di < dj
            elif c_ij != c_ji:
                origin_is_i = c_ij < c_ji
            elif share_i != share_j:
                origin_is_i = share_i < share_j
            elif len(tok_i.hashes) != len(tok_j.hashes):
                origin_is_i = len(tok_i.hashes) > len(tok_j.hashes)  # the longer text is the fuller source
            else:
                origin_is_i = ids[i] < ids[j]
            o, d = (i, j) if origin_is_i else (j, i)
            c_d = c_ji if origin_is_i else c_ij
            share_d = share_j if origin_is_i else share_i
            derivation = derivation_label(reuse_score(c_d, share_d), settings)
            c_a_in_b[x], c_b_in_a[x], jaccard[x], share_a[x], share_b[x] = c_ij, c_ji, jac, share_i, share_j
            longest[x] = int(found[:, 2].max()) if len(found) else 0
            n_found[x], origin[x] = len(found), o
            derivations[x], kinds[x] = derivation, reuse_kind(derivation, c_d, settings)

            # Passages and alignments, from the derived article to its origin,
            # passages in the order of their start in the derived article.
            if len(found):
                (sd, so) = (tok_i.spans, tok_j.spans) if d == i else (tok_j.spans, tok_i.spans)
                ta, tb, length = (found.T if d == i else found[:, [1, 0, 2]].T)
                cs, ce, ocs = sd[ta, 0], sd[ta + length - 1, 1], so[tb, 0]
                if d != i:
                    by_start = np.lexsort((ocs, cs))
                    ta, tb, length, cs, ce, ocs = ta[by_start], tb[by_start], length[by_start], cs[by_start], ce[by_start], ocs[by_start]
                passages.add(d=np.full(len(found), d), o=np.full(len(found), o), cs=cs, ce=ce,
                             ocs=ocs, oce=so[tb + length - 1, 1], n=length)
                text_d = text_i if d == i else text_j
                passage_texts.extend(text_d[a:b] for a, b in zip(cs.tolist(), ce.tolist()))
            sd_numbers, so_numbers = (si, sj) if d == i else (sj, si)
            best, sim = (best_j, sim_i) if d == i else (best_i, sim_j)
            aligned = np.flatnonzero(sim >= settings.sentence_threshold)
            if len(aligned):
                alignments.add(d=np.full(len(aligned), d), sent=sd_numbers[aligned], o=np.full(len(aligned), o),
                               source_sent=so_numbers[best[aligned]], sim=sim[aligned])
        for r in drop_order[drop_until[g - 1] if g else 0 : drop_until[g]]:
            held.pop(int(r), None)
            waiting.pop(int(r), None)
        if g1 - flushed >= flush_pairs:
            flush(int(g1))
    if flushed < n_pairs or n_pairs == 0:
        flush(n_pairs)
    return None if collected is None else collected.tables(empty_tables())


OVERLAP_TABLE_KEYS = {
    "article_overlap": ("article_a", "article_b"),
    "reused_passages": ("article_id", "source_article_id"),
    "sentence_alignments": ("article_id", "source_article_id"),
}


def previous_pieces(previous: dict, keep_ids=None) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """The rows of an earlier run's three tables, as :data:`OverlapSink` pieces:
    one table's piece at a time, the other two empty, in stored order.

    ``previous``: ``{table name: frame or path of its Parquet file}``; a file
    is read a row group at a time (at a million articles the tables hold
    millions of rows and every passage's text). ``keep_ids``: when given, only
    rows whose two articles are both in it are kept. Pieces have the dtypes of
    :func:`empty_tables`.
    """
    empty = empty_tables()
    keep = None if keep_ids is None else pd.Index(pd.unique(np.asarray(list(keep_ids), dtype=object)))
    for t, (name, (col_a, col_b)) in enumerate(OVERLAP_TABLE_KEYS.items()):
        for chunk in row_groups(previous[name]):
            if keep is not None:
                chunk = chunk[chunk[col_a].isin(keep) & chunk[col_b].isin(keep)]
            if len(chunk) == 0:
                continue
            piece = list(empty)
            piece[t] = chunk.reset_index(drop=True).astype(empty[t].dtypes.to_dict())
            yield tuple(piece)


def passage_problems(passages, texts: ArticleTexts, held_batches: int = 8) -> tuple[int, int]:
    """Check ``reused_passages`` against the article texts: returns
    ``(n_out_of_range, n_text_mismatch)``, the passages whose offsets do not
    lie within their article's or their source's text (or whose article is
    unknown), counted once per side, and the passages whose ``text`` is not
    their article's text at ``char_start:char_end``.

    ``passages``: the table as a frame, or the path of its Parquet file, read a
    row group at a time; ``texts``: where article texts are read, a batch (a
    day) at a time. Rows are stored in the order pairs are compared, about
    the order of publication, so only the last ``held_batches`` batches used
    are held, and the corpus's text never is.
    """
    from collections import OrderedDict

    held: OrderedDict = OrderedDict()

    def text_of(ids: pd.Series) -> pd.Series:
        keys = [k for k in pd.unique(texts.batch_of(ids.to_numpy(dtype=object))) if isinstance(k, str)]
        for key in keys:
            if key not in held:
                held[key] = texts.load(key)[0].set_index("article_id")["text"]
            held.move_to_end(key)
        found = [held[k] for k in keys]
        while len(held) > max(held_batches, len(keys)):
            held.popitem(last=False)
        joined = pd.concat(found) if found else pd.Series([], dtype=object)
        return joined[~joined.index.duplicated()].reindex(ids.to_numpy(dtype=object))

    out_of_range = mismatched = 0
    for chunk in row_groups(passages):
        own = text_of(chunk["article_id"])
        for text, start, end in ((own, "char_start", "char_end"),
                                 (text_of(chunk["source_article_id"]), "source_char_start", "source_char_end")):
            n = text.str.len().to_numpy(dtype=np.float64)
            s, e = chunk[start].to_numpy(), chunk[end].to_numpy()
            out_of_range += int((np.isnan(n) | (s < 0) | (e > n) | (s >= e)).sum())
        mismatched += sum((t if isinstance(t, str) else "")[s:e] != p
                          for t, s, e, p in zip(own, chunk["char_start"], chunk["char_end"], chunk["text"]))
    return out_of_range, int(mismatched)


def compute_overlap_incremental(articles: pd.DataFrame, sentences: pd.DataFrame | ArticleTexts, clusters: pd.DataFrame,
                                X: sp.csr_matrix, previous: dict, recompute_from: str,
                                settings: OverlapSettings = OverlapSettings(), backend=None,
                                sink: OverlapSink | None = None):
    """:func:`compute_overlap` for the articles whose ``day`` is ``recompute_from``
    or later, keeping the rows of ``previous`` (``{table name: frame or
    Parquet path}``, the three tables of an earlier run, see
    :func:`previous_pieces`) whose two articles are both earlier.

    Only articles within ``window_days`` before ``recompute_from`` are read
    besides the recomputed ones: no pair is further apart in time than that.
    Same columns as :func:`compute_overlap`: the kept rows first, in their
    stored order, then the recomputed ones; returned whole, or handed to
    ``sink`` (the kept rows as the first pieces).
    """
    a = articles.reset_index(drop=True)
    day = a["day"].astype(str)
    active = (day >= recompute_from).to_numpy()
    scope = active | in_reach(day, recompute_from, settings.window_days)
    rows = np.flatnonzero(scope)
    sub = a.iloc[rows].reset_index(drop=True)
    ids = set(sub["article_id"])
    texts = FrameTexts(a, sentences) if isinstance(sentences, pd.DataFrame) else sentences
    kept_ids = set(a["article_id"][~active])
    collected = _Collected() if sink is None else None
    sink = sink or collected
    empty = empty_tables()
    for piece in previous_pieces(previous, kept_ids):
        sink(*piece)
    compute_overlap(sub, texts.restricted(ids), clusters[clusters["article_id"].isin(ids)], X[rows], settings,
                    active[rows], backend, sink)
    return None if collected is None else collected.tables(empty)
