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

import numpy as np
import pandas as pd
import scipy.sparse as sp
from newsdag.features import sentence_vectors
from newsdag.incremental import in_reach
from newsdag.neighbours import days_since_epoch, topk_neighbours
from newsdag.text import word_spans

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
    cross_story_similarity: float = 0.5
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
    if len(lower) == len(text) and "\u03a3" not in text:
        words = [lower[a:b] for a, b in spans]
    else:
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
    cos = np.asarray(X[pairs[:, 0]].multiply(X[pairs[:, 1]]).sum(axis=1)).ravel().astype(np.float32)
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


def _pairs_with_sentence_cosines(pairs: pd.DataFrame, rows_of: list, blocks: list, S: sp.csr_matrix):
    """Yield (i, j, cosine, M) for each pair, M being the dense (n_i, n_j)
    matrix of sentence cosines. Pairs come sorted by i: one sparse product per
    article against all its partners' sentences, not one per pair."""
    pi, pj, pc = pairs["i"].to_numpy(), pairs["j"].to_numpy(), pairs["cosine"].to_numpy()
    starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]]) if len(pi) else np.array([], dtype=np.int64)
    for g0, g1 in zip(starts, np.r_[starts[1:], len(pi)].astype(np.int64)):
        i = pi[g0]
        js = pj[g0:g1]
        sizes = np.array([len(rows_of[j]) for j in js], dtype=np.int64)
        offsets = np.r_[0, np.cumsum(sizes)]
        if len(rows_of[i]) and offsets[-1]:
            partner_rows = np.concatenate([rows_of[j] for j in js])
            M = (blocks[i] @ S[partner_rows].T).toarray()
        else:
            M = np.zeros((len(rows_of[i]), offsets[-1]), dtype=np.float32)
        for k, j in enumerate(js):
            yield i, j, pc[g0 + k], M[:, offsets[k] : offsets[k + 1]]


def compute_overlap(articles: pd.DataFrame, sentences: pd.DataFrame, clusters: pd.DataFrame, X: sp.csr_matrix,
                    settings: OverlapSettings = OverlapSettings(), active: np.ndarray | None = None,
                    backend=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """All pair metrics, passages and sentence alignments.

    Inputs: ``articles`` (article_id, published, text, n_words, duplicate_of)
    row-aligned with ``X`` (their TF-IDF rows); ``sentences`` (the sentences
    table); ``clusters`` (story_clusters). Sentences are compared with
    newsdag.features.sentence_vectors.

    Returns ``(article_overlap, reused_passages, sentence_alignments)`` as
    documented in newsdag.schemas. The derived article of a pair is the one
    that is not ``origin_article_id``; passages and alignments run from the
    derived article to its origin. With ``active`` (bool per article), only
    pairs with an active article are compared (see :func:`candidate_pairs`).
    ``backend`` (newsdag.backend; default local) runs the neighbour search
    and the pair comparisons.
    """
    from newsdag.backend import LOCAL

    backend = backend or LOCAL
    a = articles.reset_index(drop=True)
    pairs = candidate_pairs(a, clusters, X, settings, active, neighbours=backend.neighbours)
    compared = pd.DataFrame({
        "article_id": a["article_id"].to_numpy(dtype=object),
        "text": a["text"].to_numpy(dtype=object),
        "days": days_since_epoch(a["published"]),
        "story_id": a["article_id"].map(clusters.set_index("article_id")["story_id"]).to_numpy(dtype=object),
    })
    return _sorted(*backend.compare_pairs(compared, sentences, pairs, settings))


def compare_pairs(articles: pd.DataFrame, sentences: pd.DataFrame, pairs: pd.DataFrame,
                  sentence_vocabulary: pd.DataFrame, settings: OverlapSettings = OverlapSettings(),
                  sentence_matrix: sp.csr_matrix | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Compare each pair of articles: the rows of the three overlap tables, unsorted.

    ``articles``: ``article_id``, ``text``, ``days`` (float days since 1970,
    NaN undated) and ``story_id``; ``pairs``: ``i``, ``j`` (row numbers of
    ``articles``) and ``cosine``; ``sentences``: the sentences of these
    articles (``article_id``, ``sent_idx``, ``text``); ``sentence_vocabulary``:
    :func:`newsdag.features.fit_sentence_vocabulary` over the whole corpus's
    sentences, so that any subset of pairs is scored exactly as the whole;
    ``sentence_matrix`` (optional): the sentence vectors of ``sentences``, row
    for row, when the caller already has them from
    :func:`newsdag.features.fit_sentence_vectors` (computed here otherwise).
    """
    ids = articles["article_id"].to_numpy(dtype=object)
    texts = articles["text"].to_numpy(dtype=object)
    days = articles["days"].to_numpy(dtype=np.float64)
    story_ids = articles["story_id"].to_numpy(dtype=object)

    # Per-article work, done once, for the articles that take part in a pair.
    used = np.unique(np.r_[pairs["i"].to_numpy(), pairs["j"].to_numpy()]).astype(np.int64)
    tokens: dict[int, TokenizedArticle] = {}
    shingles: dict[int, np.ndarray] = {}
    anchors: dict[int, np.ndarray] = {}
    word_hashes: dict[str, np.uint64] = {}
    for r in used:
        tokens[r] = tokenize(texts[r], word_hashes)
        shingles[r] = np.unique(ngram_hashes(tokens[r].hashes, settings.shingle_n))
        anchors[r] = ngram_hashes(tokens[r].hashes, settings.min_passage_words)
    del word_hashes
    in_pairs = sentences["article_id"].isin(set(ids[used])).to_numpy()
    sents = sentences[in_pairs].assign(_row=np.flatnonzero(in_pairs))
    sents = sents.sort_values(["article_id", "sent_idx"], kind="stable").reset_index(drop=True)
    if sentence_matrix is None:
        S = sentence_vectors(sents["text"], sentence_vocabulary)
    else:
        S = sentence_matrix[sents["_row"].to_numpy()]
    sent_rows = sents.groupby("article_id", sort=False).indices
    sent_idx = sents["sent_idx"].to_numpy()
    no_rows = np.array([], dtype=np.int64)
    # Each article's sentence rows and their vectors, sliced once: per-pair
    # sparse slicing was the largest cost of this loop.
    rows_of = [sent_rows.get(a_id, no_rows) for a_id in ids]
    blocks = [S[r[0] : r[-1] + 1] if len(r) else S[:0] for r in rows_of]

    rows, passages, alignments = [], [], []
    for i, j, cos, M in _pairs_with_sentence_cosines(pairs, rows_of, blocks, S):
        c_ij, c_ji, jac = containment(shingles[i], shingles[j])
        ri, rj = rows_of[i], rows_of[j]
        best_j, sim_i, best_i, sim_j = best_matches(M)
        share_i = float((sim_i >= settings.sentence_threshold).mean()) if len(sim_i) else 0.0
        share_j = float((sim_j >= settings.sentence_threshold).mean()) if len(sim_j) else 0.0
        found = shared_passages(anchors[i], anchors[j], settings.min_passage_words)

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
        elif len(tokens[i].hashes) != len(tokens[j].hashes):
            origin_is_i = len(tokens[i].hashes) > len(tokens[j].hashes)  # the longer text is the fuller source
        else:
            origin_is_i = ids[i] < ids[j]
        o, d = (i, j) if origin_is_i else (j, i)
        c_d = c_ji if origin_is_i else c_ij
        share_d = share_j if origin_is_i else share_i
        derivation = derivation_label(reuse_score(c_d, share_d), settings)
        kind = reuse_kind(derivation, c_d, settings)

        a_id, b_id = ids[i], ids[j]
        rows.append((a_id, b_id, story_ids[i], float(cos), c_ij, c_ji, jac, share_i, share_j,
                     int(found[:, 2].max()) if len(found) else 0, len(found), ids[o], derivation, kind))

        # Passages and alignments, from the derived article to its origin.
        sd, so = tokens[d].spans, tokens[o].spans
        for ta, tb, length in (found if d == i else found[:, [1, 0, 2]]):
            cs, ce = int(sd[ta, 0]), int(sd[ta + length - 1, 1])
            passages.append((ids[d], ids[o], cs, ce, int(so[tb, 0]), int(so[tb + length - 1, 1]), int(length),
                             texts[d][cs:ce]))
        rd, ro = (ri, rj) if d == i else (rj, ri)
        best, sim = (best_j, sim_i) if d == i else (best_i, sim_j)
        for k in np.flatnonzero(sim >= settings.sentence_threshold):
            alignments.append((ids[d], int(sent_idx[rd[k]]), ids[o], int(sent_idx[ro[best[k]]]), float(sim[k])))

    overlap = pd.DataFrame(rows, columns=[
        "article_a", "article_b", "story_id", "cosine", "containment_a_in_b", "containment_b_in_a", "jaccard",
        "aligned_sentence_share_a", "aligned_sentence_share_b", "longest_passage_words", "n_passages",
        "origin_article_id", "derivation", "reuse_kind"])
    overlap = overlap.astype({"cosine": np.float32, "containment_a_in_b": np.float64, "containment_b_in_a": np.float64,
                              "jaccard": np.float64, "aligned_sentence_share_a": np.float64,
                              "aligned_sentence_share_b": np.float64, "longest_passage_words": np.int64,
                              "n_passages": np.int64})
    reused = pd.DataFrame(passages, columns=["article_id", "source_article_id", "char_start", "char_end",
                                             "source_char_start", "source_char_end", "n_words", "text"])
    reused = reused.astype({c: np.int64 for c in ["char_start", "char_end", "source_char_start", "source_char_end", "n_words"]})
    aligned = pd.DataFrame(alignments, columns=["article_id", "sent_idx", "source_article_id", "source_sent_idx",
                                                "similarity"])
    aligned = aligned.astype({"sent_idx": np.int32, "source_sent_idx": np.int32, "similarity": np.float32})
    return overlap, reused, aligned


def _sorted(overlap: pd.DataFrame, reused: pd.DataFrame, aligned: pd.DataFrame
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three overlap tables in their stored order."""
    return (overlap.sort_values(["article_a", "article_b"], kind="stable").reset_index(drop=True),
            reused.sort_values(["article_id", "source_article_id", "char_start", "source_char_start"],
                               kind="stable").reset_index(drop=True),
            aligned.sort_values(["article_id", "source_article_id", "sent_idx"], kind="stable").reset_index(drop=True))


OVERLAP_TABLE_KEYS = {
    "article_overlap": ("article_a", "article_b"),
    "reused_passages": ("article_id", "source_article_id"),
    "sentence_alignments": ("article_id", "source_article_id"),
}


def compute_overlap_incremental(articles: pd.DataFrame, sentences: pd.DataFrame, clusters: pd.DataFrame,
                                X: sp.csr_matrix, previous: dict[str, pd.DataFrame], recompute_from: str,
                                settings: OverlapSettings = OverlapSettings(), backend=None,
                                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`compute_overlap` for the articles whose ``day`` is ``recompute_from``
    or later, keeping the rows of ``previous`` (``{table name: frame}``, the
    three tables of an earlier run) whose two articles are both earlier.

    Only articles within ``window_days`` before ``recompute_from`` are read
    besides the recomputed ones: no pair is further apart in time than that.
    Same columns and order as :func:`compute_overlap`.
    """
    a = articles.reset_index(drop=True)
    day = a["day"].astype(str)
    active = (day >= recompute_from).to_numpy()
    scope = active | in_reach(day, recompute_from, settings.window_days)
    rows = np.flatnonzero(scope)
    sub = a.iloc[rows].reset_index(drop=True)
    ids = set(sub["article_id"])
    new = compute_overlap(sub, sentences[sentences["article_id"].isin(ids)], clusters[clusters["article_id"].isin(ids)],
                          X[rows], settings, active[rows], backend)
    kept_ids = set(a["article_id"][~active])
    out = []
    for (name, (col_a, col_b)), fresh in zip(OVERLAP_TABLE_KEYS.items(), new):
        old = previous[name]
        keep = old[old[col_a].isin(kept_ids) & old[col_b].isin(kept_ids)]
        out.append(pd.concat([keep.astype(fresh.dtypes.to_dict()), fresh], ignore_index=True) if len(keep) else fresh)
    return _sorted(*out)
