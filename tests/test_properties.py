"""Property-based tests (Hypothesis) of the parser and the overlap metrics."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdag.features import fit_tfidf
from newsdag.ingest import ParseOptions, Rejected, parse_file, parse_published, split_sentences
from newsdag.overlap import OverlapSettings, compute_overlap, containment, ngram_hashes, shared_passages, tokenize
from newsdag.stories import cluster_stories
from newsdag.text import normalise_text, sentence_spans

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text with the characters that break parsers: quotes, apostrophes, control
# characters, line and paragraph separators, surrogates excluded (not UTF-8).
texty = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
wordy = st.lists(st.sampled_from(["the", "bank", "rates", "U.S.", "said", "'quoted'", "don't", "Ukraine's", ".", ",",
                                  "\n\n", "Trump", "peace", "talks", "a'glued", "war.The", '"', "\u2028", "é"]),
                 max_size=80).map(" ".join)


@FAST
@given(texty)
def test_normalise_never_fails_and_is_idempotent(raw):
    once = normalise_text(raw)
    assert normalise_text(once) == once
    assert not any(ord(c) < 32 and c != "\n" for c in once)


@FAST
@given(st.one_of(texty, wordy))
def test_sentence_spans_are_valid(raw):
    text = normalise_text(raw)
    spans = sentence_spans(text)
    last = 0
    for a, b in spans:
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        last = b


@FAST
@given(st.binary(max_size=600), st.sampled_from(["a.txt", "b.jsonl", "c.json", "d.csv", "e.parquet"]))
def test_parse_file_never_raises_on_arbitrary_bytes(tmp_path, data, name):
    (tmp_path / name).write_bytes(data)
    articles, rejects = parse_file(tmp_path, name, {"a.txt": "text", "b.jsonl": "jsonl", "c.json": "json",
                                                    "d.csv": "csv", "e.parquet": "parquet"}[name], ParseOptions())
    assert articles or rejects  # every file yields an article or a reason
    for r in rejects:
        assert r["reason"] and r["raw_path"] == name
    for a in articles:
        assert a["text"] and a["article_id"]


@FAST
@given(st.one_of(texty, st.integers(), st.floats(allow_nan=True), st.none()))
def test_parse_published_returns_utc_or_rejects(value):
    try:
        ts = parse_published(value)
    except Rejected as r:
        assert r.reason in {"bad_date", "date_out_of_range"}
        return
    assert ts is None or str(ts.tz) == "UTC"


shingle_sets = st.lists(st.integers(0, 50), max_size=40).map(lambda xs: np.unique(np.array(xs, dtype=np.uint64)))


@FAST
@given(shingle_sets, shingle_sets)
def test_containment_in_range_and_jaccard_symmetric(a, b):
    c_ab, c_ba, jac = containment(a, b)
    c_ba2, c_ab2, jac2 = containment(b, a)
    assert 0 <= c_ab <= 1 and 0 <= c_ba <= 1 and 0 <= jac <= 1
    assert (c_ab, c_ba, jac) == (c_ab2, c_ba2, jac2)
    assert jac <= min(c_ab, c_ba) + 1e-12


@FAST
@given(wordy, wordy)
def test_passage_offsets_are_valid(x, y):
    ta, tb = tokenize(x), tokenize(y)
    for start_a, start_b, length in shared_passages(ngram_hashes(ta.hashes, 3), ngram_hashes(tb.hashes, 3), 3):
        assert length >= 3
        assert 0 <= start_a and start_a + length <= len(ta.hashes)
        assert 0 <= start_b and start_b + length <= len(tb.hashes)
        assert np.array_equal(ta.hashes[start_a:start_a + length], tb.hashes[start_b:start_b + length])


@SLOW
@given(st.lists(st.sampled_from(["The bank raised rates.", "Talks on peace begin.", "Shares fell sharply today.",
                                 "The governor said more rises are likely.", "Fans protested the new coach."]),
                min_size=1, max_size=8).map(" ".join))
def test_an_article_compared_with_itself_is_wholly_derived(text):
    articles = pd.DataFrame({"article_id": ["a", "b"], "source": ["x", "y"], "text": [text, text],
                             "title": [text[:20]] * 2, "n_words": [len(text.split())] * 2,
                             "published": pd.to_datetime(["2025-01-01", "2025-01-02"], utc=True),
                             "duplicate_of": [None, "a"]})
    _, X = fit_tfidf(articles["text"])
    clusters = cluster_stories(articles, X)
    pairs, passages, alignments = compute_overlap(articles, split_sentences(articles), clusters, X, OverlapSettings())
    assert len(pairs) == 1
    p = pairs.iloc[0]
    assert p.origin_article_id == "a" and p.derivation == "wholly"
    assert p.aligned_sentence_share_a == p.aligned_sentence_share_b == 1.0
    n_tokens = len(tokenize(text).hashes)
    if n_tokens >= 3:
        assert p.containment_a_in_b == p.containment_b_in_a == p.jaccard == 1.0
    for r in passages.itertuples():
        assert text[r.char_start:r.char_end] == r.text
