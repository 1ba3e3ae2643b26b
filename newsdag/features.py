"""TF-IDF features: fit, store as Parquet tables, load back as a scipy CSR matrix.

The fitted state is the ``tfidf_vocabulary`` table (term, df, idf) plus the
:class:`TfidfSettings`; :func:`vectorizer_from_vocabulary` rebuilds a working
vectoriser from them, so nothing is pickled.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from numbers import Integral
from typing import Iterable, Iterator, Mapping

import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import scipy.sparse as sp
import Stemmer
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

from newsdag.analysis import LanguageAnalyzer
from newsdag.language import article_languages
from newsdag.storage import row_groups
from newsdag.workers import in_workers


@dataclass(frozen=True)
class TfidfSettings:
    """Vectoriser settings (scikit-learn ``TfidfVectorizer`` names).

    Defaults chosen on the UCI March-May weeks and WikiRef220, and for other
    languages on two thirds of the SemEval-2022 pairs (bench/RESULTS.md):
    unigrams and bigrams, each article's own language's stop words
    (newsdag.analysis), no stemming, terms in at least 2 documents,
    sublinear term frequency. ``max_df`` stays 1.0: in a small corpus where one
    wire story fills most articles, a proportional cap would delete the very
    words that story is made of; idf already weighs common terms down.
    """

    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 1.0
    sublinear_tf: bool = True
    stop_words: str | None = "language"
    max_features: int | None = None
    stem: bool = False

    def analyzer(self) -> LanguageAnalyzer:
        """The analyser of documents given as (language, text) pairs or bare texts (newsdag.analysis)."""
        return LanguageAnalyzer(self.ngram_max, self.stop_words, self.stem)

    def vectorizer(self, vocabulary=None) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=self.analyzer(),
            min_df=1 if vocabulary is not None else self.min_df,
            max_df=1.0 if vocabulary is not None else self.max_df,
            sublinear_tf=self.sublinear_tf,
            max_features=None if vocabulary is not None else self.max_features,
            vocabulary=vocabulary,
            dtype=np.float32,
        )

    def as_dict(self) -> dict:
        return asdict(self)


def document_text(articles: pd.DataFrame) -> pd.Series:
    """The text vectorised for each article: the title, when the text does not
    already start with it, then the text. Index aligned to ``articles``."""
    titles = articles["title"].fillna("")
    texts = articles["text"].fillna("")
    starts = [t.startswith(h) for t, h in zip(texts, titles)]
    return pd.Series([t if s else f"{h}\n\n{t}" for t, h, s in zip(texts, titles, starts)], index=articles.index)


def language_documents(articles: pd.DataFrame) -> list[tuple[str, str]]:
    """Each article's ``(language, document_text)``, what the analyser takes
    (``und`` where ``articles`` has no ``language`` column or a missing one)."""
    return list(zip(article_languages(articles), document_text(articles)))


class DayDocuments:
    """The ``(language, document_text)`` of every article of a day-partitioned
    ``articles`` table (newsdag.storage.PartitionedTable), read one day at a
    time: sized, so :func:`fit_tfidf` knows whether to count in workers, and
    the corpus's text is never in memory whole. ``article_ids``: the articles in
    the order the documents come (the table's order)."""

    def __init__(self, articles):
        self.articles = articles
        self.days = articles.partitions()
        self.article_ids = articles.read(self.days, columns=["article_id"])["article_id"].to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.article_ids)

    def files(self) -> list:
        """The Parquet files of the days, in document order (for engines that read files themselves)."""
        return self.articles.files(self.days)

    def __iter__(self):
        for day in self.days:
            yield from language_documents(self.articles.read([day], columns=["title", "text", "language"]))


def fit_tfidf(documents, settings: TfidfSettings = TfidfSettings(), workers: int = 1
              ) -> tuple[pd.DataFrame, sp.csr_matrix]:
    """Fit TF-IDF on ``documents`` (``(language, text)`` pairs or bare texts,
    which are read as ``und``: a list, a Series, or any iterable such as
    :class:`DayDocuments`, read once).

    Returns ``(vocabulary, X)``: ``vocabulary`` has ``term_id`` (int32,
    0..V-1 in term order), ``term``, ``df`` (int64) and ``idf`` (float64);
    ``X`` is a float32 CSR of shape (n_documents, V), rows L2-normalised (an
    empty document gives an all-zero row). Deterministic.

    The weights equal scikit-learn's ``TfidfVectorizer.fit_transform`` with
    the same settings, to the bit, for any number of ``workers``: documents
    are counted a chunk at a time (:func:`count_terms`, in worker processes
    when ``workers`` > 1 and there are at least ``MIN_DOCUMENTS_FOR_WORKERS``),
    the chunks' counts are joined as scikit-learn would have counted them in
    one pass (:func:`join_term_counts`), and pruned and weighted as it does
    (:func:`tfidf_of_counts`). Too few documents for ``min_df``: every term
    is kept rather than failing a small run.
    """
    chunks = document_chunks(documents, TFIDF_CHUNK_DOCUMENTS)
    if workers > 1 and hasattr(documents, "__len__") and len(documents) >= MIN_DOCUMENTS_FOR_WORKERS:
        parts = in_workers(_count_terms_task, chunks, workers, "counting terms",
                           initializer=_start_counting_worker, initargs=(settings,))
    else:
        analyzer = settings.vectorizer().build_analyzer()
        parts = (count_terms(chunk, analyzer) for chunk in chunks)
    terms, counts = join_term_counts(parts)
    if not terms:
        return _empty_vocabulary(), sp.csr_matrix((counts.shape[0], 0), dtype=np.float32)
    try:
        kept_terms, X, idf = tfidf_of_counts(terms, counts, settings)
    except ValueError:  # nothing left after min_df / max_df: keep every term
        kept_terms, X, idf = tfidf_of_counts(terms, counts, TfidfSettings(**{**settings.as_dict(), "min_df": 1,
                                                                             "max_df": 1.0}))
    return _vocabulary_table(kept_terms, X, idf)


# Documents counted per task: small enough that a task's texts and counts are
# a few megabytes, large enough that the vocabulary merge sees few chunks.
TFIDF_CHUNK_DOCUMENTS = 2_000
# Below this many documents, starting workers costs more than it saves.
MIN_DOCUMENTS_FOR_WORKERS = 5_000


def document_chunks(documents: Iterable, size: int) -> Iterator[list]:
    """``documents`` as consecutive lists of at most ``size``, in order."""
    chunk: list = []
    for doc in documents:
        chunk.append(doc)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def count_terms(documents: list, analyzer) -> tuple[list[str], sp.csr_matrix]:
    """Term counts of ``documents`` as scikit-learn's ``CountVectorizer``
    counts them: ``(terms, counts)``, the distinct terms in the order they
    first appear, and float32 CSR counts of shape (len(documents),
    len(terms)) whose column j is ``terms[j]``, each row's columns ascending."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for doc in documents:
        row: dict[int, int] = {}
        for term in analyzer(doc):
            j = vocabulary.setdefault(term, len(vocabulary))
            row[j] = row.get(j, 0) + 1
        indices.extend(row)
        values.extend(row.values())
        indptr.append(len(indices))
    counts = sp.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int64),
                            np.asarray(indptr, dtype=np.int64)), shape=(len(documents), len(vocabulary)))
    counts.sort_indices()
    return list(vocabulary), counts


def join_term_counts(parts: Iterable[tuple[list[str], sp.csr_matrix]]) -> tuple[list[str], sp.csr_matrix]:
    """The counts of consecutive chunks of documents (:func:`count_terms`'
    outputs, in document order) as one :func:`count_terms` of all of them:
    terms in order of first appearance over the whole corpus, rows in
    document order, each row's columns ascending. Equal to counting them in
    one pass, for any way of cutting the documents into chunks."""
    vocabulary: dict[str, int] = {}
    data, indices, indptr = [], [], [np.zeros(1, dtype=np.int64)]
    n_rows = at = 0
    for terms, counts in parts:
        ids = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in terms), dtype=np.int64, count=len(terms))
        data.append(counts.data)
        indices.append(ids[counts.indices])
        indptr.append(counts.indptr[1:].astype(np.int64) + at)
        at += counts.nnz
        n_rows += counts.shape[0]
    joined = sp.csr_matrix((np.concatenate(data) if data else np.zeros(0, np.float32),
                            np.concatenate(indices) if indices else np.zeros(0, np.int64), np.concatenate(indptr)),
                           shape=(n_rows, len(vocabulary)))
    # A term first seen in an earlier chunk has a lower id than the chunk's
    # own new terms, wherever it stands in a row: sort each row again.
    joined.sort_indices()
    return list(vocabulary), joined


def tfidf_of_counts(terms: list[str], counts: sp.csr_matrix, settings: TfidfSettings
                    ) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
    """TF-IDF from :func:`join_term_counts`' output, as scikit-learn's
    ``TfidfVectorizer`` computes it from its own counts: terms outside
    ``min_df`` / ``max_df`` (and beyond the ``max_features`` most frequent)
    dropped, ValueError when none is left; the rest sorted; then
    ``TfidfTransformer`` (smoothed idf, ``sublinear_tf``, L2 rows). The
    steps, their order, and so the order of each row's stored weights, which
    the L2 norm adds up in, are those of ``CountVectorizer.fit_transform``:
    ``_limit_features`` then ``_sort_features``, or the other way round with
    ``max_features`` (its ranking breaks ties by column). ``counts`` is not
    changed. Returns ``(kept terms (object array, sorted), X (float32 CSR,
    n x kept), idf (float32, shape (kept,)))``."""
    if settings.max_features is None:
        kept = _kept_columns(counts, settings)
        terms, X = _sorted_columns([terms[i] for i in kept], counts[:, kept])
    else:
        terms, X = _sorted_columns(terms, counts)
        kept = _kept_columns(X, settings)
        terms, X = terms[kept], X[:, kept]
    transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=settings.sublinear_tf)
    X = transformer.fit(X).transform(X, copy=False)
    return terms, X, transformer.idf_


def _kept_columns(counts: sp.csr_matrix, settings: TfidfSettings) -> np.ndarray:
    """The columns ``CountVectorizer._limit_features`` keeps, ascending (int64)."""
    n = counts.shape[0]
    high = settings.max_df if isinstance(settings.max_df, Integral) else settings.max_df * n
    low = settings.min_df if isinstance(settings.min_df, Integral) else settings.min_df * n
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    mask = (df <= high) & (df >= low)
    if settings.max_features is not None and settings.max_features < mask.sum():
        frequency = np.asarray(counts.sum(axis=0)).ravel()
        top = np.zeros(len(mask), dtype=bool)
        top[np.flatnonzero(mask)[(-frequency[mask]).argsort()[: settings.max_features]]] = True
        mask = top
    kept = np.flatnonzero(mask)
    if len(kept) == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    return kept


def _sorted_columns(terms: list[str], counts: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
    """``terms`` sorted (object array), and ``counts`` with its columns
    renamed to match, as ``CountVectorizer._sort_features`` renames them:
    each row's stored order is kept, not re-sorted. A new matrix (the data
    array is shared); ``counts`` is not changed."""
    order = sorted(range(len(terms)), key=terms.__getitem__)
    new_column = np.empty(len(terms), dtype=counts.indices.dtype)
    new_column[np.asarray(order, dtype=np.int64)] = np.arange(len(terms), dtype=counts.indices.dtype)
    X = sp.csr_matrix((counts.data, new_column[counts.indices], counts.indptr), shape=counts.shape)
    X.has_sorted_indices = False  # rows keep their order, which no longer ascends
    return np.asarray([terms[i] for i in order], dtype=object), X


def _vocabulary_table(terms: np.ndarray, X: sp.csr_matrix, idf: np.ndarray) -> tuple[pd.DataFrame, sp.csr_matrix]:
    X = X.tocsr().astype(np.float32, copy=False)
    X.sort_indices()
    X.eliminate_zeros()  # so that a term's df is its count of stored weights
    vocabulary = pd.DataFrame({
        "term_id": np.arange(len(terms), dtype=np.int32),
        "term": np.asarray(terms, dtype=object),
        "df": np.bincount(X.indices, minlength=len(terms)).astype(np.int64),
        "idf": np.asarray(idf, dtype=np.float64),
    })
    return vocabulary, X


_COUNTING_ANALYZER: list = []


def _start_counting_worker(settings: TfidfSettings) -> None:
    _COUNTING_ANALYZER[:] = [settings.vectorizer().build_analyzer()]


def _count_terms_task(documents: list) -> tuple[list[str], sp.csr_matrix]:
    return count_terms(documents, _COUNTING_ANALYZER[0])


def _empty_vocabulary() -> pd.DataFrame:
    return pd.DataFrame({"term_id": pd.Series([], dtype=np.int32), "term": pd.Series([], dtype=object),
                         "df": pd.Series([], dtype=np.int64), "idf": pd.Series([], dtype=np.float64)})


def vectorizer_from_vocabulary(vocabulary: pd.DataFrame, settings: TfidfSettings = TfidfSettings()) -> TfidfVectorizer:
    """A fitted ``TfidfVectorizer`` rebuilt from the ``tfidf_vocabulary`` table,
    for transforming new text (sentences, new articles) into the same space."""
    vocab = vocabulary.sort_values("term_id")
    if vocab.empty:
        raise ValueError("the vocabulary is empty: there is nothing to transform into")
    vec = settings.vectorizer(vocabulary={t: int(i) for t, i in zip(vocab["term"], vocab["term_id"])})
    vec.idf_ = vocab["idf"].to_numpy(dtype=np.float64)
    return vec


def features_table(X: sp.csr_matrix, article_ids) -> pd.DataFrame:
    """The ``tfidf_features`` table of a CSR matrix: one row per non-zero,
    ``article_id``, ``term_id`` (int32), ``weight`` (float32), rows in matrix order.

    ``article_id`` is a categorical when the ids are unique (one int32 code per
    row, not a string object: it repeats on every term of an article, and at
    a million articles the strings alone would take gigabytes); it is written
    as a string column all the same (newsdag.storage.to_arrow).
    """
    X = X.tocsr()
    counts = np.diff(X.indptr)
    ids = np.asarray(article_ids, dtype=object)
    if pd.Index(ids).is_unique:
        article_id = pd.Categorical.from_codes(np.repeat(np.arange(len(ids), dtype=np.int32), counts), categories=ids)
    else:
        article_id = np.repeat(ids, counts)
    return pd.DataFrame({
        "article_id": article_id,
        "term_id": X.indices.astype(np.int32, copy=False),
        "weight": X.data.astype(np.float32, copy=False),
    })


def load_tfidf(features, vocabulary: pd.DataFrame, article_ids=None) -> tuple[sp.csr_matrix, np.ndarray]:
    """Load ``tfidf_features`` back as ``(X, article_ids)``.

    ``features``: the table as a frame, or the path of its Parquet file, which
    is then read a row group at a time (at a million articles the table has a
    quarter of a billion rows: as a frame it would take several times the
    matrix's memory). ``X`` is a float32 CSR of shape (n_articles, V) with
    V = len(vocabulary). Rows follow ``article_ids`` when given (articles
    without features get a zero row), else the order of first appearance in
    ``features``. Round-trips :func:`fit_tfidf` exactly.
    """
    nnz = len(features) if isinstance(features, pd.DataFrame) else pq.read_metadata(features).num_rows
    if article_ids is None:
        seen = [c["article_id"].astype(object) for c in row_groups(features, ["article_id"])]
        article_ids = pd.unique(pd.concat(seen)) if seen else []
    article_ids = np.asarray(article_ids, dtype=object)
    row_of = pd.Index(article_ids)
    rows, terms, weights = np.empty(nnz, np.int32), np.empty(nnz, np.int32), np.empty(nnz, np.float32)
    at = 0
    for chunk in row_groups(features, ["article_id", "term_id", "weight"], categorical=["article_id"]):
        end = at + len(chunk)
        rows[at:end] = _row_numbers(chunk["article_id"], row_of)
        terms[at:end], weights[at:end] = chunk["term_id"].to_numpy(), chunk["weight"].to_numpy()
        at = end
    if (rows < 0).any():
        keep = np.flatnonzero(rows >= 0)
        rows, terms, weights = rows[keep], terms[keep], weights[keep]
    # CSR straight from the rows, without a COO copy: the table is stored in
    # matrix order, so this is usually already sorted.
    if len(rows) and (rows[1:] < rows[:-1]).any():
        order = np.argsort(rows, kind="stable")
        rows, terms, weights = rows[order], terms[order], weights[order]
    indptr = np.zeros(len(article_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(article_ids)), out=indptr[1:])
    del rows
    X = sp.csr_matrix((weights, terms, indptr), shape=(len(article_ids), len(vocabulary)), dtype=np.float32)
    X.sum_duplicates()  # also sorts each row's terms, as the COO route did
    return X, article_ids


def _row_numbers(ids: pd.Series, row_of: pd.Index) -> np.ndarray:
    """Each feature's row in ``row_of`` (int32; -1 for an article not in it).
    A categorical id column (one small integer per row, not a string object)
    is looked up once per article, not once per feature."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.cat.codes.to_numpy()
        rows = row_of.get_indexer(ids.cat.categories).astype(np.int32)[codes]
        rows[codes < 0] = -1  # a missing id (code -1) must not take the last category's row
        return rows
    return row_of.get_indexer(ids).astype(np.int32)


# ------------------------------------------------------------------ sentences

_SENTENCE_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*")


class StemmedWords:
    """Analyzer for sentence vectors: lower-cased words reduced to their Snowball
    (Porter 2) English stems, stop words kept. A paraphrase changes word forms
    ("announces" / "announced", "instructs" / "instructed"); stems match them.
    PyStemmer is the C implementation of the Snowball stemmers.

    Stems are kept in a dictionary: a word's stem does not depend on its
    context, most words recur, and a lookup is about three times cheaper
    than PyStemmer's own (small, 10,000-word) cache.
    """

    _MAX_CACHED = 2_000_000

    def __init__(self):
        self._stemmer = Stemmer.Stemmer("english")
        self._stems: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        words = _SENTENCE_TOKEN.findall(text.lower())
        stems = self._stems
        try:
            return [stems[w] for w in words]
        except KeyError:
            if len(stems) > self._MAX_CACHED:
                stems.clear()
            new = list({w for w in words if w not in stems})
            stems.update(zip(new, self._stemmer.stemWords(new)))
            return [stems[w] for w in words]


def fit_sentence_vocabulary(sentences: pd.Series | list[str]) -> pd.DataFrame:
    """The idf of every stemmed word over ``sentences``: columns ``term`` and
    ``idf`` (float64, scikit-learn's smoothed idf), sorted by term. What
    :func:`sentence_vectors` weighs sentences with."""
    return fit_sentence_idf([sentences])


def fit_sentence_idf(batches: Iterable[pd.Series | list[str]]) -> pd.DataFrame:
    """:func:`fit_sentence_vocabulary` over sentences that arrive in batches
    (a day of the warehouse at a time), so the corpus's sentences are never
    all in memory: only the document frequency of each term is kept
    (:func:`sentence_document_frequency`, :func:`sentence_idf`).

    The idf equals scikit-learn's ``TfidfTransformer`` fitted on the counts of
    all the sentences at once, to the bit.
    """
    analyzer = StemmedWords()
    return summed_sentence_idf(sentence_document_frequency(batch, analyzer) for batch in batches)


def summed_sentence_idf(batch_counts: Iterable[tuple[Mapping[str, int], int]]) -> pd.DataFrame:
    """:func:`sentence_idf` of the document frequencies of several batches
    (:func:`sentence_document_frequency`'s ``(frequencies, n_sentences)``,
    counted here or in worker processes), added up in the order given."""
    df: Counter = Counter()
    n = 0
    for batch_df, batch_n in batch_counts:
        df.update(batch_df)
        n += batch_n
    return sentence_idf(df, n)


def sentence_document_frequency(sentences: pd.Series | list[str], analyzer: StemmedWords | None = None
                                ) -> tuple[dict[str, int], int]:
    """``({stemmed word: number of sentences holding it}, number of
    sentences)`` for one batch of ``sentences``. Counts of batches add up to
    the counts of their union, in any order: what lets batches be counted in
    worker processes."""
    texts = list(sentences)
    counter = CountVectorizer(analyzer=analyzer or StemmedWords(), binary=True, dtype=np.float32)
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # no word at all in this batch
        return {}, len(texts)
    return dict(zip(counter.get_feature_names_out().tolist(), np.bincount(counts.indices).tolist())), len(texts)


def sentence_idf(document_frequency: Mapping[str, int], n_sentences: int) -> pd.DataFrame:
    """The ``term`` and ``idf`` table of :func:`fit_sentence_vocabulary` from
    document frequencies over ``n_sentences`` sentences. Computed in float32,
    as scikit-learn computes it for float32 counts, then widened to float64."""
    if not document_frequency:
        return pd.DataFrame({"term": pd.Series([], dtype=object), "idf": pd.Series([], dtype=np.float64)})
    terms = sorted(document_frequency)
    smoothed = np.array([document_frequency[t] for t in terms], dtype=np.float32) + np.float32(1.0)
    idf = np.full_like(smoothed, n_sentences + 1, dtype=np.float32)
    idf /= smoothed
    np.log(idf, out=idf)
    idf += np.float32(1.0)
    return pd.DataFrame({"term": np.array(terms, dtype=object), "idf": idf.astype(np.float64)})


def sentence_vectorizer(vocabulary: pd.DataFrame) -> TfidfVectorizer | None:
    """The fitted vectoriser of :func:`sentence_vectors` for ``vocabulary``
    (None when it is empty), built once and reused for many batches of
    sentences: the rows it gives do not depend on the batch."""
    if vocabulary.empty:
        return None
    vec = TfidfVectorizer(analyzer=StemmedWords(), sublinear_tf=True, dtype=np.float32,
                          vocabulary={t: i for i, t in enumerate(vocabulary["term"])})
    vec.idf_ = vocabulary["idf"].to_numpy(dtype=np.float64)
    return vec


def transform_sentences(vectorizer: TfidfVectorizer | None, sentences: pd.Series | list[str], n_terms: int
                        ) -> sp.csr_matrix:
    """Sentence vectors from :func:`sentence_vectorizer`: (n, n_terms) float32 CSR, rows L2-normalised."""
    texts = list(sentences)
    if vectorizer is None or not texts:
        return sp.csr_matrix((len(texts), n_terms), dtype=np.float32)
    return normalize(vectorizer.transform(texts)).astype(np.float32).tocsr()


def smoothed_idf(df: np.ndarray, n_documents: int) -> np.ndarray:
    """scikit-learn's default idf, ln((1 + n) / (1 + df)) + 1, as float64."""
    return np.log((1.0 + n_documents) / (1.0 + np.asarray(df, dtype=np.float64))) + 1.0


def sentence_vectors(sentences: pd.Series | list[str], vocabulary: pd.DataFrame | None = None) -> sp.csr_matrix:
    """TF-IDF vectors of sentences for paraphrase alignment, shape (n, V), float32
    CSR, rows L2-normalised: stemmed unigrams, sublinear tf, idf over the
    sentences of ``vocabulary`` (:func:`fit_sentence_vocabulary`; default:
    over these sentences). On MSRP this reached the highest ROC-AUC of the
    lexical variants measured (bench/RESULTS.md). Deterministic."""
    texts = list(sentences)
    if vocabulary is None:
        vocabulary = fit_sentence_vocabulary(texts)
    return transform_sentences(sentence_vectorizer(vocabulary), texts, len(vocabulary))
