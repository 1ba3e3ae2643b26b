"""Why story F1 on the generated corpus is below the hand-written pipeline's:
B-cubed precision and recall of story_clusters under a few settings.

    .venv/bin/python bench/sweep_story_settings.py 10000 [--seed 0]

Generates the corpus run_bench.py uses (same N and seed), materialises the
graph up to the TF-IDF features through the real assets, then clusters with
newsdag.stories.cluster_stories under each setting and scores against the
planted stories. The defaults were chosen on real data (UCI News Aggregator,
WikiRef220); this shows how they fare on the generated stream, not a reason
to change them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import materialize_graph, run_recorded  # noqa: E402

SETTINGS = [{}, {"window_days": 2.0}, {"resolution": 0.02}, {"window_days": 2.0, "resolution": 0.02},
            {"window_days": 2.0, "resolution": 0.05}]


def sweep(n: int, seed: int) -> dict:
    from bench.generate_corpus import generate
    from newsdag.evaluate import bcubed
    from newsdag.features import load_tfidf
    from newsdag.stories import StorySettings, cluster_stories

    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(n, Path(tmp), seed).set_index("id")
        wh = Path(tmp) / "wh"
        materialize_graph(Path(tmp) / "raw", wh, selection=["raw_files", "articles", "rejected_inputs",
                                                             "tfidf_vocabulary", "tfidf_features"])
        articles = pd.read_parquet(wh / "articles")
        X, _ = load_tfidf(pd.read_parquet(wh / "tfidf_features"), pd.read_parquet(wh / "tfidf_vocabulary"),
                          articles["article_id"])
    # Plain-text files carry no feed id: their file name is the id.
    gid = articles["external_id"].fillna(articles["raw_path"].str.rsplit("/", n=1).str[-1].str[:-4])
    gold = gid.map(truth["story"]).to_numpy()
    rows = []
    for overrides in SETTINGS:
        t0 = time.perf_counter()
        clusters = cluster_stories(articles, X, StorySettings(**overrides))
        seconds = time.perf_counter() - t0
        labels = articles["article_id"].map(clusters.set_index("article_id")["story_id"]).to_numpy()
        p, r, f1 = bcubed(labels, gold)
        rows.append({"settings": {**StorySettings().as_dict(), **overrides}, "overrides": overrides,
                     "bcubed_precision": round(p, 4), "bcubed_recall": round(r, 4), "bcubed_f1": round(f1, 4),
                     "seconds": round(seconds, 1)})
        print(rows[-1], flush=True)
    return {"n_articles": n, "seed": seed, "runs": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(run_recorded("bench/sweep_story_settings.py", f"story_settings_sweep_{args.n}", lambda: sweep(args.n, args.seed)))


if __name__ == "__main__":
    main()
