"""The heavy stages as Spark jobs (``NEWSDAG_COMPUTE=spark``).

Same inputs and outputs as :class:`newsdag.backend.LocalBackend`, and the
same results (tests/test_spark.py proves it on a generated corpus):

* ``fit_tfidf``: documents are tokenised on the executors with the very
  scikit-learn analyser the local backend uses (``mapInPandas``); document
  frequencies are a Spark aggregation; weights (sublinear tf x smoothed idf,
  L2-normalised) are computed in Spark. Term ids follow the sorted
  vocabulary, as scikit-learn numbers them.
* ``neighbours``: rows are keyed by time block (``floor(day / window)``) and
  each row is copied to its own block and the two beside it; one Spark group
  per block then computes the top-k lists of its own rows
  (:func:`newsdag.neighbours.topk_directed`). A row's candidates all lie
  within one window of it, so the shuffle moves each row to three groups and
  never pairs rows further apart in time: the work grows with articles times
  articles per window, never with the square of the corpus. Undated rows,
  which are compared with everything, join every group.
* ``compare_pairs``: the sentence idf is a Spark aggregation over every
  sentence; pairs are grouped by the day of their first article, each
  group gets exactly the articles and sentences its pairs name (a join, not a
  broadcast), and :func:`newsdag.overlap.compare_pairs` runs per group.

Texts and sentences in the warehouse are read by the executors from their
Parquet files. Large results (the TF-IDF weights, the overlap tables) are
written by the executors as sorted Parquet files under a scratch folder and
read back a file at a time (``_sorted_files``); small ones (the
vocabulary, the edge list) come back as Arrow batches. Either way the same
IO manager as the local backend's writes the tables, so tables, schemas and
paths are identical. Leiden runs on the driver over the edge list (about k edges per
article): there is no Leiden for Spark, and connected components would chain
stories together.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from newsdag.features import TfidfSettings, _empty_vocabulary, fit_tfidf, language_documents, smoothed_idf
from newsdag.neighbours import symmetric_edges, topk_directed

# The group key of undated rows' own group (compared with every row).
_UNDATED_GROUP = -(2**62)


def spark_config(master: str = "local[*]", driver_memory: str = "4g", shuffle_partitions: int | None = None,
                 remote: str | None = None) -> dict:
    """Spark settings for a newsdag session: the master URL, the driver's
    memory, Arrow transfers, and this interpreter for the Python workers
    (``PYSPARK_PYTHON``), so executors import the same newsdag.

    With ``remote`` (a Spark Connect address, ``sc://host:port``) the session
    is a Spark Connect client instead, and only the SQL settings a client may
    change are sent: the server owns the master, the driver's memory and its
    workers' Python. ``local[N]`` as ``remote`` starts a Connect server in
    this process (how the tests run the Connect path).
    """
    sql = {"spark.sql.execution.arrow.pyspark.enabled": "true", "spark.sql.session.timeZone": "UTC"}
    if shuffle_partitions:
        sql["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    if remote:
        return {"spark.remote": remote, **sql}
    return {
        "spark.master": master,
        "spark.app.name": "newsdag",
        "spark.driver.memory": driver_memory,
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        "spark.ui.showConsoleProgress": "false",
        **sql,
    }


def use_this_python() -> None:
    """Python workers run this interpreter (its environment has newsdag).
    PySpark takes the workers' Python from ``$PYSPARK_PYTHON`` when the
    SparkContext starts, not from ``spark.pyspark.python``; a value the user
    set is kept."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def spark_session(conf: dict):
    """A SparkSession from :func:`spark_config` settings (creates one or returns the running one)."""
    from pyspark.sql import SparkSession

    use_this_python()
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    quiet(session)
    return session


def is_connect(spark) -> bool:
    """Whether ``spark`` is a Spark Connect session (no SparkContext, no broadcast variables)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def quiet(spark) -> None:
    """Only warnings from Spark's own log (a Connect client has no log of its own to set)."""
    if not is_connect(spark):
        spark.sparkContext.setLogLevel("WARN")


def _time_block(days: np.ndarray, width: float) -> np.ndarray:
    """``floor(day / width)`` per row as int64, :data:`_UNDATED_GROUP` where the day is NaN."""
    return np.where(np.isnan(days), _UNDATED_GROUP, np.floor(np.nan_to_num(days) / width)).astype(np.int64)


def _ipc(frame: pd.DataFrame) -> bytes:
    """A frame as Arrow IPC stream bytes: how groups send tables of any schema back."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _from_ipc(payload: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(payload).read_all().to_pandas()


def _csr_rows_table(X: sp.csr_matrix, extra: dict) -> pa.Table:
    """One Arrow row per CSR row: ``term_ids`` (list<int32>) and ``weights`` (list<float32>) plus ``extra`` columns."""
    X = sp.csr_matrix(X, dtype=np.float32)
    offsets = pa.array(X.indptr.astype(np.int32))
    cols = {name: pa.array(values) for name, values in extra.items()}
    # The matrix's own arrays, not copies: at a million articles each is a gigabyte.
    cols["term_ids"] = pa.ListArray.from_arrays(offsets, pa.array(X.indices.astype(np.int32, copy=False)))
    cols["weights"] = pa.ListArray.from_arrays(offsets, pa.array(X.data.astype(np.float32, copy=False)))
    return pa.table(cols)


def _csr_from_rows(term_ids, weights, n_columns: int) -> sp.csr_matrix:
    lengths = np.fromiter((len(t) for t in term_ids), dtype=np.int64, count=len(term_ids))
    indptr = np.r_[0, np.cumsum(lengths)]
    indices = np.concatenate([np.asarray(t, np.int32) for t in term_ids]) if len(term_ids) else np.array([], np.int32)
    data = np.concatenate([np.asarray(w, np.float32) for w in weights]) if len(weights) else np.array([], np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(term_ids), n_columns), dtype=np.float32)


class _Held:
    """A value with a broadcast variable's ``value`` and ``unpersist`` (for Spark Connect)."""

    def __init__(self, value):
        self.value = value

    def unpersist(self) -> None:
        pass


class SparkBackend:
    """The heavy stages on a SparkSession (see the module docstring).

    ``spark``: a ``pyspark.sql.SparkSession`` whose Python workers can import
    newsdag (:func:`spark_config` sets them to this interpreter).
    """

    name = "spark"

    def __init__(self, spark, scratch_dir: str | os.PathLike | None = None):
        self.spark = spark
        # What the assets record as compute_backend: which kind of session ran them.
        self.label = "spark (Spark Connect)" if is_connect(spark) else "spark"
        # Where the executors write the large results this process reads back
        # (see _sorted_files): a folder both can reach.
        self.scratch_dir = Path(scratch_dir) if scratch_dir else Path(tempfile.gettempdir())

    # ------------------------------------------------------------------ reading and collecting

    def _parquet(self, files, schema: str):
        """The rows of the Parquet ``files`` with the columns of ``schema`` (a
        DDL string), read by the executors: the driver never holds them."""
        if not files:
            return self.spark.createDataFrame([], schema)
        # An explicit schema: Spark reads only these columns and infers nothing from the footers.
        return self.spark.read.schema(schema).parquet(*[str(f) for f in files])

    @contextmanager
    def _sorted_files(self, frame, order: list[str]):
        """``frame``'s rows written as Parquet files, in the order of the
        ``order`` columns: yields the files in that order (read them with
        :func:`_read_in_order`), and deletes them afterwards.

        The executors range-partition and sort the rows and write them under
        :attr:`scratch_dir`. Unlike ``toPandas()``, neither the JVM driver nor
        this process ever holds the whole result."""
        from pyspark import StorageLevel

        path = self.scratch_dir / f"newsdag-spark-{uuid.uuid4().hex}"
        # Range partitioning first samples its input in a job of its own: kept
        # on the executors' disks, the rows are computed once, not twice.
        frame = frame.persist(StorageLevel.DISK_ONLY)
        try:
            (frame.repartitionByRange(self._parallelism * 2, *order).sortWithinPartitions(*order)
             .write.parquet(str(path)))
            # Range partition i holds keys below partition i+1's, and part files are numbered by partition.
            yield sorted(path.glob("part-*.parquet"))
        finally:
            frame.unpersist()
            shutil.rmtree(path, ignore_errors=True)

    @property
    def _parallelism(self) -> int:
        if is_connect(self.spark):
            # A Connect client cannot see the cluster's cores; the shuffle
            # partitions setting is what the server plans with.
            return max(2, int(self.spark.conf.get("spark.sql.shuffle.partitions")))
        return max(2, int(self.spark.sparkContext.defaultParallelism))

    # ------------------------------------------------------------------ TF-IDF

    def fit_tfidf(self, documents, settings: TfidfSettings = TfidfSettings()) -> tuple[pd.DataFrame, sp.csr_matrix]:
        """:func:`newsdag.features.fit_tfidf` as Spark jobs; same vocabulary,
        term ids and weights (to float32 rounding)."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        if settings.max_features is not None:
            raise ValueError("max_features is not supported by the spark backend: it needs a global term ranking")
        n = len(documents)
        if n == 0:
            return fit_tfidf([], settings)
        frame = self._documents(documents)

        def count_terms(batches):
            analyse = settings.vectorizer().build_analyzer()
            for batch in batches:
                rows, terms, counts = [], [], []
                for row, language, text in zip(batch["row"].to_numpy(), batch["language"], batch["text"]):
                    c = Counter(analyse((language, text)))
                    rows.extend([row] * len(c)); terms.extend(c.keys()); counts.extend(c.values())
                yield pd.DataFrame({"row": np.asarray(rows, np.int64), "term": pd.Series(terms, dtype=object),
                                    "tf": np.asarray(counts, np.int32)})

        # Counted once, read twice (document frequencies, then weights): kept
        # on disk, so the JVM's memory does not grow with the corpus.
        counts = (frame.repartition(self._parallelism * 2, "row")
                  .mapInPandas(count_terms, "row long, term string, tf int").persist(StorageLevel.DISK_ONLY))
        try:
            df = counts.groupBy("term").agg(F.count("*").alias("df"))
            # Pruned by the executors: most distinct terms (bigrams) occur once
            # and never reach the driver.
            vocabulary = _prune(df, n, settings.min_df, settings.max_df)
            if vocabulary.empty:  # as fit_tfidf: too few documents for min_df, keep every term
                vocabulary = _prune(df, n, 1, 1.0)
            if vocabulary.empty:
                return _empty_vocabulary(), sp.csr_matrix((n, 0), dtype=np.float32)
            vocabulary["idf"] = smoothed_idf(vocabulary["df"].to_numpy(), n)
            terms = self.spark.createDataFrame(pa.Table.from_pandas(vocabulary[["term", "term_id", "idf"]], preserve_index=False))
            tf = F.col("tf").cast("double")
            weighted = counts.join(terms, "term").select(
                "row", "term_id", ((F.log(tf) + 1.0 if settings.sublinear_tf else tf) * F.col("idf")).alias("w"))
            norms = weighted.groupBy("row").agg(F.sqrt(F.sum(F.col("w") * F.col("w"))).alias("norm"))
            features = (weighted.join(norms, "row")
                        .select("row", "term_id", (F.col("w") / F.col("norm")).cast("float").alias("weight")))
            X = self._csr(features, n, len(vocabulary))
        finally:
            counts.unpersist()
        return vocabulary[["term_id", "term", "df", "idf"]], X

    def _documents(self, documents):
        """A Spark frame of (``row`` long, ``language`` string, ``text``
        string): the documents and their positions.

        :class:`newsdag.features.DayDocuments` are read by the executors from
        the articles' Parquet files and numbered by joining their article ids;
        any other sequence of strings is sent from this process."""
        if not hasattr(documents, "files"):
            pairs = [d if isinstance(d, tuple) else ("und", d) for d in documents]
            return self.spark.createDataFrame(pa.table({
                "row": pa.array(np.arange(len(pairs), dtype=np.int64)),
                "language": pa.array([lang for lang, _ in pairs], pa.string()),
                "text": pa.array(["" if t is None else str(t) for _, t in pairs], pa.string())}))
        ids = np.asarray(documents.article_ids, dtype=object)
        if len(pd.unique(ids)) != len(ids):
            raise ValueError("the spark backend numbers documents by article_id, and the articles repeat an article_id")
        rows = self.spark.createDataFrame(pa.table({"row": pa.array(np.arange(len(ids), dtype=np.int64)),
                                                    "article_id": pa.array(ids.tolist(), pa.string())}))

        def to_documents(batches):
            for batch in batches:
                pairs = language_documents(batch)
                yield pd.DataFrame({"article_id": batch["article_id"], "language": [lang for lang, _ in pairs],
                                    "text": [t for _, t in pairs]})

        texts = (self._parquet(documents.files(), "article_id string, title string, text string, language string")
                 .mapInPandas(to_documents, "article_id string, language string, text string"))
        return rows.join(texts, "article_id").select("row", "language", "text")

    def _csr(self, features, n_rows: int, n_columns: int) -> sp.csr_matrix:
        """The float32 CSR of shape (n_rows, n_columns) of a Spark frame of
        (``row``, ``term_id``, ``weight``), built a written file at a time
        (:meth:`_sorted_files`): the driver holds the matrix, never a table of its entries."""
        counts = np.zeros(n_rows, dtype=np.int64)
        with self._sorted_files(features, ["row", "term_id"]) as files:
            # Sized from the files' footers, so the entries are never held twice.
            nnz = sum(pq.read_metadata(f).num_rows for f in files)
            indices, data = np.empty(nnz, np.int32), np.empty(nnz, np.float32)
            at = 0
            for piece in _read_in_order(files, ["row", "term_id"]):
                end = at + piece.num_rows
                counts += np.bincount(piece["row"].to_numpy(), minlength=n_rows)
                indices[at:end], data[at:end] = piece["term_id"].to_numpy(), piece["weight"].to_numpy()
                at = end
        indptr = np.r_[0, np.cumsum(counts)]
        return sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns), dtype=np.float32)

    # ------------------------------------------------------------------ neighbours

    def neighbours(self, X, days, k=10, min_similarity=0.1, window_days=2.0, half_life_hours=None) -> pd.DataFrame:
        """:func:`newsdag.neighbours.topk_neighbours` with one Spark group per time block."""
        from pyspark.sql import functions as F

        X = sp.csr_matrix(X, dtype=np.float32)
        n, n_terms = X.shape
        days = np.asarray(days, dtype=np.float64)
        if n == 0:
            return symmetric_edges(np.array([], np.int64), np.array([], np.int64), np.array([], np.float32))
        block = _time_block(days, window_days)
        rows = self.spark.createDataFrame(_csr_rows_table(X, {"row": np.arange(n, dtype=np.int64), "day": days,
                                                             "block": block}))
        dated = rows.where(F.col("block") != _UNDATED_GROUP)
        undated = rows.where(F.col("block") == _UNDATED_GROUP)
        blocks = dated.select("block").distinct()
        # Each dated row in its own block (home) and the blocks before and after it, where there are home rows.
        members = (dated.select(F.explode(F.array(F.col("block") - 1, F.col("block"), F.col("block") + 1)).alias("g"),
                                F.col("block").alias("own"), "row", "day", "term_ids", "weights")
                   .join(blocks.withColumnRenamed("block", "g"), "g")
                   .select("g", (F.col("g") == F.col("own")).alias("home"), "row", "day", "term_ids", "weights"))
        # Undated rows: candidates in every block, and home in a group of their own with every row.
        members = members.unionByName(undated.crossJoin(blocks.withColumnRenamed("block", "g"))
                                      .select("g", F.lit(False).alias("home"), "row", "day", "term_ids", "weights"))
        if undated.limit(1).count():
            members = members.unionByName(rows.select(F.lit(_UNDATED_GROUP).cast("long").alias("g"),
                                                      (F.col("block") == _UNDATED_GROUP).alias("home"),
                                                      "row", "day", "term_ids", "weights"))

        def block_topk(group):
            home = group["home"].to_numpy(dtype=bool)
            if not home.any():
                return pd.DataFrame({"i": np.array([], np.int64), "j": np.array([], np.int64),
                                     "similarity": np.array([], np.float32)})
            Xg = _csr_from_rows(group["term_ids"].tolist(), group["weights"].tolist(), n_terms)
            r, c, s = topk_directed(Xg, group["day"].to_numpy(dtype=np.float64), k, min_similarity, window_days,
                                    home=home, half_life_hours=half_life_hours)
            ids = group["row"].to_numpy(dtype=np.int64)
            return pd.DataFrame({"i": ids[r], "j": ids[c], "similarity": s.astype(np.float32)})

        directed = members.groupBy("g").applyInPandas(block_topk, "i long, j long, similarity float").toPandas()
        return symmetric_edges(directed["i"].to_numpy(np.int64), directed["j"].to_numpy(np.int64),
                               directed["similarity"].to_numpy(np.float32))

    # ------------------------------------------------------------------ pair comparisons

    def sentence_vocabulary(self, sentences: pd.Series) -> pd.DataFrame:
        """:func:`newsdag.features.fit_sentence_vocabulary` as a Spark aggregation."""
        texts = ["" if t is None else str(t) for t in sentences]
        return self._sentence_vocabulary(self.spark.createDataFrame(pa.table({"text": pa.array(texts, pa.string())})))

    def _sentence_vocabulary(self, sentences) -> pd.DataFrame:
        """The sentence idf (``term``, ``idf``) of a Spark frame with a ``text`` column, one row per sentence."""
        from pyspark.sql import functions as F

        def distinct_terms(batches):
            from newsdag.features import StemmedWords

            analyse = StemmedWords()
            for batch in batches:
                terms = [t for text in batch["text"].fillna("") for t in set(analyse(text))]
                # The first row, without a term, carries the batch's sentence count.
                yield pd.DataFrame({"n": np.r_[len(batch), np.zeros(len(terms), np.int64)].astype(np.int64),
                                    "term": pd.Series([None, *terms], dtype=object)})

        # One pass over the sentences gives both the document frequencies and the sentence count.
        counted = (sentences.select("text").repartition(self._parallelism * 2)
                   .mapInPandas(distinct_terms, "n long, term string")
                   .groupBy("term").agg(F.count("*").alias("df"), F.sum("n").alias("n")).toPandas())
        n_sentences = int(counted.loc[counted["term"].isna(), "n"].sum())
        df = counted[counted["term"].notna()]
        if n_sentences == 0:
            return pd.DataFrame({"term": pd.Series([], dtype=object), "idf": pd.Series([], dtype=np.float64)})
        vocabulary = df.sort_values("term", kind="stable").reset_index(drop=True)
        vocabulary["idf"] = smoothed_idf(vocabulary["df"].to_numpy(), n_sentences)
        return vocabulary[["term", "idf"]]

    def compare_pairs(self, articles: pd.DataFrame, texts, pairs: pd.DataFrame, settings, sink) -> None:
        """:func:`newsdag.overlap.compare_pairs`, one Spark group per time block
        of pairs; the groups' tables go to ``sink`` in the local backend's order."""
        from pyspark.sql import functions as F

        from newsdag.overlap import FrameTexts, compare_pairs, empty_tables

        article_texts, sentences = self._texts(texts)
        vocabulary = self._sentence_vocabulary(sentences)
        empty = empty_tables()
        if len(pairs) == 0:
            sink(*empty)
            return
        days = articles["days"].to_numpy(dtype=np.float64)
        pi = pairs["i"].to_numpy(np.int64)
        # Group pairs by the day of their first article: pairs of one group share most of their articles.
        group = _time_block(days[pi], 1.0)
        pair_rows = self.spark.createDataFrame(pa.table({
            "g": group, "i": pi, "j": pairs["j"].to_numpy(np.int64), "cosine": pairs["cosine"].to_numpy(np.float32)}))
        # One row per compared article, its text and its sentences in order, assembled by the executors.
        ids = self.spark.createDataFrame(pa.table({
            "row": np.arange(len(articles), dtype=np.int64),
            "article_id": pa.array(articles["article_id"].astype(str).tolist(), pa.string()),
            "days": days,
            "story_id": pa.array([None if pd.isna(s) else str(s) for s in articles["story_id"]], type=pa.string()),
        }))
        by_article = (sentences.groupBy("article_id")
                      .agg(F.sort_array(F.collect_list(F.struct("sent_idx", "text"))).alias("s")))
        article_rows = (ids.join(article_texts, "article_id", "left").join(by_article, "article_id", "left")
                        .select("row", "article_id", F.coalesce("text", F.lit("")).alias("text"), "days", "story_id",
                                F.coalesce(F.col("s.sent_idx"), F.array().cast("array<int>")).alias("sent_idx"),
                                F.coalesce(F.col("s.text"), F.array().cast("array<string>")).alias("sent_text")))
        # Each group's articles: the two ends of its pairs, joined in (a row travels only to the groups that name it).
        needed = np.unique(np.column_stack([np.r_[group, group], np.r_[pi, pairs["j"].to_numpy(np.int64)]]), axis=0)
        group_articles = self.spark.createDataFrame(
            pa.table({"g": needed[:, 0], "row": needed[:, 1]})).join(article_rows, "row")
        if is_connect(self.spark):
            # Spark Connect has no broadcast variables: the vocabulary travels
            # inside the function, once per task.
            vocabulary_b = _Held(vocabulary)
        else:
            vocabulary_b = self.spark.sparkContext.broadcast(vocabulary)

        def compare_group(group_pairs, group_articles):
            g = int(group_pairs["g"].iloc[0])
            group_articles = group_articles.sort_values("row").reset_index(drop=True)
            local = pd.Series(np.arange(len(group_articles)), index=group_articles["row"].to_numpy())
            arts = group_articles[["article_id", "days", "story_id"]]
            n_sents = group_articles["sent_idx"].map(len).to_numpy()
            group_sentences = pd.DataFrame({
                "article_id": np.repeat(group_articles["article_id"].to_numpy(dtype=object), n_sents),
                "sent_idx": np.concatenate([np.asarray(s, np.int32) for s in group_articles["sent_idx"]] or [np.array([], np.int32)]),
                "text": np.concatenate([np.asarray(s, dtype=object) for s in group_articles["sent_text"]] or [np.array([], object)]),
            })
            p = group_pairs.sort_values(["i", "j"]).reset_index(drop=True)
            local_pairs = pd.DataFrame({"i": local.loc[p["i"].to_numpy()].to_numpy(np.int64),
                                        "j": local.loc[p["j"].to_numpy()].to_numpy(np.int64),
                                        "cosine": p["cosine"].to_numpy(np.float32)})
            # Local rows follow the global ones, so this group's pairs come in
            # the same order as in one local loop over every pair.
            tables = compare_pairs(arts, FrameTexts(group_articles[["article_id", "text"]], group_sentences), local_pairs,
                                   vocabulary_b.value, settings)
            return pd.DataFrame({"g": np.full(3, g, dtype=np.int64), "table": np.arange(3, dtype=np.int32),
                                 "payload": [_ipc(t) for t in tables]})

        packed = (pair_rows.groupBy("g").cogroup(group_articles.groupBy("g"))
                  .applyInPandas(compare_group, "g long, table int, payload binary")
                  # Groups in the order of their days, undated last, as the local loop takes them.
                  .withColumn("order", F.when(F.col("g") == _UNDATED_GROUP, F.lit(2**62)).otherwise(F.col("g"))))
        try:
            held: list = []
            with self._sorted_files(packed, ["order", "table"]) as files:
                for piece in _read_in_order(files, ["order", "table"]):
                    for payload in piece["payload"].to_pylist():
                        held.append(_from_ipc(payload))
                        if len(held) == 3:  # a group's three tables
                            sink(*(t.astype(e.dtypes.to_dict()) for t, e in zip(held, empty)))
                            held = []
            if held:
                raise RuntimeError(f"Spark returned {len(held)} of a group's three overlap tables")
        finally:
            vocabulary_b.unpersist()

    def _texts(self, texts):
        """Spark frames of ``texts``' articles (``article_id``, ``text``) and
        sentences (``article_id``, ``sent_idx``, ``text``).

        Texts in the warehouse (:class:`newsdag.overlap.WarehouseTexts`) are
        read by the executors from their Parquet files, keeping only the
        articles the source is restricted to; others are sent from this
        process a batch at a time."""
        from pyspark.sql import functions as F

        articles_schema, sentences_schema = "article_id string, text string", "article_id string, sent_idx int, text string"
        if hasattr(texts, "files"):
            article_files, sentence_files = texts.files()
            article_texts = self._parquet(article_files, articles_schema)
            sentences = self._parquet(sentence_files, sentences_schema)
            if texts.only is not None:
                only = self.spark.createDataFrame(pa.table({"article_id": pa.array(sorted(map(str, texts.only)), pa.string())}))
                article_texts = article_texts.join(F.broadcast(only), "article_id", "left_semi")
                sentences = sentences.join(F.broadcast(only), "article_id", "left_semi")
            return article_texts, sentences
        loaded = [texts.load(k) for k in texts.batches()]

        def frame(parts, schema):
            names = [c.split()[0] for c in schema.split(", ")]
            if not parts:
                return self.spark.createDataFrame([], schema)
            table = pd.concat(parts, ignore_index=True)[names]
            return self.spark.createDataFrame(pa.Table.from_pandas(table, preserve_index=False).cast(
                pa.schema([(n, pa.int32() if n == "sent_idx" else pa.string()) for n in names])))

        return frame([a for a, _ in loaded], articles_schema), frame([s for _, s in loaded], sentences_schema)


def _read_in_order(files, order: list[str]):
    """Yield each of ``files`` (from :meth:`SparkBackend._sorted_files`) as a
    pyarrow Table, checking that the ``order`` columns run on from one file
    to the next."""
    last = None
    for f in files:
        piece = pq.read_table(f)
        if piece.num_rows == 0:
            continue
        first = tuple(piece[c][0].as_py() for c in order)
        if last is not None and first < last:
            raise RuntimeError(f"Spark wrote the rows out of {order} order")
        last = tuple(piece[c][-1].as_py() for c in order)
        yield piece


def _prune(df, n_documents: int, min_df, max_df) -> pd.DataFrame:
    """scikit-learn's min_df / max_df rule (an int counts documents, a float is
    a share) applied to a Spark frame of (``term``, ``df``); the kept terms come
    back sorted and numbered as scikit-learn numbers them."""
    from pyspark.sql import functions as F

    low = min_df if isinstance(min_df, (int, np.integer)) else min_df * n_documents
    high = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_documents
    kept = df.where((F.col("df") >= float(low)) & (F.col("df") <= float(high))).toPandas()
    kept = kept.sort_values("term", kind="stable").reset_index(drop=True)
    kept["term_id"] = np.arange(len(kept), dtype=np.int32)
    kept["df"] = kept["df"].astype(np.int64)
    return kept
