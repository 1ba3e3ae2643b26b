import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from newsdag.evaluate import bcubed, pairwise, score_clustering
from newsdag.features import fit_tfidf
from newsdag.neighbours import days_since_epoch, topk_neighbours
from newsdag.stories import (
    StorySettings,
    cluster_stories,
    publication_days,
    summarise_stories,
)

STORIES = {
    "quake": ["Earthquake of magnitude 7 strikes off the coast of Japan",
              "Strong earthquake hits Japan coast, tsunami warning issued",
              "Japan earthquake: tsunami warning after magnitude 7 quake",
              "Tsunami warning lifted after Japan earthquake"],
    "merger": ["Reynolds American and Lorillard in advanced merger talks",
               "Lorillard shares jump on Reynolds merger talks report",
               "Reynolds American confirms merger talks with Lorillard"],
    "iphone": ["Apple unveils new iPhone with larger screen",
               "New iPhone from Apple gets a larger screen and faster chip",
               "Apple iPhone launch: larger screen, faster chip"],
}


def corpus(day="2025-01-01", prefix=""):
    rows = []
    for story, titles in STORIES.items():
        for i, t in enumerate(titles):
            rows.append({"article_id": f"{prefix}{story}{i}", "published": pd.Timestamp(day, tz="UTC"),
                         "title": t, "text": t, "source": f"outlet{i}", "gold": story})
    return pd.DataFrame(rows)


def cluster(df, **kw):
    vocab, X = fit_tfidf(df["text"])
    return cluster_stories(df, X, StorySettings(**kw)), X, vocab


def test_recovers_hand_made_stories():
    df = corpus()
    clusters, _, _ = cluster(df)
    merged = df.merge(clusters, on="article_id")
    assert bcubed(merged.story_id, merged.gold)[2] == 1.0
    # The story id is its earliest member's id (ties: smallest article_id).
    assert set(merged.story_id) == {"quake0", "merger0", "iphone0"}


def test_every_article_in_exactly_one_story_and_ids_are_deterministic():
    df = corpus()
    a, _, _ = cluster(df)
    b, _, _ = cluster(df.sample(frac=1.0, random_state=1))
    assert sorted(a.article_id) == sorted(df.article_id) and a.article_id.is_unique
    pd.testing.assert_frame_equal(a, b)
    assert a.similarity.between(0, 1 + 1e-6).all()


def test_time_window_separates_the_same_words_on_distant_days():
    df = pd.concat([corpus("2025-01-01", "jan"), corpus("2025-03-01", "mar")], ignore_index=True)
    clusters, _, _ = cluster(df)
    merged = df.merge(clusters, on="article_id")
    assert merged.groupby("story_id").article_id.apply(lambda s: s.str[:3].nunique()).max() == 1
    assert merged.story_id.nunique() == 6


def two_nights(times, precision):
    """The quake story told at ``times`` (one per title), with the other
    stories at noon of the first day as distractors."""
    df = corpus("2025-01-01 12:00")
    quake = df["gold"] == "quake"
    df.loc[quake, "published"] = pd.to_datetime(times, utc=True)
    df["published_precision"] = np.where(quake, precision, "time")
    return df


def quake_stories(df, **kw):
    clusters, _, _ = cluster(df, **kw)
    return df.merge(clusters, on="article_id").query("gold == 'quake'")["story_id"].nunique()


def test_a_story_crossing_midnight_stays_one_story():
    # Reported at 23:00 and 23:30, followed up at 01:00 and 01:20: two hours apart across midnight.
    times = ["2025-01-01 23:00", "2025-01-01 23:30", "2025-01-02 01:00", "2025-01-02 01:20"]
    assert quake_stories(two_nights(times, "time")) == 1


def test_the_same_topic_on_two_days_known_only_by_date_is_two_stories():
    # The same titles, but each known only by its date: a day apart, not two hours.
    days = ["2025-01-01", "2025-01-01", "2025-01-02", "2025-01-02"]
    df = two_nights(days, "day")
    assert quake_stories(df) == 2
    # Without the time weight, the 1-day window joins them (the behaviour this replaces).
    assert quake_stories(df, half_life_hours=None) == 1


def test_publication_days_place_day_only_articles_at_noon():
    df = pd.DataFrame({"published": pd.to_datetime(["2025-01-02 00:00", "2025-01-02 01:00", None], utc=True),
                       "published_precision": ["day", "time", None]})
    got = publication_days(df)
    base = (pd.Timestamp("2025-01-02", tz="UTC") - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1)
    np.testing.assert_allclose(got[:2], [base + 0.5, base + 1 / 24])
    assert np.isnan(got[2])
    np.testing.assert_allclose(publication_days(df.drop(columns="published_precision"))[:2], [base, base + 1 / 24])


def test_time_weight_halves_similarity_every_half_life():
    X = sp.csr_matrix(np.array([[1.0, 0], [1.0, 0], [1.0, 0]], dtype=np.float32))
    days = np.array([0.0, 8 / 24, 16 / 24])
    e = topk_neighbours(X, days, k=5, min_similarity=0.0, window_days=1, half_life_hours=8).set_index(["i", "j"])
    np.testing.assert_allclose(e.loc[(0, 1), "similarity"], 0.5, rtol=1e-6)
    np.testing.assert_allclose(e.loc[(0, 2), "similarity"], 0.25, rtol=1e-6)
    # min_similarity applies to the weighted similarity.
    e = topk_neighbours(X, days, k=5, min_similarity=0.3, window_days=1, half_life_hours=8)
    assert set(zip(e.i, e.j)) == {(0, 1), (1, 2)}


def test_undated_articles_still_cluster():
    df = corpus()
    df.loc[df.article_id == "quake3", "published"] = pd.NaT
    clusters, _, _ = cluster(df)
    c = clusters.set_index("article_id").story_id
    assert c["quake3"] == c["quake0"]


def test_adding_a_new_day_keeps_existing_story_ids():
    day1 = corpus("2025-01-01")
    before, _, _ = cluster(day1)
    later = corpus("2025-01-05", "new")
    later["text"] = later["title"] = ["Elections held in " + c for c in ["Peru", "Chile", "Peru vote", "Chile vote",
                                                                          "Mars", "Mars rover", "Moon", "Moon rover", "Peru", "Chile"]]
    after, _, _ = cluster(pd.concat([day1, later], ignore_index=True))
    merged = before.merge(after, on="article_id", suffixes=("_before", "_after"))
    assert len(merged) == len(day1)
    assert (merged.story_id_before == merged.story_id_after).all()


def test_summarise_stories():
    df = corpus()
    clusters, X, vocab = cluster(df)
    stories = summarise_stories(df, clusters, X, vocab)
    s = stories.set_index("story_id").loc["quake0"]
    assert s.n_articles == 4 and s.n_sources == 4 and s.sources == ["outlet0", "outlet1", "outlet2", "outlet3"]
    assert s.first_published == s.last_published == pd.Timestamp("2025-01-01", tz="UTC")
    assert "japan" in s.top_terms and len(s.top_terms) == 5
    assert s.headline in STORIES["quake"]
    assert s.representative_article_id.startswith("quake")
    assert stories.n_articles.sum() == len(df)


# ---------------------------------------------------------------- neighbours


def test_topk_neighbours_respects_window_k_and_threshold():
    rng = np.random.default_rng(0)
    docs = [" ".join(rng.choice(["alpha", "beta", "gamma", "delta", "eps", "zeta"], 4)) for _ in range(300)]
    _, X = fit_tfidf(docs)
    days = rng.integers(0, 30, 300).astype(float)
    days[:5] = np.nan
    e = topk_neighbours(X, days, k=3, min_similarity=0.3, window_days=2, cell_budget=500)
    assert (e.i < e.j).all() and not e.duplicated(["i", "j"]).any()
    assert (e.similarity >= 0.3 - 1e-6).all()
    d = np.abs(days[e.i] - days[e.j])
    assert ((d <= 2) | np.isnan(d)).all()
    # Each row keeps at most k of its own; a node's degree can exceed k only via others' lists.
    full = topk_neighbours(X, days, k=3, min_similarity=0.3, window_days=2, cell_budget=10**9)
    pd.testing.assert_frame_equal(e, full)  # chunking does not change the answer
    # Undated rows reach across every day.
    undated_edges = e[(e.i < 5) | (e.j < 5)]
    assert len(undated_edges) > 0


@pytest.mark.parametrize("half_life_hours", [None, 8.0])
def test_the_neighbour_search_in_workers_gives_the_same_edges_to_the_bit(monkeypatch, half_life_hours):
    import newsdag.neighbours

    monkeypatch.setattr(newsdag.neighbours, "MIN_ROWS_FOR_WORKERS", 0)
    rng = np.random.default_rng(1)
    # Six words: many equal similarities, so ties must break as in one process.
    docs = [" ".join(rng.choice(["alpha", "beta", "gamma", "delta", "eps", "zeta"], 4)) for _ in range(400)]
    _, X = fit_tfidf(docs)
    days = rng.integers(0, 40, 400) / 2.0  # half days: many gaps of exactly the window
    days[rng.choice(400, 7, replace=False)] = np.nan
    whole = topk_neighbours(X, days, k=3, min_similarity=0.2, window_days=2.0, half_life_hours=half_life_hours)
    assert len(whole) > 300
    for workers in (2, 3):
        got = topk_neighbours(X, days, k=3, min_similarity=0.2, window_days=2.0,
                                         half_life_hours=half_life_hours, workers=workers)
        pd.testing.assert_frame_equal(got, whole, check_exact=True)


def test_candidate_pairs_grow_linearly_with_articles():
    # Same daily volume, more days: pairs grow like N, not N^2.
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(200)]

    def pairs(n_days):
        docs = [" ".join(rng.choice(words, 8)) for _ in range(100 * n_days)]
        _, X = fit_tfidf(docs)
        days = np.repeat(np.arange(n_days), 100).astype(float)
        return len(topk_neighbours(X, days, k=10, min_similarity=0.0, window_days=1))

    small, large = pairs(5), pairs(20)
    assert large / small < 4 * 1.3  # 4x the articles, about 4x the pairs


def test_days_since_epoch_whatever_the_unit():
    s = pd.Series([pd.Timestamp("1970-01-02", tz="UTC"), pd.Timestamp("2025-01-01 12:00", tz="UTC"), pd.NaT])
    for unit in ["ns", "us", "ms", "s"]:
        d = days_since_epoch(s.dt.as_unit(unit))  # Parquet round trips give microseconds
        assert d[0] == 1.0 and d[1] == 20089.5 and np.isnan(d[2]), unit


# ---------------------------------------------------------------- scores


def test_scores_on_known_cases():
    assert bcubed([1, 1, 2, 2], ["a", "a", "b", "b"]) == (1.0, 1.0, 1.0)
    p, r, f = bcubed([1, 1, 1, 1], ["a", "a", "b", "b"])
    assert p == 0.5 and r == 1.0 and f == pytest.approx(2 / 3)
    p, r, f = bcubed([1, 2, 3, 4], ["a", "a", "b", "b"])
    assert p == 1.0 and r == 0.5
    assert pairwise([1, 1, 2, 2], ["a", "a", "b", "b"]) == (1.0, 1.0, 1.0)
    s = score_clustering([1, 1, 2, 3], ["a", "a", "b", "b"])
    assert s.n_clusters == 3 and s.n_classes == 2 and s.bcubed_precision == 1.0 and s.ari < 1


def test_incremental_clustering_holds_old_stories_fixed():
    day1 = corpus("2025-01-01").assign(day="2025-01-01")
    vocab, X = fit_tfidf(day1["text"])
    previous = cluster_stories(day1, X)
    # Day 1's two stories, deliberately split wrongly by an earlier run: quake 0-1 and quake 2-3.
    previous.loc[previous.article_id.isin(["quake2", "quake3"]), "story_id"] = "quake2"
    bridge = pd.DataFrame([{"article_id": "new0", "published": pd.Timestamp("2025-01-02", tz="UTC"), "day": "2025-01-02",
                            "title": "", "text": "Japan earthquake tsunami warning magnitude 7 coast", "source": "x", "gold": "quake"}])
    both = pd.concat([day1, bridge], ignore_index=True)
    vocab, X = fit_tfidf(both["text"])
    out = cluster_stories(both, X, previous=previous, recompute_from="2025-01-02").set_index("article_id")["story_id"]
    # Held stories neither merge nor split, and keep their ids and rows.
    pd.testing.assert_series_equal(out.loc[previous.article_id], previous.set_index("article_id")["story_id"])
    # The new article joins one of them: it may join a story, not merge two.
    assert out["new0"] in {"quake0", "quake2"}
    # A full run over the same articles is free to regroup them.
    full = cluster_stories(both, X).set_index("article_id")["story_id"]
    assert full["quake0"] == full["quake2"] == full["new0"]


# ---------------------------------------------------------------- a resolution per kind of text

# The mechanism, with two resolutions apart (the defaults may take one for both).
TWO_RESOLUTIONS = StorySettings(resolution=0.006, full_text_resolution=0.01)


def test_each_kind_of_text_takes_its_own_resolution():
    from newsdag.stories import node_sizes

    s = TWO_RESOLUTIONS
    assert node_sizes(None, s) == (s.resolution, None)
    assert node_sizes(np.array([5, 12, 49]), s) == (s.resolution, None)  # headlines
    assert node_sizes(np.array([50, 400]), s) == (s.full_text_resolution, None)  # full texts
    resolution, sizes = node_sizes(np.array([8, 300]), s)
    assert resolution == s.resolution and sizes.dtype == np.float64
    np.testing.assert_allclose(sizes, [1.0, np.sqrt(s.full_text_resolution / s.resolution)])


def pair_graph(weight: float) -> pd.DataFrame:
    return pd.DataFrame({"i": [0], "j": [1], "similarity": [weight]})


@pytest.mark.parametrize("n_words, pair_resolution", [
    ((10, 10), lambda s: s.resolution),  # two headlines
    ((300, 300), lambda s: s.full_text_resolution),  # two full texts
    ((10, 300), lambda s: np.sqrt(s.resolution * s.full_text_resolution)),  # one of each: the geometric mean
])
@pytest.mark.parametrize("above", [False, True])
def test_two_articles_join_when_their_link_beats_their_pair_resolution(n_words, pair_resolution, above):
    from newsdag.stories import leiden_labels, node_sizes

    settings = TWO_RESOLUTIONS
    # Far enough apart that 10% either side of one pair's resolution is on
    # the same side of the others: a graph that ignored the kinds fails.
    assert settings.full_text_resolution > 1.25 * settings.resolution
    weight = pair_resolution(settings) * (1.1 if above else 0.9)
    resolution, sizes = node_sizes(np.array(n_words), settings)
    labels = leiden_labels(pair_graph(weight), 2, resolution, sizes=sizes)
    assert (labels[0] == labels[1]) == above


def test_full_texts_of_two_stories_with_a_common_vocabulary_stay_apart():
    from newsdag.stories import leiden_labels, node_sizes

    # Two stories of two articles each, every cross pair linked halfway
    # between the two resolutions: what two unrelated full texts in one news
    # language share. Under the headline resolution the stories merge (four
    # cross links outweigh four pairs' charge); as full texts they do not.
    settings = TWO_RESOLUTIONS
    cross = (settings.resolution + settings.full_text_resolution) / 2
    edges = pd.DataFrame({"i": [0, 2, 0, 0, 1, 1], "j": [1, 3, 2, 3, 2, 3],
                          "similarity": [0.4, 0.4, cross, cross, cross, cross]})
    as_headlines = leiden_labels(edges, 4, settings.resolution)
    assert len(set(as_headlines)) == 1
    resolution, sizes = node_sizes(np.array([300, 250, 400, 320]), settings)
    as_full_texts = leiden_labels(edges, 4, resolution, sizes=sizes)
    assert as_full_texts[0] == as_full_texts[1] != as_full_texts[2] == as_full_texts[3]


def test_cluster_stories_takes_each_articles_kind_from_its_word_count(monkeypatch):
    import newsdag.stories as stories

    seen = []
    real = stories.leiden_labels
    monkeypatch.setattr(stories, "leiden_labels", lambda edges, n, resolution, *a, sizes=None, **k:
                        seen.append((resolution, sizes)) or real(edges, n, resolution, *a, sizes=sizes, **k))
    docs = ["storm floods the coast", "storm floods the coast again", "council votes on budget", "council budget vote"]
    _, X = fit_tfidf(docs)
    articles = pd.DataFrame({"article_id": list("abcd"), "published": pd.NaT, "n_words": [400, 300, 12, 9]})
    settings = TWO_RESOLUTIONS
    cluster_stories(articles, X, settings)
    cluster_stories(articles.drop(columns="n_words"), X, settings)
    assert seen[0][0] == settings.resolution and list(seen[0][1] > 1) == [True, True, False, False]
    assert seen[1] == (settings.resolution, None)  # without n_words: headlines, as before


# ---------------------------------------------------------------- a similarity floor per kind of pair


@pytest.mark.parametrize("n_words, floor", [
    ((10, 10), lambda s: s.min_similarity),  # two headlines
    ((300, 300), lambda s: s.full_text_min_similarity),  # two full texts
    ((10, 300), lambda s: s.min_similarity),  # one of each: the headline's few words are all it can share
])
@pytest.mark.parametrize("above", [False, True])
def test_a_link_is_kept_when_it_reaches_the_floor_of_its_kind_of_pair(n_words, floor, above):
    from newsdag.stories import above_similarity_floor

    settings = StorySettings()
    # Far enough apart that 10% either side of one floor is on the same side
    # of the other: an edge filter that ignored the kinds fails.
    assert settings.full_text_min_similarity > 1.25 * settings.min_similarity
    weight = floor(settings) * (1.1 if above else 0.9)
    kept = above_similarity_floor(pair_graph(weight), np.array(n_words), settings)
    assert len(kept) == int(above)
    # Without word counts every article is a headline.
    assert len(above_similarity_floor(pair_graph(weight), None, settings)) == int(weight >= settings.min_similarity)


def test_two_full_texts_below_their_floor_are_two_stories_and_two_headlines_one():
    settings = StorySettings()
    # Two unit rows whose cosine lies between the two floors.
    cosine = (settings.min_similarity + settings.full_text_min_similarity) / 2
    c, r = np.sqrt(cosine), np.sqrt(1 - cosine)
    X = sp.csr_matrix(np.array([[c, r, 0.0], [c, 0.0, r]], dtype=np.float32))
    undated = {"article_id": ["a", "b"], "published": pd.NaT}
    as_full_texts = cluster_stories(pd.DataFrame({**undated, "n_words": [400, 300]}), X, settings)
    as_headlines = cluster_stories(pd.DataFrame({**undated, "n_words": [9, 12]}), X, settings)
    assert as_full_texts["story_id"].nunique() == 2
    assert as_headlines["story_id"].nunique() == 1
