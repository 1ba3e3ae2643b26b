"""story_threads: the stories of one developing event, across days and languages."""

import numpy as np
import pandas as pd

from newsdag.features import TfidfSettings, fit_tfidf
from newsdag.threads import ThreadSettings, build_story_threads, story_thread_ids

QUAKE_1 = ("A strong earthquake struck near Valparaiso in Chile on Monday, damaging buildings. "
           "President Gabriel Boric flew to Valparaiso.")
# The follow-up two days later: new facts, the same event.
QUAKE_2 = ("Rescuers in Valparaiso are still searching collapsed buildings. A strong earthquake struck "
           "near Valparaiso in Chile on Monday. President Gabriel Boric promised help.")
# The same event in German: names and places in common, little else.
QUAKE_DE = ("Ein starkes Erdbeben hat Valparaiso in Chile erschüttert, viele Gebäude wurden beschädigt. "
            "Präsident Gabriel Boric reiste nach Valparaiso.")
VOTE = "Parliament in Oslo voted on the new fishing quota for the North Sea on Monday evening."


def _threads(rows, settings=None):
    """Articles (id, story, published, language, text) -> (story_threads, each story's thread)."""
    articles = pd.DataFrame(rows, columns=["article_id", "story_id", "published", "language", "text"])
    articles["published"] = pd.to_datetime(articles["published"], utc=True)
    _, X = fit_tfidf(list(zip(articles["language"], articles["text"])), TfidfSettings(min_df=1))
    clusters = articles[["article_id", "story_id"]]
    table = build_story_threads(articles, clusters, X, settings or ThreadSettings())
    return table, story_thread_ids(table)


def test_a_follow_up_two_days_later_and_the_same_event_in_german_share_a_thread():
    table, thread = _threads([
        ("q1", "q1", "2025-03-03 08:00", "en", QUAKE_1),
        ("q2", "q2", "2025-03-05 09:00", "en", QUAKE_2),
        ("qd", "qd", "2025-03-03 10:00", "de", QUAKE_DE),
        ("v1", "v1", "2025-03-03 18:00", "en", VOTE),
    ])
    assert thread["q1"] == thread["q2"] == thread["qd"] == "q1" != thread["v1"]
    quake = table.set_index("thread_id").loc["q1"]
    assert quake["story_ids"] == ["q1", "qd", "q2"]  # earliest first
    assert (quake["first_day"], quake["last_day"]) == ("2025-03-03", "2025-03-05")
    assert quake["languages"] == ["de", "en"] and quake["n_cross_lingual_links"] >= 1
    assert quake["n_stories"] == 3 and quake["n_articles"] == 3
    assert table["n_stories"].sum() == 4


def test_stories_too_far_apart_or_below_the_threshold_stay_apart():
    rows = [("q1", "q1", "2025-03-03 08:00", "en", QUAKE_1), ("q2", "q2", "2025-03-20 09:00", "en", QUAKE_2),
            ("qd", "qd", "2025-03-03 10:00", "de", QUAKE_DE)]
    _, thread = _threads(rows)
    assert thread["q1"] != thread["q2"]  # 17 days: beyond window_days
    _, thread = _threads(rows, ThreadSettings(cross_lingual_similarity=0.99))
    assert thread["q1"] != thread["qd"]


def test_threads_are_deterministic_and_every_story_is_in_exactly_one():
    rows = [(f"a{i}", f"s{i % 3}", f"2025-03-0{1 + i % 3} 12:00", "en", t)
            for i, t in enumerate([QUAKE_1, QUAKE_2, VOTE, QUAKE_1 + " More.", QUAKE_2 + " Later.", VOTE + " Again."])]
    first, _ = _threads(rows)
    again, _ = _threads(rows)
    pd.testing.assert_frame_equal(first, again)
    stories = np.concatenate(first["story_ids"].to_numpy())
    assert sorted(stories) == ["s0", "s1", "s2"]
    assert list(first.columns) == ["thread_id", "story_ids", "n_stories", "n_articles", "languages", "first_published",
                                   "last_published", "first_day", "last_day", "n_cross_lingual_links"]


def test_undated_stories_get_no_days():
    table, _ = _threads([("a", "a", None, "und", QUAKE_1), ("b", "b", None, "und", QUAKE_2)])
    assert table["first_day"].isna().all() and table["first_published"].isna().all()
    assert table["languages"].tolist() == [["und"]]  # one thread: undated stories are compared with all
