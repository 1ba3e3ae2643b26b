import numpy as np
import pandas as pd

from newsdag.features import (
    DayDocuments, TfidfSettings, document_text, features_table, fit_tfidf, language_documents, load_tfidf,
    vectorizer_from_vocabulary,
)
from newsdag.storage import PartitionedTable, content_hash, read_kv_metadata, table_file, write_table

DOCS = [
    "Trump announces peace talks between Russia and Ukraine",
    "Peace talks between Russia and Ukraine to begin, Trump says",
    "Apple unveils a new iPhone with a faster chip",
    "The new iPhone from Apple has a faster chip",
    "Apple and Ukraine",
]


def test_fit_gives_normalised_rows_and_a_vocabulary():
    vocab, X = fit_tfidf(DOCS)
    assert list(vocab.columns) == ["term_id", "term", "df", "idf"]
    assert list(vocab.term_id) == list(range(len(vocab))) and list(vocab.term) == sorted(vocab.term)
    assert X.shape == (5, len(vocab)) and X.dtype == np.float32
    np.testing.assert_allclose(np.sqrt(X.multiply(X).sum(axis=1)).A1, 1.0, rtol=1e-5)
    assert "peace talks" in set(vocab.term)  # bigrams by default
    assert "the" not in set(vocab.term)  # stop words
    df = dict(zip(vocab.term, vocab.df))
    assert df["iphone"] == 2 and df["trump"] == 2 and df["apple"] == 3


def test_round_trip_through_the_tables_is_exact():
    vocab, X = fit_tfidf(DOCS)
    ids = [f"a{i}" for i in range(5)]
    table = features_table(X, ids)
    assert list(table.columns) == ["article_id", "term_id", "weight"] and len(table) == X.nnz
    back, back_ids = load_tfidf(table, vocab, ids)
    assert list(back_ids) == ids
    assert (back != X).nnz == 0 and back.shape == X.shape
    # Another order, and an article with no features, come back aligned.
    back2, _ = load_tfidf(table, vocab, ["a4", "zz", "a0"])
    assert (back2[0] != X[4]).nnz == 0 and back2[1].nnz == 0 and (back2[2] != X[0]).nnz == 0


def test_loading_from_the_parquet_file_a_row_group_at_a_time_gives_the_same_matrix(tmp_path):
    import pyarrow.parquet as pq

    from newsdag.storage import to_arrow

    vocab, X = fit_tfidf(DOCS)
    ids = [f"a{i}" for i in range(5)]
    path = tmp_path / "features.parquet"
    pq.write_table(to_arrow(features_table(X, ids), "tfidf_features"), path, row_group_size=7)
    assert pq.ParquetFile(path).num_row_groups > 3
    back, back_ids = load_tfidf(path, vocab, ids)
    assert list(back_ids) == ids and back.has_sorted_indices
    assert (back != X).nnz == 0 and back.shape == X.shape
    back2, _ = load_tfidf(path, vocab, ["a4", "zz", "a0"])
    assert (back2[0] != X[4]).nnz == 0 and back2[1].nnz == 0 and (back2[2] != X[0]).nnz == 0
    back3, order = load_tfidf(path, vocab)
    assert list(order) == ids and (back3 != X).nnz == 0


def test_vectoriser_rebuilt_from_the_vocabulary_reproduces_the_features():
    vocab, X = fit_tfidf(DOCS)
    vec = vectorizer_from_vocabulary(vocab)
    np.testing.assert_allclose(vec.transform(DOCS).toarray(), X.toarray(), rtol=1e-6, atol=1e-7)


def test_small_or_empty_corpora_do_not_fail():
    vocab, X = fit_tfidf(["only one document here"])
    assert X.shape[0] == 1 and len(vocab) > 0
    vocab, X = fit_tfidf(["the and of", ""])
    assert X.shape == (2, 0) and vocab.empty


def test_settings_change_the_vocabulary():
    v1, _ = fit_tfidf(DOCS, TfidfSettings(ngram_max=1))
    assert not any(" " in t for t in v1.term)
    # A proportional max_df drops terms in more than that share of documents;
    # the last document then keeps no term and gets an all-zero row.
    v2, X2 = fit_tfidf(DOCS, TfidfSettings(max_df=0.5))
    assert "apple" not in set(v2.term) and X2[4].nnz == 0


def test_document_text_prepends_a_title_not_already_in_the_text():
    a = pd.DataFrame({"title": ["Headline", "Lead sentence."], "text": ["Body.", "Lead sentence. More."]})
    assert list(document_text(a)) == ["Headline\n\nBody.", "Lead sentence. More."]


def test_documents_read_a_day_at_a_time_give_the_same_fit(tmp_path):
    articles = pd.DataFrame({"article_id": [f"a{i}" for i in range(5)], "title": [d.split(",")[0] for d in DOCS],
                             "text": DOCS, "day": ["2025-01-01", "2025-01-01", "2025-01-02", "2025-01-04", "2025-01-04"],
                             "language": ["en", "und", "en", "de", "en"]})
    for day, part in articles.groupby("day"):  # the warehouse's layout: a folder per day
        table_file(tmp_path, "articles", day).parent.mkdir(parents=True)
        part.to_parquet(table_file(tmp_path, "articles", day))
    docs = DayDocuments(PartitionedTable(tmp_path, "articles"))
    assert len(docs) == 5 and list(docs.article_ids) == list(articles["article_id"])
    assert list(docs) == language_documents(articles) == list(docs)  # re-iterable
    assert [text for _, text in docs] == list(document_text(articles))
    v1, X1 = fit_tfidf(docs)
    v2, X2 = fit_tfidf(language_documents(articles))
    pd.testing.assert_frame_equal(v1, v2)
    assert (X1 != X2).nnz == 0


def test_features_table_ids_are_categorical_and_written_as_strings(tmp_path):
    _, X = fit_tfidf(DOCS)
    table = features_table(X, [f"a{i}" for i in range(5)])
    assert isinstance(table["article_id"].dtype, pd.CategoricalDtype)
    write_table(table, tmp_path, "tfidf_features", {"run_id": "r"})
    back = pd.read_parquet(tmp_path / "tfidf_features")
    assert back["article_id"].dtype == object
    pd.testing.assert_frame_equal(back, table.astype({"article_id": object}))
    assert content_hash(back) == content_hash(table)
    assert read_kv_metadata(table_file(tmp_path, "tfidf_features")) == {"run_id": "r"}


# ---------------------------------------------------------------- counted in chunks and in workers


def corpus(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` documents in two languages over a shared pool of words, so that
    terms recur across chunks in every order, some once only (min_df)."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(400)] + ["Zürich", "ärger", "élan", "naïve"]
    langs = ["en", "de", "und"]
    return [(langs[i % 3], " ".join(rng.choice(words, size=rng.integers(0, 60)))) for i in range(n)]


def sklearn_fit(docs, settings: TfidfSettings):
    vec = settings.vectorizer()
    X = vec.fit_transform(docs).tocsr().astype(np.float32)
    X.sort_indices()
    X.eliminate_zeros()
    return vec.get_feature_names_out().tolist(), X, vec.idf_


def assert_bit_identical(vocab, X, expected):
    terms, X_sk, idf = expected
    assert list(vocab["term"]) == terms
    np.testing.assert_array_equal(vocab["idf"].to_numpy(), idf.astype(np.float64))
    assert (X.indptr == X_sk.indptr).all() and (X.indices == X_sk.indices).all()
    assert X.data.tobytes() == X_sk.data.tobytes()  # to the bit, not to a tolerance


def test_fit_equals_scikit_learns_to_the_bit_for_any_chunking(monkeypatch):
    import newsdag.features as features

    docs = corpus(700)
    for settings in (TfidfSettings(), TfidfSettings(ngram_max=1, min_df=3, max_df=0.5, sublinear_tf=False)):
        expected = sklearn_fit(docs, settings)
        for chunk in (700, 64, 7, 1):
            monkeypatch.setattr(features, "TFIDF_CHUNK_DOCUMENTS", chunk)
            assert_bit_identical(*fit_tfidf(docs, settings), expected)


def test_fit_in_workers_equals_the_fit_here_to_the_bit(monkeypatch):
    import newsdag.features as features

    monkeypatch.setattr(features, "TFIDF_CHUNK_DOCUMENTS", 50)
    monkeypatch.setattr(features, "MIN_DOCUMENTS_FOR_WORKERS", 100)
    docs = corpus(400, seed=1)
    expected = sklearn_fit(docs, TfidfSettings())
    for workers in (1, 2, 4):
        assert_bit_identical(*fit_tfidf(docs, workers=workers), expected)


def test_max_features_keeps_scikit_learns_ranking_ties_included(monkeypatch):
    import newsdag.features as features

    docs = corpus(200, seed=2)
    for settings in (TfidfSettings(max_features=50), TfidfSettings(ngram_max=1, max_features=333)):
        expected = sklearn_fit(docs, settings)
        # Terms of equal frequency at the cut: which of them stay is the ranking's tie-break.
        frequency = np.asarray(settings.vectorizer().set_params(max_features=None, use_idf=False, norm=None,
                                                                sublinear_tf=False).fit_transform(docs).sum(axis=0)).ravel()
        cut = np.sort(frequency)[::-1][settings.max_features - 1]
        assert (frequency == cut).sum() > 1
        for chunk in (200, 9):
            monkeypatch.setattr(features, "TFIDF_CHUNK_DOCUMENTS", chunk)
            vocab, X = fit_tfidf(docs, settings)
            assert len(vocab) == settings.max_features
            assert_bit_identical(vocab, X, expected)
