"""What one more day costs: an incremental daily run against a full rebuild.

    .venv/bin/python bench/bench_incremental.py [--n 36000] [--days 120] [--seed 0]

A generated corpus of N articles whose stories start over D days. The
warehouse is first built from every day but the last; then the last day's
files arrive and only that day is materialised with the cross-day assets
(what the new_days sensor does); then everything is rebuilt from scratch into
a second warehouse. Records the wall time of each, per step, the story ids
kept, and how close the incremental stories are to the rebuilt ones
(B-cubed F1 of one against the other) and to the planted truth.
Results: bench/results/incremental_<N>_<D>.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Timer, materialize_graph, run_recorded  # noqa: E402
from bench.generate_corpus import generate  # noqa: E402

FIRST_SEEN = 1704067200  # 2024-01-01 UTC: every file looks first seen on the corpus's first day


def materialize(raw: Path, wh: Path, **days) -> dict:
    """Wall time and per-step times of `newsdag materialize` (bench.common.materialize_graph)."""
    with Timer() as t:
        steps = materialize_graph(raw, wh, **days)
    return {"seconds": round(t.seconds, 1), "steps": steps}


def stories(wh: Path) -> pd.Series:
    """story_id by the generator's article id (a feed record's id, a text file's name)."""
    a = pd.read_parquet(wh / "articles", columns=["article_id", "external_id", "raw_path"])
    a["id"] = a["external_id"].fillna(a["raw_path"].str.rsplit("/", n=1).str[-1].str.removesuffix(".txt"))
    return a.merge(pd.read_parquet(wh / "story_clusters")).set_index("id")["story_id"]


def run(n: int, days: int, seed: int) -> dict:
    from newsdag.evaluate import bcubed

    work = Path(tempfile.mkdtemp(prefix="newsdag-incremental-"))
    try:
        truth = generate(n, work / "corpus", seed, days).set_index("id")
        raw, later = work / "corpus" / "raw", work / "last-day"
        for f in raw.rglob("*"):
            if f.is_file():
                os.utime(f, (FIRST_SEEN, FIRST_SEEN))
        # The new day: the last day stories start on, with the follow-ups that
        # spill into the next two days (they arrive with it).
        last = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=days - 1)).date().isoformat()
        moving = [p for d in (raw / "feeds").iterdir() if d.name >= last for p in d.iterdir()]
        moving += [p for p in raw.glob("*/*.txt") if p.read_text(encoding="utf-8")[5:15] >= last]
        for p in moving:
            dest = later / p.relative_to(raw)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(p, dest)

        wh, fresh = work / "wh", work / "fresh"
        before = materialize(raw, wh)
        ids_before = stories(wh)
        for p in later.rglob("*"):
            if p.is_file():
                dest = raw / p.relative_to(later)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, dest)
        final = max(d.name for d in (raw / "feeds").iterdir())
        incremental = materialize(raw, wh, from_day=last, to_day=final)
        ids_after = stories(wh)
        rebuild = materialize(raw, fresh)
        ids_full = stories(fresh)
        kept = (ids_after.reindex(ids_before.index) == ids_before)
        published = pd.read_parquet(wh / "articles", columns=["external_id", "raw_path", "day"])
        published["id"] = published["external_id"].fillna(published["raw_path"].str.rsplit("/", n=1).str[-1].str.removesuffix(".txt"))
        day_of = published.set_index("id")["day"].reindex(kept.index)
        older = day_of < (pd.Timestamp(last) - pd.Timedelta(days=14)).date().isoformat()
        gold = truth["story"]
        f1 = {name: round(bcubed(s, gold.reindex(s.index))[2], 4) for name, s in
              (("incremental", ids_after), ("rebuild", ids_full))}
        return {
            "n_articles": int(len(ids_after)), "days": days,
            "new_days": [last, final], "articles_arriving": int(len(ids_after) - len(ids_before)),
            "build_all_but_last_day": before, "add_last_day": incremental, "full_rebuild": rebuild,
            "incremental_share_of_rebuild": round(incremental["seconds"] / rebuild["seconds"], 3),
            "story_ids_kept": round(float(kept.mean()), 4),
            "story_ids_kept_before_trailing_window": round(float(kept[older].mean()), 4),
            "bcubed_f1_incremental_vs_rebuild": round(bcubed(ids_after, ids_full.reindex(ids_after.index))[2], 4),
            "bcubed_f1_vs_truth": f1,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=36000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    path = run_recorded("bench/bench_incremental.py", f"incremental_{args.n}_{args.days}",
                        lambda: run(args.n, args.days, args.seed))
    print(path.read_text())


if __name__ == "__main__":
    main()
