"""The benchmark's own parts: the generator's per-story vocabulary and the density exponents."""

import json

import pandas as pd
import pytest

from bench.generate_corpus import generate, own_vocabulary
from bench.run_bench import days_for, growth_against_density


def test_own_vocabulary_renames_inner_names_and_numbers_the_same_way_within_a_story():
    text = "Shares of Acme rose 12 percent. Acme said Smith would stay. Analysts at Acme Bank agreed."
    a, again, other = own_vocabulary(text, 7, 0), own_vocabulary(text, 7, 0), own_vocabulary(text, 8, 0)
    assert a == again  # deterministic
    assert a != other  # another story, other names
    words = a.split()
    # A sentence's first word stays; inner capitalised words and numbers change.
    assert words[0] == "Shares" and words[6] == "Acme" and words[11] == "Analysts"
    assert "Acme" not in (words[2], words[13]) and "Smith" not in a and " 12 " not in a
    # One replacement per word within the story, wherever it stands.
    assert words[2] == words[13]
    assert words[4].isdigit() and len(words[4]) == 2
    # Lower-case words are the sentences' own.
    assert [w for w in words if w.islower()] == [w for w in text.split() if w.islower()]


def test_days_for_a_density():
    assert days_for(30000, 1500) == 20 and days_for(30000, 30000) == 1 and days_for(1000, 5000) == 1


def test_growth_against_density_is_the_log_slope_between_the_sparsest_and_densest_runs():
    def run(per_day, days, clustering, overlap, total):
        return {"n_articles": 8000, "compute": "local", "articles_per_day": per_day, "days": days,
                "seconds_by_stage": {"parse": 1.0, "clustering": clustering, "overlap": overlap, "tfidf": 0.01},
                "seconds_end_to_end": total}

    runs = [run(1000, 8, 2.0, 10.0, 20.0), run(2000, 4, 3.0, 20.0, 30.0), run(8000, 1, 16.0, 40.0, 80.0)]
    got = growth_against_density(runs)["8000/local"]
    # 8x the density: clustering 8x (exponent 1), overlap 4x (2/3), parse flat (0); tfidf too short to tell.
    assert got == {"parse": 0.0, "clustering": 1.0, "overlap": pytest.approx(0.667, abs=1e-3),
                   "end_to_end": pytest.approx(0.667, abs=1e-3)}
    # A single density gives no exponent.
    assert growth_against_density(runs[:1]) == {}


@pytest.mark.shared_data
def test_own_vocabulary_changes_only_composed_stories_and_keeps_each_story_consistent(shared_data, tmp_path):
    plain = generate(400, tmp_path / "plain", seed=3)
    own = generate(400, tmp_path / "own", seed=3, vocabulary=True)
    # Same draws: the same stories, outlets, methods and times.
    pd.testing.assert_frame_equal(plain, own)

    def texts(root):
        out = {}
        for f in (root / "raw").rglob("*"):
            if f.suffix == ".jsonl":
                out.update({r["id"]: r["text"] for r in map(json.loads, f.read_text().splitlines())})
            elif f.suffix == ".txt":
                out[f.stem] = f.read_text().split(" ", 2)[2]
        return out

    a, b = texts(tmp_path / "plain"), texts(tmp_path / "own")
    assert a.keys() == b.keys() == set(plain["id"])
    composed = plain["body_source"].str.startswith("composed") & plain["reuse"].isin(["original", "own_take"])
    real = ~plain["body_source"].str.startswith("composed")
    assert composed.sum() > 50 and real.sum() > 20
    assert all(a[i] == b[i] for i in plain.loc[real, "id"])
    changed = [a[i] != b[i] for i in plain.loc[composed, "id"]]
    assert sum(changed) >= 0.9 * len(changed)
    # Whole copies still paste their original, renamed names and all.
    whole = plain[(plain["method"] == "whole copy") & plain["body_source"].str.startswith("composed")]
    assert len(whole) > 20
    assert all(b[c] == b[o] for c, o in zip(whole["id"], whole["origin_id"]))
