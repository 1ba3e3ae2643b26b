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
from newsdag.features import (fit_sentence_idf, sentence_document_frequency, sentence_vectorizer, summed_sentence_idf,
                              transform_sentences)
from newsdag.incremental import in_reach
from newsdag.neighbours import days_since_epoch, topk_neighbours
from newsdag.storage import row_groups
from newsdag.text import WORD, word_spans
from newsdag.workers import in_workers

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
        original and in another story, were never compared with it. 0.2 since
        two full texts need StorySettings.full_text_min_similarity (0.15) to
        share a story: at 0.3, 3 GPT-3.5 rewrites of L2R left their original's
        story and were not compared with it.
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
    cross_story_similarity: float = 0.2
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
        # Only these articles' days: a restricted source travels to worker processes.
        return WarehouseTexts(self.articles_table, self.sentences_table, self.day_of[self.day_of.index.isin(only)], only)


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


def compare_pairs_here(articles: pd.DataFrame, texts: ArticleTexts, pairs: pd.DataFrame, settings, sink,
                       workers: int = 1) -> None:
    """:func:`compare_pairs` on this machine, the sentence idf fitted first, a
    batch of ``texts`` at a time, on every sentence they hold: the local
    backend's pair comparisons, in ``workers`` processes."""
    vocabulary = fit_sentence_idf_here(texts, workers)
    compare_pairs(articles, texts, pairs, vocabulary, settings, sink, workers=workers)


def fit_sentence_idf_here(texts: ArticleTexts, workers: int = 1) -> pd.DataFrame:
    """:func:`newsdag.features.fit_sentence_idf` over every sentence of
    ``texts``, a batch at a time; with ``workers`` > 1 and several batches,
    the batches are counted in worker processes (each reads its own batch)
    and the counts added up: the same idf, to the bit."""
    keys = texts.batches()
    if workers <= 1 or len(keys) < 2:
        return fit_sentence_idf(sentence_batches(texts))
    return summed_sentence_idf(in_workers(_count_batch_task, keys, workers, "counting sentence words",
                                          initializer=_start_texts_worker, initargs=(texts,)))


_TEXTS: list = []


def _start_texts_worker(texts: ArticleTexts) -> None:
    _TEXTS[:] = [texts]


def _count_batch_task(key: str) -> tuple[dict[str, int], int]:
    return sentence_document_frequency(_TEXTS[0].load(key)[1]["text"])


# ------------------------------------------------------------------ comparing pairs: the schedule


@dataclass(frozen=True)
class PairSchedule:
    """Pairs in the order they are compared and their rows stored
    (:func:`pair_order`), grouped by their first article.

    ``i``, ``j`` (int64 row numbers of the articles) and ``cosine``
    (float32): the pairs in that order, shape (n_pairs,). ``starts``,
    ``ends`` (int64, shape (n_groups,)): each group's first pair and one past
    its last. ``last_group`` (int64, shape (n_articles,)): the last group
    that needs each article, -1 for an article in no pair. ``release_order``
    (the rows in some pair, by last group) and ``release_until`` (per group,
    how many of them are done after it) give :meth:`done_after`.

    Groups come in publication order and pairs lie within the time window,
    so an article's pairs fall in a short stretch of groups: its features
    are made at its first group and dropped after its last.
    """

    i: np.ndarray
    j: np.ndarray
    cosine: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    last_group: np.ndarray
    release_order: np.ndarray
    release_until: np.ndarray

    @classmethod
    def of(cls, days: np.ndarray, pairs: pd.DataFrame) -> PairSchedule:
        """The schedule of ``pairs`` (``i``, ``j``, ``cosine``) between articles
        published at ``days`` (float days since 1970, NaN undated; shape (n_articles,))."""
        order = pair_order(days, pairs)
        pi, pj = pairs["i"].to_numpy(dtype=np.int64)[order], pairs["j"].to_numpy(dtype=np.int64)[order]
        n_pairs = len(pi)
        starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]]).astype(np.int64) if n_pairs else np.array([], np.int64)
        ends = np.r_[starts[1:], n_pairs].astype(np.int64)
        group = np.repeat(np.arange(len(starts)), ends - starts)
        last_group = np.full(len(days), -1, dtype=np.int64)
        np.maximum.at(last_group, pi, group)
        np.maximum.at(last_group, pj, group)
        used = np.flatnonzero(last_group >= 0)
        release_order = used[np.argsort(last_group[used], kind="stable")]
        release_until = np.searchsorted(last_group[release_order], np.arange(len(starts)), side="right")
        return cls(pi, pj, pairs["cosine"].to_numpy(dtype=np.float32)[order], starts, ends, last_group,
                   release_order, release_until)

    @property
    def n_pairs(self) -> int:
        return len(self.i)

    def stretches(self, flush_pairs: int) -> list[tuple[int, int]]:
        """The groups cut into consecutive stretches ``(first group, one past
        the last)``, each ending at the first group end at least
        ``flush_pairs`` pairs after its start (the last may be shorter); one
        empty stretch when there are no pairs.

        A stretch is one piece of the tables handed to the sink (one Parquet
        row group). The cuts depend on the schedule only, so the pieces are
        the same however many workers compare them.
        """
        out, g, n_groups = [], 0, len(self.starts)
        while g < n_groups:
            end = int(np.searchsorted(self.ends, self.starts[g] + flush_pairs, side="left")) + 1
            out.append((g, min(end, n_groups)))
            g = out[-1][1]
        return out or [(0, 0)]

    def pair_range(self, stretch: tuple[int, int]) -> tuple[int, int]:
        """Positions ``(first, one past the last)`` of a stretch's pairs."""
        g0, g1 = stretch
        return (int(self.starts[g0]), int(self.ends[g1 - 1])) if g1 > g0 else (self.n_pairs, self.n_pairs)

    def done_after(self, group: int) -> np.ndarray:
        """The article rows (int64) that no group after ``group`` needs."""
        return self.release_order[self.release_until[group - 1] if group else 0 : self.release_until[group]]


# ------------------------------------------------------------------ comparing pairs: the article cache


@dataclass(frozen=True)
class ArticleFeatures:
    """What the pair kernel uses of one article, made once per article.

    ``tokens``: its words (:func:`tokenize`); ``shingles``: sorted unique
    uint64 hashes of its ``shingle_n``-grams; ``anchors``: uint64 hash of
    the ``min_passage_words``-gram at each token position; ``sent_idx``
    (int32, shape (n_sentences,)) and ``sentence_vectors`` (float32 csr,
    one L2-normalised TF-IDF row per sentence): its sentences; ``text``.
    """

    tokens: TokenizedArticle
    shingles: np.ndarray
    anchors: np.ndarray
    sent_idx: np.ndarray
    sentence_vectors: sp.csr_matrix
    text: str


class ArticleCache:
    """:class:`ArticleFeatures` of the articles of a :class:`PairSchedule`,
    made at an article's first pair and dropped after its last.

    A batch of ``texts`` (a day) is read when the first of its articles is
    needed, and its sentences are vectorised together; the articles of the
    batch that still have pairs to come wait, as text and sentence vectors,
    until their first pair. ``ids``: article ids by row.
    """

    # A cache only, cleared when it grows past this: the hashes do not depend on it.
    MAX_WORD_HASHES = 2_000_000

    def __init__(self, ids: np.ndarray, texts: ArticleTexts, schedule: PairSchedule,
                 sentence_vocabulary: pd.DataFrame, settings: OverlapSettings):
        self.texts, self.schedule, self.settings = texts, schedule, settings
        self.batch = texts.batch_of(ids)
        self.row_of = pd.Series(np.arange(len(ids)), index=ids)
        self.vectorizer, self.n_terms = sentence_vectorizer(sentence_vocabulary), len(sentence_vocabulary)
        self.no_sentences = (np.array([], dtype=np.int32), sp.csr_matrix((0, self.n_terms), dtype=np.float32))
        self.word_hashes: dict[str, np.uint64] = {}
        self.loaded: set = set()
        self.waiting: dict[int, tuple] = {}  # read, not yet used: row -> (text, sentence numbers, sentence vectors)
        self.held: dict[int, ArticleFeatures] = {}

    def get(self, row: int, group: int) -> ArticleFeatures:
        """The features of article ``row``, needed by ``group``."""
        got = self.held.get(row)
        if got is None:
            if row not in self.waiting and self.batch[row] not in self.loaded:
                self._load(self.batch[row], group)
            text, sent_idx, vectors = self.waiting.pop(row, ("", *self.no_sentences))
            got = self.held[row] = self._features(text, sent_idx, vectors)
        return got

    def release(self, rows: np.ndarray) -> None:
        """Drop what is held of ``rows``."""
        for r in rows.tolist():
            self.held.pop(r, None)
            self.waiting.pop(r, None)

    def _features(self, text: str, sent_idx: np.ndarray, vectors: sp.csr_matrix) -> ArticleFeatures:
        if len(self.word_hashes) > self.MAX_WORD_HASHES:
            self.word_hashes.clear()
        tokens = tokenize(text, self.word_hashes)
        return ArticleFeatures(tokens, np.unique(ngram_hashes(tokens.hashes, self.settings.shingle_n)),
                               ngram_hashes(tokens.hashes, self.settings.min_passage_words), sent_idx, vectors, text)

    def _load(self, key, group: int) -> None:
        """Read batch ``key``; keep its articles that have pairs in ``group`` or later."""
        self.loaded.add(key)
        last_group = self.schedule.last_group
        arts, sents = self.texts.load(key)
        rows = self.row_of.reindex(arts["article_id"].to_numpy(dtype=object)).to_numpy()
        known = ~np.isnan(rows)
        wanted = np.zeros(len(arts), dtype=bool)
        wanted[known] = last_group[rows[known].astype(np.int64)] >= group
        sents = sents[sents["article_id"].isin(set(arts["article_id"][wanted]))]
        sents = sents.sort_values(["article_id", "sent_idx"], kind="stable")
        # One vectorisation per batch; each article then takes its own rows.
        S = transform_sentences(self.vectorizer, sents["text"], self.n_terms)
        spans = sents.groupby("article_id", sort=False).indices
        sent_idx = sents["sent_idx"].to_numpy(dtype=np.int32)
        for r, text, article_id in zip(rows[wanted].astype(np.int64).tolist(), arts["text"][wanted], arts["article_id"][wanted]):
            if r in self.held or r in self.waiting:
                continue
            at = spans.get(article_id)
            self.waiting[r] = (text, *((sent_idx[at[0] : at[-1] + 1], S[at[0] : at[-1] + 1]) if at is not None
                                       else self.no_sentences))


# ------------------------------------------------------------------ comparing pairs: the kernel


@dataclass(frozen=True)
class PairComparison:
    """One pair's comparison, ``a`` its first article and ``b`` its second.

    Containments and Jaccard of their shingle sets; ``share_a``/``share_b``:
    the share of each one's sentences aligned (cosine >= sentence_threshold)
    with a sentence of the other; ``best_b``/``sim_a`` (int64, float32, shape
    (n_sentences_a,)): each sentence of ``a``'s best match in ``b`` and its
    cosine, and ``best_a``/``sim_b`` the other way; ``passages``: int64
    (p, 3), token start in ``a``, token start in ``b``, length in tokens
    (:func:`shared_passages`); ``origin_is_a``; ``derivation`` and
    ``reuse_kind`` of the derived article.
    """

    containment_a_in_b: float
    containment_b_in_a: float
    jaccard: float
    share_a: float
    share_b: float
    best_b: np.ndarray
    sim_a: np.ndarray
    best_a: np.ndarray
    sim_b: np.ndarray
    passages: np.ndarray
    origin_is_a: bool
    derivation: str
    reuse_kind: str


def origin_is_first(day_a: float, day_b: float, containment_a_in_b: float, containment_b_in_a: float,
                    share_a: float, share_b: float, n_tokens_a: int, n_tokens_b: int, id_a: str, id_b: str) -> bool:
    """Whether ``a`` is the origin of the pair: the earlier publication; on a
    tie or a missing date, the direction of the asymmetric overlap: the
    article more contained in the other is the derived one (Broder's
    containment), then the one with more of its sentences aligned, then the
    shorter (the longer text is the fuller source), then the one with the
    smaller id."""
    if not np.isnan(day_a) and not np.isnan(day_b) and day_a != day_b:
        return bool(day_a < day_b)
    if containment_a_in_b != containment_b_in_a:
        return containment_a_in_b < containment_b_in_a
    if share_a != share_b:
        return share_a < share_b
    if n_tokens_a != n_tokens_b:
        return n_tokens_a > n_tokens_b
    return id_a < id_b


def compare_articles(a: ArticleFeatures, b: ArticleFeatures, sentence_cosines: np.ndarray, day_a: float, day_b: float,
                     id_a: str, id_b: str, settings: OverlapSettings) -> PairComparison:
    """Compare two articles: shingle overlap, shared passages, sentence
    alignment, origin and derivation. ``sentence_cosines``: float32
    (n_sentences_a, n_sentences_b); ``day_a``/``day_b``: float days since 1970
    (NaN undated)."""
    c_ab, c_ba, jac = containment(a.shingles, b.shingles)
    best_b, sim_a, best_a, sim_b = best_matches(sentence_cosines)
    share_a = float((sim_a >= settings.sentence_threshold).mean()) if len(sim_a) else 0.0
    share_b = float((sim_b >= settings.sentence_threshold).mean()) if len(sim_b) else 0.0
    origin_is_a = origin_is_first(day_a, day_b, c_ab, c_ba, share_a, share_b,
                                  len(a.tokens.hashes), len(b.tokens.hashes), id_a, id_b)
    c_derived, share_derived = (c_ba, share_b) if origin_is_a else (c_ab, share_a)
    derivation = derivation_label(reuse_score(c_derived, share_derived), settings)
    return PairComparison(c_ab, c_ba, jac, share_a, share_b, best_b, sim_a, best_a, sim_b,
                          shared_passages(a.anchors, b.anchors, settings.min_passage_words), origin_is_a,
                          derivation, reuse_kind(derivation, c_derived, settings))


# ------------------------------------------------------------------ comparing pairs: the rows


class OverlapRows:
    """The rows of the three overlap tables for a stretch of ``n_pairs``
    consecutive pairs of a schedule, filled pair by pair (:meth:`add`, ``x``:
    the pair's position in the stretch) and returned as frames
    (:meth:`tables`, the dtypes of :func:`empty_tables`).

    Passages and alignments run from the derived article to its origin,
    passages in the order of their start in the derived article.
    ``ids``/``story_ids``: per article row.
    """

    def __init__(self, ids: np.ndarray, story_ids: np.ndarray, pi: np.ndarray, pj: np.ndarray, cosine: np.ndarray,
                 settings: OverlapSettings):
        self.ids, self.story_ids, self.pi, self.pj, self.cosine = ids, story_ids, pi, pj, cosine
        self.settings = settings
        n = len(pi)
        self.c_a_in_b, self.c_b_in_a, self.jaccard, self.share_a, self.share_b = (np.zeros(n) for _ in range(5))
        self.longest, self.n_passages, self.origin = (np.zeros(n, dtype=np.int64) for _ in range(3))
        self.derivation, self.reuse_kind = np.empty(n, dtype=object), np.empty(n, dtype=object)
        self.passages = _Pieces(d=np.int64, o=np.int64, cs=np.int64, ce=np.int64, ocs=np.int64, oce=np.int64, n=np.int64)
        self.passage_texts: list[str] = []
        self.alignments = _Pieces(d=np.int64, sent=np.int32, o=np.int64, source_sent=np.int32, sim=np.float32)

    def add(self, x: int, a: ArticleFeatures, b: ArticleFeatures, got: PairComparison) -> None:
        i, j = int(self.pi[x]), int(self.pj[x])
        o, d = (i, j) if got.origin_is_a else (j, i)
        self.c_a_in_b[x], self.c_b_in_a[x], self.jaccard[x] = got.containment_a_in_b, got.containment_b_in_a, got.jaccard
        self.share_a[x], self.share_b[x] = got.share_a, got.share_b
        found = got.passages
        self.longest[x] = int(found[:, 2].max()) if len(found) else 0
        self.n_passages[x], self.origin[x] = len(found), o
        self.derivation[x], self.reuse_kind[x] = got.derivation, got.reuse_kind
        derived_is_a = not got.origin_is_a
        derived, source = (a, b) if derived_is_a else (b, a)
        if len(found):
            self._add_passages(d, o, found, derived, source, derived_is_a)
        best, sim = (got.best_b, got.sim_a) if derived_is_a else (got.best_a, got.sim_b)
        aligned = np.flatnonzero(sim >= self.settings.sentence_threshold)
        if len(aligned):
            self.alignments.add(d=np.full(len(aligned), d), sent=derived.sent_idx[aligned], o=np.full(len(aligned), o),
                                source_sent=source.sent_idx[best[aligned]], sim=sim[aligned])

    def _add_passages(self, d: int, o: int, found: np.ndarray, derived: ArticleFeatures, source: ArticleFeatures,
                      derived_is_a: bool) -> None:
        sd, so = derived.tokens.spans, source.tokens.spans
        ta, tb, length = (found.T if derived_is_a else found[:, [1, 0, 2]].T)
        cs, ce, ocs = sd[ta, 0], sd[ta + length - 1, 1], so[tb, 0]
        if not derived_is_a:  # found is ordered by its start in a: reorder by the start in b, the derived
            by_start = np.lexsort((ocs, cs))
            ta, tb, length, cs, ce, ocs = ta[by_start], tb[by_start], length[by_start], cs[by_start], ce[by_start], ocs[by_start]
        self.passages.add(d=np.full(len(found), d), o=np.full(len(found), o), cs=cs, ce=ce,
                          ocs=ocs, oce=so[tb + length - 1, 1], n=length)
        self.passage_texts.extend(derived.text[s:e] for s, e in zip(cs.tolist(), ce.tolist()))

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """``(article_overlap, reused_passages, sentence_alignments)`` rows of the stretch."""
        ids, pi, pj = self.ids, self.pi, self.pj
        overlap = pd.DataFrame({
            "article_a": ids[pi], "article_b": ids[pj], "story_id": self.story_ids[pi], "cosine": self.cosine,
            "containment_a_in_b": self.c_a_in_b, "containment_b_in_a": self.c_b_in_a, "jaccard": self.jaccard,
            "aligned_sentence_share_a": self.share_a, "aligned_sentence_share_b": self.share_b,
            "longest_passage_words": self.longest, "n_passages": self.n_passages, "origin_article_id": ids[self.origin],
            "derivation": self.derivation, "reuse_kind": self.reuse_kind})
        p = self.passages.columns()
        reused = pd.DataFrame({"article_id": ids[p["d"]], "source_article_id": ids[p["o"]], "char_start": p["cs"],
                               "char_end": p["ce"], "source_char_start": p["ocs"], "source_char_end": p["oce"],
                               "n_words": p["n"], "text": np.array(self.passage_texts, dtype=object)})
        al = self.alignments.columns()
        aligned = pd.DataFrame({"article_id": ids[al["d"]], "sent_idx": al["sent"], "source_article_id": ids[al["o"]],
                                "source_sent_idx": al["source_sent"], "similarity": al["sim"]})
        return overlap, reused, aligned


# ------------------------------------------------------------------ comparing pairs: the loop


def compare_stretch(schedule: PairSchedule, stretch: tuple[int, int], cache: ArticleCache, articles: pd.DataFrame,
                    settings: OverlapSettings) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three tables' rows for the pairs of ``stretch`` (groups of
    ``schedule``), with article features from ``cache``; ``articles`` as in
    :func:`compare_pairs`."""
    ids = articles["article_id"].to_numpy(dtype=object)
    days = articles["days"].to_numpy(dtype=np.float64)
    first, last = schedule.pair_range(stretch)
    rows = OverlapRows(ids, articles["story_id"].to_numpy(dtype=object), schedule.i[first:last],
                       schedule.j[first:last], schedule.cosine[first:last], settings)
    for g in range(*stretch):
        g0, g1 = int(schedule.starts[g]), int(schedule.ends[g])
        i = int(schedule.i[g0])
        a = cache.get(i, g)
        partners = [cache.get(int(j), g) for j in schedule.j[g0:g1]]
        # One product for the article against all its partners' sentences.
        offsets = np.r_[0, np.cumsum([len(p.sent_idx) for p in partners])].astype(np.int64)
        cosines = _sentence_cosines(a.sentence_vectors, [p.sentence_vectors for p in partners], int(offsets[-1]))
        for k, b in enumerate(partners):
            j = int(schedule.j[g0 + k])
            got = compare_articles(a, b, cosines[:, offsets[k] : offsets[k + 1]], days[i], days[j], ids[i], ids[j], settings)
            rows.add(g0 + k - first, a, b, got)
        cache.release(schedule.done_after(g))
    return rows.tables()


def compare_pairs(articles: pd.DataFrame, texts: ArticleTexts, pairs: pd.DataFrame,
                  sentence_vocabulary: pd.DataFrame, settings: OverlapSettings = OverlapSettings(),
                  sink: OverlapSink | None = None, flush_pairs: int | None = None, workers: int = 1):
    """Compare each pair of articles: the rows of the three overlap tables.

    ``articles``: ``article_id``, ``days`` (float days since 1970, NaN
    undated) and ``story_id``; ``texts``: their texts and sentences
    (:class:`ArticleTexts`, read a batch at a time); ``pairs``: ``i``, ``j``
    (row numbers of ``articles``) and ``cosine``; ``sentence_vocabulary``:
    :func:`newsdag.features.fit_sentence_vocabulary` over the whole corpus's
    sentences, so that any subset of pairs is scored exactly as the whole.

    Pairs are compared in :func:`pair_order` (a :class:`PairSchedule`), in
    stretches of about ``flush_pairs`` (default :data:`FLUSH_PAIRS`); each
    stretch's rows go to ``sink(overlap, reused, aligned)`` in order (the
    tables, whole, are returned when ``sink`` is None). With ``workers`` > 1
    and more than one stretch, stretches are compared in that many worker
    processes (:func:`compare_in_workers`); the pieces and their rows are the
    same for any number of workers. Memory follows the time window, not the
    corpus (:class:`ArticleCache`).
    """
    collected = _Collected() if sink is None else None
    sink = sink or collected
    schedule = PairSchedule.of(articles["days"].to_numpy(dtype=np.float64), pairs)
    stretches = schedule.stretches(flush_pairs or FLUSH_PAIRS)
    if workers > 1 and len(stretches) > 1:
        pieces = compare_in_workers(articles, texts, schedule, stretches, sentence_vocabulary, settings, workers)
    else:
        cache = ArticleCache(articles["article_id"].to_numpy(dtype=object), texts, schedule, sentence_vocabulary, settings)
        pieces = (compare_stretch(schedule, stretch, cache, articles, settings) for stretch in stretches)
    for piece in pieces:
        sink(*piece)
    return None if collected is None else collected.tables(empty_tables())


# ------------------------------------------------------------------ comparing pairs: worker processes


def stretch_task(articles: pd.DataFrame, texts: ArticleTexts, schedule: PairSchedule,
                 stretch: tuple[int, int]) -> tuple[pd.DataFrame, ArticleTexts, pd.DataFrame]:
    """A stretch as a problem of its own, for a worker: ``(articles, texts,
    pairs)`` of only the articles its pairs name, rows renumbered in their
    order. The renumbering keeps the order of rows, so :func:`pair_order`
    of the task is the stretch's order, and its rows are the stretch's."""
    first, last = schedule.pair_range(stretch)
    pi, pj = schedule.i[first:last], schedule.j[first:last]
    rows = np.unique(np.r_[pi, pj])
    local = articles.iloc[rows].reset_index(drop=True)
    pairs = pd.DataFrame({"i": np.searchsorted(rows, pi), "j": np.searchsorted(rows, pj),
                          "cosine": schedule.cosine[first:last]})
    return local, texts.restricted(local["article_id"]), pairs


_WORKER: dict = {}


def _start_worker(sentence_vocabulary: pd.DataFrame, settings: OverlapSettings) -> None:
    _WORKER.update(vocabulary=sentence_vocabulary, settings=settings)


def _compare_task(task: tuple[pd.DataFrame, ArticleTexts, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    articles, texts, pairs = task
    settings = _WORKER["settings"]
    schedule = PairSchedule.of(articles["days"].to_numpy(dtype=np.float64), pairs)
    cache = ArticleCache(articles["article_id"].to_numpy(dtype=object), texts, schedule, _WORKER["vocabulary"], settings)
    return compare_stretch(schedule, (0, len(schedule.starts)), cache, articles, settings)


def compare_in_workers(articles: pd.DataFrame, texts: ArticleTexts, schedule: PairSchedule,
                       stretches: list[tuple[int, int]], sentence_vocabulary: pd.DataFrame,
                       settings: OverlapSettings, workers: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Each stretch's tables (:func:`compare_stretch`), in stretch order,
    compared in ``workers`` spawned processes (:func:`stretch_task`,
    :func:`newsdag.workers.in_workers`).

    At most two stretches per worker are in flight, so memory holds a few
    stretches' rows, not the corpus's. A worker reads its own texts (a
    :class:`WarehouseTexts` travels as paths and ids), and features of an
    article whose pairs span two stretches are made in both: the price of
    independence.
    """
    tasks = (stretch_task(articles, texts, schedule, stretch) for stretch in stretches)
    yield from in_workers(_compare_task, tasks, workers, "comparing pairs", initializer=_start_worker,
                          initargs=(sentence_vocabulary, settings))


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
