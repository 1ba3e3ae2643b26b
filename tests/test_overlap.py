import numpy as np
import pandas as pd
import pytest

from newsdag.features import fit_tfidf
from newsdag.ingest import find_duplicates, split_sentences
from newsdag.origins import article_origins, follow_sources
from newsdag.outlets import source_overlap, source_stats
from newsdag.overlap import (
    FrameTexts, OverlapSettings, candidate_pairs, compute_overlap, containment, ngram_hashes, reuse_score, shared_passages, tokenize,
)
from newsdag.stories import cluster_stories

WIRE = ("The central bank raised interest rates by half a percentage point on Tuesday, its largest increase in two "
        "decades. Officials said inflation remained far above the target. Markets had expected a smaller move and "
        "shares fell sharply in afternoon trading. The governor said further increases were likely this year.")
# Rewritten the way an LLM content farm rewrites: same facts, order and names,
# new wording.
PARAPHRASE = ("On Tuesday, the central bank increased interest rates by half a percentage point, the biggest rise in "
              "two decades. Inflation is still far above the target, officials said. Markets had anticipated a "
              "smaller increase, and stocks dropped sharply in afternoon trade. Further rate rises are likely this "
              "year, according to the governor.")
OTHER = ("The football club announced a new coach after a disappointing season. Fans gathered outside the stadium "
         "to protest the decision. The coach signed a three-year contract.")
EXTRA = " Analysts said the decision would weigh on housing and on business investment for months to come."


def make(rows):
    df = pd.DataFrame(rows, columns=["article_id", "source", "published", "text"])
    df["published"] = pd.to_datetime(df["published"], utc=True)
    df["title"] = df["text"].str.split(".").str[0]
    df["n_words"] = df["text"].str.split().str.len()
    df = df.sort_values("article_id").reset_index(drop=True)
    df["duplicate_of"] = find_duplicates(df)
    return df


def run(articles, **settings):
    vocab, X = fit_tfidf(articles["title"] + "\n\n" + articles["text"])
    clusters = cluster_stories(articles, X)
    sentences = split_sentences(articles)
    pairs, passages, alignments = compute_overlap(articles, sentences, clusters, X, OverlapSettings(**settings))
    return pairs, passages, alignments, clusters


def pair(pairs, a, b):
    row = pairs[((pairs.article_a == a) & (pairs.article_b == b)) | ((pairs.article_a == b) & (pairs.article_b == a))]
    assert len(row) == 1, f"no pair {a}-{b}"
    return row.iloc[0]


@pytest.fixture(scope="module")
def corpus():
    articles = make([
        ("a_wire", "reuters", "2025-03-04 08:00", WIRE),
        ("b_copy1", "daily", "2025-03-04 10:00", WIRE),
        ("c_copy2", "herald", "2025-03-04 11:00", WIRE),
        ("d_copy3", "gazette", "2025-03-04 12:00", WIRE),
        ("e_para", "farm", "2025-03-04 13:00", PARAPHRASE),
        ("f_extended", "post", "2025-03-04 14:00", WIRE + EXTRA),
        ("g_other", "sport", "2025-03-04 09:00", OTHER),
    ])
    return articles, *run(articles)


def test_wire_copy_carried_by_three_outlets(corpus):
    articles, pairs, passages, alignments, clusters = corpus
    for copy in ["b_copy1", "c_copy2", "d_copy3"]:
        p = pair(pairs, "a_wire", copy)
        assert p.origin_article_id == "a_wire"
        assert p.containment_a_in_b == p.containment_b_in_a == p.jaccard == 1.0
        assert p.aligned_sentence_share_a == p.aligned_sentence_share_b == 1.0
        assert p.derivation == "wholly" and p.reuse_kind == "verbatim"
        assert p.longest_passage_words == len(tokenize(WIRE).hashes) and p.n_passages == 1
    assert set(articles.set_index("article_id").duplicate_of.dropna()) == {"a_wire"}


def test_one_containing_the_other(corpus):
    _, pairs, passages, _, _ = corpus
    p = pair(pairs, "a_wire", "f_extended")
    assert p.origin_article_id == "a_wire"
    c_wire_in_ext = p.containment_a_in_b if p.article_a == "a_wire" else p.containment_b_in_a
    c_ext_in_wire = p.containment_b_in_a if p.article_a == "a_wire" else p.containment_a_in_b
    assert c_wire_in_ext == 1.0 and 0.5 < c_ext_in_wire < 1.0
    assert p.derivation == "wholly"
    ps = passages[(passages.article_id == "f_extended") & (passages.source_article_id == "a_wire")]
    assert len(ps) == 1 and ps.iloc[0].n_words == len(tokenize(WIRE).hashes)


def test_paraphrase_shares_few_ngrams_but_aligns(corpus):
    _, pairs, _, alignments, _ = corpus
    p = pair(pairs, "a_wire", "e_para")
    c_para = p.containment_a_in_b if p.article_a == "e_para" else p.containment_b_in_a
    share_para = p.aligned_sentence_share_a if p.article_a == "e_para" else p.aligned_sentence_share_b
    assert c_para < 0.25 and share_para >= 0.5
    assert p.origin_article_id == "a_wire"
    assert p.derivation in {"wholly", "partially"} and p.reuse_kind == "paraphrase"
    al = alignments[(alignments.article_id == "e_para") & (alignments.source_article_id == "a_wire")]
    assert len(al) >= 2 and (al.similarity >= 0.45).all()
    # Sentence i of the paraphrase follows sentence i of the wire.
    assert set(zip(al.sent_idx, al.source_sent_idx)) <= {(0, 0), (1, 1), (2, 2), (3, 3)}


def test_disjoint_articles_are_not_derived(corpus):
    _, pairs, _, _, _ = corpus
    other = pairs[(pairs.article_a == "g_other") | (pairs.article_b == "g_other")]
    assert (other.derivation == "non").all() and (other.reuse_kind == "none").all()
    assert (other.containment_a_in_b < 0.1).all()


def test_identical_texts_under_one_call():
    a = np.unique(ngram_hashes(tokenize(WIRE).hashes, 3))
    assert containment(a, a) == (1.0, 1.0, 1.0)
    b = np.unique(ngram_hashes(tokenize(OTHER).hashes, 3))
    assert containment(a, b) == (0.0, 0.0, 0.0)
    assert containment(a, np.array([], dtype=np.uint64)) == (0.0, 0.0, 0.0)
    assert reuse_score(1.0, 1.0) == 1.0 and reuse_score(0.0, 1.0) == 0.0


def test_offsets_round_trip_and_metrics_in_range(corpus):
    articles, pairs, passages, alignments, _ = corpus
    text = articles.set_index("article_id")["text"]
    for p in passages.itertuples():
        assert text[p.article_id][p.char_start:p.char_end] == p.text
        src = text[p.source_article_id][p.source_char_start:p.source_char_end]
        assert [t.lower() for t in src.split()] == [t.lower() for t in p.text.split()]
        assert p.n_words >= 8
    for col in ["containment_a_in_b", "containment_b_in_a", "jaccard", "aligned_sentence_share_a",
                "aligned_sentence_share_b"]:
        assert pairs[col].between(0, 1).all(), col
    assert pairs.cosine.between(-1e-6, 1 + 1e-6).all()
    assert (pairs.article_a < pairs.article_b).all() and not pairs.duplicated(["article_a", "article_b"]).any()
    assert set(pairs.derivation) <= {"wholly", "partially", "non"}
    assert set(pairs.reuse_kind) <= {"verbatim", "paraphrase", "mixed", "none"}
    assert alignments.similarity.between(0.45 - 1e-6, 1 + 1e-6).all()


def test_shared_passages_finds_reordered_spans():
    a = tokenize("one two three four five six seven eight nine ten alpha beta gamma delta eps zeta eta theta iota kappa")
    b = tokenize("alpha beta gamma delta eps zeta eta theta iota kappa and then one two three four five six seven eight nine ten")
    found = shared_passages(ngram_hashes(a.hashes, 8), ngram_hashes(b.hashes, 8), 8)
    assert found.tolist() == [[0, 12, 10], [10, 0, 10]]


def test_origin_falls_back_to_asymmetry_when_a_date_is_missing():
    articles = make([("x_src", "a", "2025-03-04", WIRE + EXTRA), ("y_der", "b", None, WIRE)])
    pairs, _, _, _ = run(articles)
    assert pair(pairs, "x_src", "y_der").origin_article_id == "x_src"  # the more contained one derives


def test_outlet_tables(corpus):
    articles, pairs, _, _, clusters = corpus
    so = source_overlap(pairs, articles, clusters).set_index(["source_a", "source_b"])
    assert so.loc[("reuters", "daily"), "n_derived"] == 1 and so.loc[("reuters", "daily"), "mean_containment"] == 1.0
    assert so.loc[("reuters", "farm"), "n_derived"] == 1
    assert (so.n_shared_stories >= 1).all()
    stats = source_stats(pairs, articles, clusters).set_index("source")
    assert stats.loc["reuters", "first_to_report_share"] == 1.0
    assert stats.loc["reuters", "originality"] == 1.0 and stats.loc["reuters", "derived_share"] == 0.0
    assert stats.loc["daily", "originality"] == 0.0 and stats.loc["daily", "derived_share"] == 1.0
    assert 0 < stats.loc["post", "originality"] < 0.5
    assert stats.loc["sport", "derived_share"] == 0.0
    for col in ["derived_share", "originality"]:
        assert stats[col].between(0, 1).all()


def test_candidate_pairs_grow_near_linearly():
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(300)]

    def n_pairs(n_days):
        n = 80 * n_days
        arts = pd.DataFrame({"article_id": [f"a{i:06d}" for i in range(n)],
                             "published": pd.to_datetime(np.repeat(np.arange(n_days), 80), unit="D", utc=True),
                             "text": [" ".join(rng.choice(words, 30)) for _ in range(n)]})
        arts["duplicate_of"] = None
        _, X = fit_tfidf(arts["text"])
        clusters = cluster_stories(arts, X)
        return len(candidate_pairs(arts, clusters, X))

    small, large = n_pairs(4), n_pairs(16)
    assert large / small < 4 * 1.3


class CountingTexts:
    """An ArticleTexts that counts how often each batch is read."""

    def __init__(self, inner):
        self.inner, self.reads = inner, []

    def batches(self):
        return self.inner.batches()

    def batch_of(self, ids):
        return self.inner.batch_of(ids)

    def load(self, key):
        self.reads.append(key)
        return self.inner.load(key)

    def restricted(self, ids):
        return CountingTexts(self.inner.restricted(ids))


def test_texts_a_day_at_a_time_and_tables_in_pieces_change_nothing(corpus, monkeypatch):
    articles, pairs, passages, alignments, clusters = corpus
    monkeypatch.setattr("newsdag.overlap.FLUSH_PAIRS", 2)
    _, X = fit_tfidf(articles["title"] + "\n\n" + articles["text"])
    sentences = split_sentences(articles)
    # Three batches ("days") of texts; the tables handed over two pairs at a time.
    batched = articles.assign(day=[f"2025-03-0{1 + k % 3}" for k in range(len(articles))])
    texts = CountingTexts(FrameTexts(batched, sentences))
    pieces = []
    assert compute_overlap(batched, texts, clusters, X, sink=lambda *t: pieces.append(t)) is None
    assert len(pieces) > 1  # the sink got the rows before the end
    # The idf pass reads each batch once, the comparison at most once more.
    assert sorted(texts.reads) == sorted(2 * texts.batches())
    for t, whole in enumerate((pairs, passages, alignments)):
        joined = pd.concat([p[t] for p in pieces], ignore_index=True).astype(whole.dtypes.to_dict())
        pd.testing.assert_frame_equal(joined, whole, check_exact=True)


def test_the_same_pieces_for_one_two_and_four_workers(corpus):
    from newsdag.features import fit_sentence_idf
    from newsdag.overlap import compare_pairs, sentence_batches

    articles, whole_pairs, _, _, clusters = corpus
    batched = articles.assign(day=[f"2025-03-0{1 + k % 3}" for k in range(len(articles))])
    texts = FrameTexts(batched, split_sentences(articles))
    ids = articles["article_id"].to_numpy(dtype=object)
    row = pd.Series(range(len(ids)), index=ids)
    pairs = pd.DataFrame({"i": row[whole_pairs.article_a].to_numpy(), "j": row[whole_pairs.article_b].to_numpy(),
                          "cosine": whole_pairs.cosine.to_numpy()})
    pairs = pairs.sample(frac=1, random_state=0)  # the schedule orders them, not the caller
    frame = pd.DataFrame({"article_id": ids, "days": articles["published"].astype("int64") / 86_400e9,
                          "story_id": clusters.set_index("article_id").story_id[ids].to_numpy()})
    vocabulary = fit_sentence_idf(sentence_batches(texts))
    results = []
    for workers in (1, 2, 4):
        results.append([])
        compare_pairs(frame, texts, pairs, vocabulary, sink=lambda *t: results[-1].append(t), flush_pairs=3,
                      workers=workers)
    assert len(results[0]) > 2  # several stretches, so the workers had several to share
    joined = pd.concat([p[0] for p in results[0]], ignore_index=True)
    pd.testing.assert_frame_equal(joined.astype(whole_pairs.dtypes.to_dict()), whole_pairs, check_exact=True)
    for pieces in results[1:]:
        assert len(pieces) == len(results[0])
        for got, want in zip(pieces, results[0]):
            for g, w in zip(got, want):
                pd.testing.assert_frame_equal(g.reset_index(drop=True), w.reset_index(drop=True), check_exact=True)


def test_the_sentence_idf_counted_in_workers_is_the_same_to_the_bit(corpus):
    from newsdag.features import fit_sentence_idf
    from newsdag.overlap import fit_sentence_idf_here, sentence_batches

    articles = corpus[0]
    texts = FrameTexts(articles.assign(day=[f"2025-03-0{1 + k % 3}" for k in range(len(articles))]),
                       split_sentences(articles))
    assert len(texts.batches()) == 3
    whole = fit_sentence_idf(sentence_batches(texts))
    assert len(whole) > 50
    pd.testing.assert_frame_equal(fit_sentence_idf_here(texts, workers=2), whole, check_exact=True)


def test_rows_come_in_pair_order(corpus):
    articles, pairs, passages, alignments, _ = corpus
    published = articles.set_index("article_id")["published"]
    first = published[pairs["article_a"]].to_numpy()
    assert (first[1:] >= first[:-1]).all()  # by the first article's publication
    key = pairs[["article_a", "article_b"]].apply(tuple, axis=1)
    for table in (passages, alignments):
        # A pair's passages and alignments are together, pairs in the same order.
        pair_of = table.apply(lambda r: tuple(sorted((r.article_id, r.source_article_id))), axis=1)
        position = pair_of.map({k: n for n, k in enumerate(key)})
        assert position.notna().all() and position.is_monotonic_increasing
    starts = passages.groupby(["article_id", "source_article_id"], sort=False)["char_start"]
    assert starts.apply(lambda s: s.is_monotonic_increasing).all()


def test_previous_tables_are_read_a_row_group_at_a_time_and_filtered(corpus, tmp_path):
    """What incremental and unchanged runs copy from an earlier run: the same
    rows from the Parquet files, read in pieces, as from the frames."""
    import pyarrow.parquet as pq

    from newsdag.overlap import previous_pieces
    from newsdag.storage import to_arrow

    _, pairs, passages, alignments, _ = corpus
    frames = {"article_overlap": pairs, "reused_passages": passages, "sentence_alignments": alignments}
    paths = {}
    for name, frame in frames.items():
        paths[name] = tmp_path / f"{name}.parquet"
        pq.write_table(to_arrow(frame, name), paths[name], row_group_size=3)
    keep = {"a_wire", "b_copy1", "e_para", "g_other"}
    for keep_ids in (None, keep):
        from_files, from_frames = list(previous_pieces(paths, keep_ids)), list(previous_pieces(frames, keep_ids))
        assert len(from_files) > len(from_frames) >= 3  # pieces, each holding rows of one table
        for t, (name, (col_a, col_b)) in enumerate([("article_overlap", ("article_a", "article_b")),
                                                    ("reused_passages", ("article_id", "source_article_id")),
                                                    ("sentence_alignments", ("article_id", "source_article_id"))]):
            whole = frames[name]
            if keep_ids is not None:
                whole = whole[whole[col_a].isin(keep) & whole[col_b].isin(keep)]
            got = [pd.concat([p[t] for p in pieces], ignore_index=True) for pieces in (from_files, from_frames)]
            assert len(got[0]) == len(whole) > 0
            pd.testing.assert_frame_equal(got[0], got[1])
            pd.testing.assert_frame_equal(got[0], whole.reset_index(drop=True).astype(got[0].dtypes.to_dict()))
            assert all(len(p[u]) == 0 for p in from_files for u in range(3) if u != t and len(p[t]))


def test_passage_check_reads_texts_a_few_days_at_a_time(corpus, tmp_path):
    import pyarrow.parquet as pq

    from newsdag.overlap import passage_problems
    from newsdag.storage import to_arrow

    articles, _, passages, _, _ = corpus
    assert len(passages) > 3
    batched = articles.assign(day=[f"2025-03-0{1 + k % 3}" for k in range(len(articles))])
    texts = CountingTexts(FrameTexts(batched, split_sentences(articles)))
    path = tmp_path / "passages.parquet"
    pq.write_table(to_arrow(passages, "reused_passages"), path, row_group_size=2)
    assert passage_problems(path, texts, held_batches=1) == (0, 0)
    assert len(texts.reads) > len(texts.batches())  # batches were let go and read again
    broken = passages.copy()
    broken.loc[0, "char_end"] = 10**6  # past the end of its article, and so not the slice either
    broken.loc[1, "text"] = "not what the article says"
    broken.loc[2, "source_article_id"] = "no_such_article"
    assert passage_problems(broken, texts) == (2, 2)


# ---------------------------------------------------------------- article_origins


def overlap_row(a, b, origin, containment, aligned, derivation="wholly", kind="paraphrase"):
    """An article_overlap row where the non-origin article has ``containment`` and ``aligned`` share."""
    a_is_origin = origin == a
    return {"article_a": a, "article_b": b, "story_id": a, "origin_article_id": origin,
            "containment_a_in_b": 0.0 if a_is_origin else containment, "containment_b_in_a": containment if a_is_origin else 0.0,
            "aligned_sentence_share_a": 0.0 if a_is_origin else aligned, "aligned_sentence_share_b": aligned if a_is_origin else 0.0,
            "derivation": derivation, "reuse_kind": kind}


def test_article_origins_follow_chains_to_the_first_article():
    arts = pd.DataFrame({"article_id": ["a_orig", "b_rw", "c_rwrw", "d_copy", "e_alone", "f_weak"],
                         "published": pd.to_datetime(["2025-01-01 08:00", "2025-01-01 10:00", "2025-01-01 12:00",
                                                      "2025-01-01 09:00", "2025-01-01 09:00", "2025-01-01 13:00"], utc=True),
                         "duplicate_of": [None, None, None, "a_orig", None, None]})
    overlap = pd.DataFrame([
        overlap_row("a_orig", "b_rw", "a_orig", 0.3, 0.9),
        # c rewrites b (strong) and so, more weakly, a.
        overlap_row("b_rw", "c_rwrw", "b_rw", 0.5, 0.9),
        overlap_row("a_orig", "c_rwrw", "a_orig", 0.1, 0.5, "partially"),
        # Same topic, not derived: no source.
        overlap_row("e_alone", "f_weak", "e_alone", 0.01, 0.0, "non", "none"),
    ])
    got = article_origins(overlap, arts).set_index("article_id")
    assert got.loc["c_rwrw", ["status", "source_article_id", "origin_article_id", "n_hops"]].tolist() == \
        ["derived", "b_rw", "a_orig", 2]
    assert got.loc["c_rwrw", ["evidence", "evidence_article_a", "evidence_article_b"]].tolist() == \
        ["article_overlap", "b_rw", "c_rwrw"]
    np.testing.assert_allclose(got.loc["c_rwrw", "reuse_score"], np.sqrt(0.5 * 0.9))
    assert got.loc["b_rw", ["origin_article_id", "n_hops"]].tolist() == ["a_orig", 1]
    assert got.loc["d_copy", ["source_article_id", "evidence", "reuse_kind", "reuse_score"]].tolist() == \
        ["a_orig", "duplicate_of", "verbatim", 1.0]
    for original in ("a_orig", "e_alone", "f_weak"):
        row = got.loc[original]
        assert row["status"] == "original" and row["origin_article_id"] == original and row["n_hops"] == 0
        assert pd.isna(row["source_article_id"]) and pd.isna(row["evidence"])
    assert list(got.index) == sorted(arts["article_id"])


def test_following_sources_stops_before_a_cycle():
    assert follow_sources({"x": "y", "y": "z", "z": "x"}, "x") == ("z", 2)
    assert follow_sources({}, "x") == ("x", 0)
