"""Throughput, memory and quality of the real asset graph on generated corpora,
side by side with the pipeline a user would write by hand.

    .venv/bin/python bench/run_bench.py --sizes 10000            # what `make bench` runs
    .venv/bin/python bench/run_bench.py --sizes 10000 20000 --hand 10000 20000
    NEWSDAG_SPARK_MASTER='local[2]' .venv/bin/python bench/run_bench.py --sizes 100000 --compute local spark
    .venv/bin/python bench/run_bench.py --sizes 30000 --per-day 1500 7500 30000 --own-vocabulary

Each size runs in a fresh subprocess (so peak memory is that run's alone):
generate_corpus.py writes the raw folder, Dagster's materialize() runs every
asset over it, and the script reports per-stage wall time (Dagster step
stats), articles/s, raw MB/s, peak RSS, story B-cubed F1 against the planted
stories, and how many planted copies and rewrites were traced to their
original. The hand-written pipeline (scikit-learn TfidfVectorizer, all-pairs
cosine_similarity, AgglomerativeClustering with average linkage on the full
distance matrix) runs on the same texts at the sizes given with --hand, and
datasketch's MinHash LSH (word 5-shingles, Jaccard 0.5: what a user would
pick to find copies) at the sizes given with --minhash, and text-dedup's
MinHash (in its own virtualenv) at the sizes given with --textdedup. With --compute, each
size runs on each backend named (local, spark); peak_rss_mib is the Python
driver's alone, peak_rss_with_children_mib adds Spark's JVM and Python workers.
With --workers, each size runs with each NEWSDAG_WORKERS given, and
cpu_percent_end_to_end says how busy the cores were (CPU seconds of the run
and its worker processes over wall seconds; 200 is both cores). With --per-day, each size runs at each density given (articles a day: the
generator's --days is N / density), and the results hold each stage's growth
exponent against articles a day at fixed N: the slope of log seconds against
log articles a day between the lowest and highest density.
--own-vocabulary passes the generator's flag of that name.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (PROJECT_ROOT, TreePeakRss, git_commit, machine, materialize_graph, peak_rss_mib,  # noqa: E402
                          save_results)

STAGES = {"parse": ["raw_files", "parse_articles", "sentences"], "tfidf": ["tfidf"],
          "clustering": ["story_clusters", "story_threads", "stories"], "overlap": ["overlap", "outlet_tables"]}


def one_run(n: int, seed: int, compute: str = "local", corpus: Path | None = None, chains: float = 0.0,
            per_day: int | None = None, vocabulary: bool = False) -> dict:
    """Generate, materialise and score one corpus of ``n`` articles (in this
    process), with the heavy stages on the ``compute`` backend. ``corpus``: a
    folder already written by ``bench/generate_corpus.py`` for this ``n`` and
    ``seed`` (its ``raw`` and ``truth.parquet``), used instead of generating
    it again (13 minutes at 1M). ``chains``: the generator's chance of a copy
    of a copy (bench/generate_corpus.py --chains). ``per_day``: articles a day
    (the generator's --days is ``n / per_day``; None: its default of about
    1,500). ``vocabulary``: the generator's --own-vocabulary."""
    from newsdag.evaluate import bcubed

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if corpus is None:
            # In a process of its own: the generator holds the shared datasets
            # (3.8 GB at 1M articles), which must not count as the pipeline's memory.
            subprocess.run([sys.executable, "-m", "bench.generate_corpus", str(n), str(out), "--seed", str(seed),
                            "--chains", str(chains)] + (["--days", str(days_for(n, per_day))] if per_day else [])
                           + (["--own-vocabulary"] if vocabulary else []),
                           cwd=PROJECT_ROOT, check=True, capture_output=True)
        source = corpus or out
        truth = pd.read_parquet(source / "truth.parquet")
        if len(truth) != n:
            raise ValueError(f"{source} holds a corpus of {len(truth)} articles, not {n}")
        raw = source / "raw"
        raw_bytes = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file())
        wh = out / "wh"
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        windows: dict = {}
        with TreePeakRss() as tree:
            steps = materialize_graph(raw, wh, compute=compute, step_windows=windows)
        seconds = time.perf_counter() - t0
        cpu = cpu_seconds() - cpu0
        articles = pd.read_parquet(wh / "articles", columns=["article_id", "external_id", "raw_path"])
        # Plain-text files carry no feed id: their file name is the id.
        articles["gid"] = articles["external_id"].fillna(articles["raw_path"].str.rsplit("/", n=1).str[-1].str[:-4])
        clusters = pd.read_parquet(wh / "story_clusters")
        got = articles.merge(clusters, on="article_id")
        t = truth.set_index("id")
        story_prf = bcubed(got["story_id"], got["gid"].map(t["story"]))
        f1 = story_prf[2]
        # The generator's stories run up to two days: threads should join what the time weight split.
        threads = pd.read_parquet(wh / "story_threads", columns=["thread_id", "story_ids"]).explode("story_ids")
        thread_f1 = bcubed(got["story_id"].map(dict(zip(threads["story_ids"], threads["thread_id"]))),
                           got["gid"].map(t["story"]))
        overlap = pd.read_parquet(wh / "article_overlap", columns=["article_a", "article_b", "origin_article_id", "derivation"])
        id_of = dict(zip(articles["gid"], articles["article_id"]))
        pairs = {}
        for r in overlap.itertuples(index=False):
            pairs[(r.article_a, r.article_b)] = pairs[(r.article_b, r.article_a)] = r
        traced, found = {}, {}
        for kind in ["verbatim", "paraphrase"]:
            sel = truth[truth["reuse"] == kind]
            ok = 0
            for d, o in zip(sel["id"], sel["origin_id"]):
                r = pairs.get((id_of.get(d), id_of.get(o)))
                ok += r is not None and r.origin_article_id == id_of.get(o) and r.derivation != "non"
            traced[kind] = round(ok / max(len(sel), 1), 4)
        # article_origins: each derived article's earliest source, against the
        # original at the start of its chain (copies of copies included).
        origins = pd.read_parquet(wh / "article_origins", columns=["article_id", "origin_article_id"])
        origin_of = dict(zip(origins["article_id"], origins["origin_article_id"]))
        root = truth["root_id"] if "root_id" in truth else truth["origin_id"]
        derived_truth = truth.assign(root=root)[root.notna()]
        # The generator plants some real texts in several stories: an origin
        # among the originals made from the same text is as right as the planted one.
        gid_of = dict(zip(articles["article_id"], articles["gid"]))
        body = t["body_source"] if "body_source" in t else pd.Series(dtype=object)
        origin_traced, origin_exact = {}, {}
        for method, sel in derived_truth.groupby("method"):
            got_origin = [gid_of.get(origin_of.get(id_of.get(d))) for d in sel["id"]]
            exact = [g == r for g, r in zip(got_origin, sel["root"])]
            same_text = [e or (g in body.index and not str(body[g]).startswith("composed") and body.get(g) == body.get(r)
                               and t.at[g, "reuse"] == "original") for e, g, r in zip(exact, got_origin, sel["root"])]
            origin_exact[method] = round(sum(exact) / len(sel), 4)
            origin_traced[method] = round(sum(same_text) / len(sel), 4)
        for method, sel in truth[truth["origin_id"].notna()].groupby("method"):
            hit = sum((r := pairs.get((id_of.get(d), id_of.get(o)))) is not None and r.derivation != "non"
                      for d, o in zip(sel["id"], sel["origin_id"]))
            found[method] = round(hit / len(sel), 4)
    stage_seconds = {k: round(sum(steps.get(s, 0.0) for s in v), 2) for k, v in STAGES.items()}
    return {"n_articles": n, "compute": compute, "articles_per_day": per_day, "own_vocabulary": vocabulary,
            "workers": os.environ.get("NEWSDAG_WORKERS", "every core"),
            "days": days_for(n, per_day) if per_day else None, "raw_mb": round(raw_bytes / 1e6, 1), "seconds_end_to_end": round(seconds, 1),
            "cpu_percent_end_to_end": round(100 * cpu / seconds),
            "articles_per_second": round(n / seconds, 1), "raw_mb_per_second": round(raw_bytes / 1e6 / seconds, 2),
            "seconds_by_stage": stage_seconds, "seconds_by_step": steps,
            "articles_per_second_by_stage": {k: round(n / v, 1) if v else None for k, v in stage_seconds.items()},
            "peak_rss_mib": round(peak_rss_mib()), "peak_rss_with_children_mib": round(tree.mib),
            "peak_rss_with_children_mib_by_step": {k: round(tree.peak_within(w)) for k, w in windows.items()},
            "story_bcubed_f1": round(f1, 4),
            "story_bcubed_precision_recall_f1": [round(x, 4) for x in story_prf],
            "thread_bcubed_precision_recall_f1": [round(x, 4) for x in thread_f1],
            "traced_to_origin_and_derived": traced, "article_origins_root_by_method": origin_traced,
            "article_origins_planted_root_by_method": origin_exact, "chains": chains, "pair_found_derived": found, "n_pairs": len(overlap)}


def cpu_seconds() -> float:
    """CPU seconds (user and system) of this process and of its children that
    have ended: the worker processes, reaped when their pool closes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def generator_flags(per_day: int | None, vocabulary: bool) -> list[str]:
    """run_bench's own flags for the generator's density and vocabulary, to pass on to a run of one size."""
    return (["--per-day", str(per_day)] if per_day else []) + (["--own-vocabulary"] if vocabulary else [])


def days_for(n: int, per_day: int) -> int:
    """Days the generator spreads ``n`` articles over for ``per_day`` articles a day."""
    return max(1, round(n / per_day))


def growth_against_density(runs: list[dict]) -> dict:
    """Each stage's growth exponent against articles a day, per size and backend.

    ``runs``: run_bench results, some at the same ``n_articles`` and
    ``compute`` but different ``articles_per_day``. Returns
    ``{"<n>/<compute>": {stage: exponent}}``, the exponent being the slope of
    log seconds against log articles a day (n / days, as generated) between
    the sparsest and the densest run; a stage under 0.05 s in either is left out.
    """
    out = {}
    by = {}
    for r in runs:
        if r.get("articles_per_day"):
            by.setdefault(f"{r['n_articles']}/{r['compute']}", []).append(r)
    for key, group in by.items():
        if len(group) < 2:
            continue
        lo, hi = min(group, key=lambda r: r["n_articles"] / r["days"]), max(group, key=lambda r: r["n_articles"] / r["days"])
        span = np.log((hi["n_articles"] / hi["days"]) / (lo["n_articles"] / lo["days"]))
        stages = {**lo["seconds_by_stage"], "end_to_end": lo["seconds_end_to_end"]}
        out[key] = {}
        for stage, t_lo in stages.items():
            t_hi = hi["seconds_end_to_end"] if stage == "end_to_end" else hi["seconds_by_stage"].get(stage, 0)
            if t_lo >= 0.05 and t_hi >= 0.05:
                out[key][stage] = round(float(np.log(t_hi / t_lo) / span), 3)
    return out


def corpus_texts(n: int, seed: int, per_day: int | None = None, vocabulary: bool = False
                 ) -> tuple[list[str], list[str], pd.DataFrame]:
    """(ids, title + text of each article, truth) of the generated corpus, as the
    raw files hold them; ``per_day`` and ``vocabulary`` as for :func:`one_run`."""
    from bench.generate_corpus import generate

    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(n, Path(tmp), seed, days_for(n, per_day) if per_day else None, vocabulary=vocabulary)
        texts = []
        for p in sorted((Path(tmp) / "raw").rglob("*")):
            if p.suffix == ".jsonl":
                # split on "\n" only: str.splitlines also splits inside a record at U+2028 and U+0085
                texts += [(r["id"], r["title"] + "\n\n" + r["text"]) for r in map(json.loads, p.read_text().split("\n")[:-1])]
            elif p.suffix == ".txt":
                texts.append((p.stem, p.read_text()))
    ids, docs = zip(*texts)
    return list(ids), list(docs), truth


def minhash_pipeline(n: int, seed: int, threshold: float = 0.5, num_perm: int = 128, shingle: int = 5,
                     per_day: int | None = None, vocabulary: bool = False) -> dict:
    """What a user would reach for to find copies: datasketch MinHash LSH over word
    5-shingles (Jaccard threshold 0.5), on the same texts. Reports the time and
    which planted copies and rewrites it pairs with their original."""
    import re

    from datasketch import MinHash, MinHashLSH

    ids, docs, truth = corpus_texts(n, seed, per_day, vocabulary)
    t0 = time.perf_counter()
    shingles = []
    for d in docs:
        w = re.findall(r"\w+", d.lower())
        shingles.append({" ".join(w[i:i + shingle]).encode() for i in range(max(len(w) - shingle + 1, 1))})
    sigs = list(MinHash.bulk(shingles, num_perm=num_perm))
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for key, m in zip(ids, sigs):
            session.insert(key, m)
    pairs = set()
    for key, m in zip(ids, sigs):
        for other in lsh.query(m):
            if other != key:
                pairs.add((min(key, other), max(key, other)))
    seconds = time.perf_counter() - t0
    story = truth.set_index("id")["story"]
    found = {}
    for method, sel in truth[truth["origin_id"].notna()].groupby("method"):
        found[method] = round(sum((min(d, o), max(d, o)) in pairs for d, o in zip(sel["id"], sel["origin_id"])) / len(sel), 4)
    same_story = sum(story[a] == story[b] for a, b in pairs) / max(len(pairs), 1)
    return {"n_articles": n, "articles_per_day": per_day, "own_vocabulary": vocabulary,
            "seconds": round(seconds, 1), "n_pairs": len(pairs), "pair_found": found,
            "pairs_within_a_planted_story": round(same_story, 4), "peak_rss_mib": round(peak_rss_mib()),
            "settings": {"threshold": threshold, "num_perm": num_perm, "word_shingle": shingle}}


TEXTDEDUP_PYTHON = PROJECT_ROOT / "bench" / ".venv-textdedup" / "bin" / "python"


def textdedup_pipeline(n: int, seed: int, threshold: float = 0.5, num_perm: int = 128, shingle: int = 5,
                       per_day: int | None = None, vocabulary: bool = False) -> dict:
    """text-dedup's MinHash (bench/textdedup_minhash.py, in its own virtualenv:
    `make bench-textdedup-env`) on the same texts and settings as datasketch.
    It clusters near-duplicates (union-find over LSH buckets); a planted copy
    or rewrite counts as found when it lands in its original's cluster."""
    if not TEXTDEDUP_PYTHON.exists():
        raise SystemExit(f"{TEXTDEDUP_PYTHON} is missing: run `make bench-textdedup-env` first")
    ids, docs, truth = corpus_texts(n, seed, per_day, vocabulary)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp) / "corpus.jsonl", Path(tmp) / "out.json"
        corpus.write_text("".join(json.dumps({"id": i, "text": d}) + "\n" for i, d in zip(ids, docs)))
        t0 = time.perf_counter()
        subprocess.run([str(TEXTDEDUP_PYTHON), str(PROJECT_ROOT / "bench" / "textdedup_minhash.py"), str(corpus), str(out),
                        "--threshold", str(threshold), "--num_perm", str(num_perm), "--ngram", str(shingle)],
                       check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        result = json.loads(out.read_text())
    cluster = result["cluster"]
    found = {}
    for method, sel in truth[truth["origin_id"].notna()].groupby("method"):
        found[method] = round(sum(cluster.get(d, d) == cluster.get(o, o) for d, o in zip(sel["id"], sel["origin_id"]))
                              / len(sel), 4)
    return {"n_articles": n, "articles_per_day": per_day, "own_vocabulary": vocabulary, "seconds": result["seconds"], "seconds_with_process_start": round(wall, 1),
            "pair_found": found, "n_clustered": sum(1 for k, v in cluster.items() if k != v),
            "settings": {"threshold": threshold, "num_perm": num_perm, "word_shingle": shingle}}


def hand_pipeline(n: int, seed: int, per_day: int | None = None, vocabulary: bool = False) -> dict:
    """The pipeline a user would write: TF-IDF, all-pairs cosine, average-linkage agglomerative."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from newsdag.evaluate import bcubed

    ids, docs, truth = corpus_texts(n, seed, per_day, vocabulary)
    y = truth.set_index("id").loc[list(ids), "story"].to_numpy()
    t0 = time.perf_counter()
    X = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(docs)
    D = 1.0 - cosine_similarity(X)
    np.clip(D, 0, 2, out=D)
    t_sim = time.perf_counter() - t0
    best = None
    for thr in [0.6, 0.8, 0.9]:  # the best threshold on the planted truth: the hand pipeline's best case
        t1 = time.perf_counter()
        lab = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                      distance_threshold=thr).fit_predict(D)
        t_fit = time.perf_counter() - t1
        f1 = bcubed(lab, y)[2]
        if best is None or f1 > best["story_bcubed_f1"]:
            best = {"distance_threshold": thr, "story_bcubed_f1": round(f1, 4),
                    "seconds_clustering": round(t_sim + t_fit, 1)}
    return {"n_articles": n, "articles_per_day": per_day, "own_vocabulary": vocabulary, **best,
            "peak_rss_mib": round(peak_rss_mib())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000], help="sizes for the asset graph (none: baselines only)")
    parser.add_argument("--hand", type=int, nargs="*", default=[], help="sizes for the hand-written pipeline")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minhash", type=int, nargs="*", default=[], help="sizes for datasketch MinHash LSH")
    parser.add_argument("--compute", nargs="+", default=["local"], choices=["local", "spark"],
                        help="backends to run each size on (spark: NEWSDAG_SPARK_MASTER, default local[*])")
    parser.add_argument("--textdedup", type=int, nargs="*", default=[],
                        help="sizes for text-dedup's MinHash (needs `make bench-textdedup-env`)")
    parser.add_argument("--corpus", type=Path, help="a corpus bench/generate_corpus.py already wrote for the one size and seed given")
    parser.add_argument("--chains", type=float, default=0.0,
                        help="the generator's chance of a copy of a copy (bench/generate_corpus.py --chains; default 0)")
    parser.add_argument("--per-day", type=int, nargs="*", default=[],
                        help="articles a day to run each size at (default: the generator's, about 1,500)")
    parser.add_argument("--own-vocabulary", action="store_true", help="the generator's --own-vocabulary")
    parser.add_argument("--workers", type=int, nargs="*", default=[],
                        help="NEWSDAG_WORKERS to run each size with (default: the environment's, else every core)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--textdedup-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--hand-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--minhash-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    per_day = args.per_day[0] if args.per_day else None  # a --*-one run is given one density
    if args.minhash_one:
        print(json.dumps(minhash_pipeline(args.minhash_one, args.seed, per_day=per_day, vocabulary=args.own_vocabulary)))
        return
    if args.one:
        print(json.dumps(one_run(args.one, args.seed, args.compute[0], args.corpus, args.chains, per_day, args.own_vocabulary)))
        return
    if args.textdedup_one:
        print(json.dumps(textdedup_pipeline(args.textdedup_one, args.seed, per_day=per_day, vocabulary=args.own_vocabulary)))
        return
    if args.hand_one:
        print(json.dumps(hand_pipeline(args.hand_one, args.seed, per_day, args.own_vocabulary)))
        return
    runs = []
    if args.per_day and args.corpus:
        sys.exit("--per-day generates each corpus; it cannot be given --corpus")
    for n in args.sizes:
        for compute in args.compute:
            for per_day in args.per_day or [None]:
                for workers in args.workers or [None]:
                    env = {**os.environ, **({"NEWSDAG_WORKERS": str(workers)} if workers else {})}
                    out = subprocess.run([sys.executable, __file__, "--one", str(n), "--seed", str(args.seed),
                                          "--compute", compute, "--chains", str(args.chains)]
                                         + (["--corpus", str(args.corpus)] if args.corpus else [])
                                         + generator_flags(per_day, args.own_vocabulary),
                                         cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
                    if out.returncode != 0:
                        sys.exit(out.stderr[-3000:])
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                    print(json.dumps(runs[-1]), flush=True)

    def baseline(flag: str, n: int, per_day: int | None) -> dict:
        # Each in a fresh process, so that its peak memory is its own; a failure is recorded, not fatal.
        out = subprocess.run([sys.executable, __file__, flag, str(n), "--seed", str(args.seed)]
                             + generator_flags(per_day, args.own_vocabulary),
                             cwd=PROJECT_ROOT, capture_output=True, text=True)
        result = (json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0
                  else {"n_articles": n, "articles_per_day": per_day, "failed": out.stderr[-500:]})
        print(json.dumps(result), flush=True)
        return result

    densities = args.per_day or [None]
    hand = [baseline("--hand-one", n, d) for n in args.hand for d in densities]
    minhash = [baseline("--minhash-one", n, d) for n in args.minhash for d in densities]
    textdedup = [baseline("--textdedup-one", n, d) for n in args.textdedup for d in densities]
    env = [f"{k}={os.environ[k]}" for k in ("NEWSDAG_SPARK_MASTER", "NEWSDAG_SPARK_REMOTE", "NEWSDAG_SPARK_DRIVER_MEMORY",
                                            "NEWSDAG_WORKERS") if k in os.environ]
    payload = {"command": " ".join(env + ["bench/run_bench.py"] + sys.argv[1:]), "machine": machine(), "commit": git_commit(),
               "runs": runs, "growth_against_articles_per_day": growth_against_density(runs), "hand_written": hand, "minhash": minhash, "textdedup": textdedup}
    name = "bench_" + "_".join([str(n) for n in args.sizes] + (args.compute if args.compute != ["local"] else [])
                               + ([f"chains{args.chains:g}"] if args.chains else [])
                               + ([f"perday{'-'.join(map(str, args.per_day))}"] if args.per_day else [])
                               + (["ownvocab"] if args.own_vocabulary else [])
                               + ([f"workers{'-'.join(map(str, args.workers))}"] if args.workers else [])
                               + ([f"textdedup_{n}" for n in args.textdedup] if not args.sizes else []))
    print(f"wrote {save_results(name, payload)}")


if __name__ == "__main__":
    main()
