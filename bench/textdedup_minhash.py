"""text-dedup's MinHash near-deduplication over a corpus, in text-dedup's own environment.

    bench/.venv-textdedup/bin/python bench/textdedup_minhash.py corpus.jsonl out.json [--threshold 0.5]

text-dedup (ChenghaoMou/text-dedup, 0.4.0 from PyPI) needs Hugging Face
datasets and its own pins, so it gets its own virtualenv (``make
bench-textdedup-env``), never the project's. ``corpus.jsonl`` has one
``{"id", "text"}`` per line. The script saves it as a local dataset, runs
``text_dedup.minhash`` (word 5-grams, 128 permutations, Jaccard 0.5: the
settings datasketch runs with in run_bench.py) and writes ``out.json``:
``seconds`` (text-dedup's own run, loading to saving) and ``cluster`` (each
id's cluster representative; an id found in no cluster is its own).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--num_perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=5)
    args = parser.parse_args()

    from datasets import Dataset
    from text_dedup import minhash

    records = [json.loads(line) for line in Path(args.corpus).read_text().splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        Dataset.from_dict({"id": [r["id"] for r in records], "text": [r["text"] for r in records]}).save_to_disk(f"{tmp}/in")
        argv = ["--path", f"{tmp}/in", "--local", "--output", f"{tmp}/out", "--column", "text", "--idx_column", "id",
                "--cache_dir", f"{tmp}/cache", "--debug", "--num_perm", str(args.num_perm),
                "--threshold", str(args.threshold), "--ngram", str(args.ngram)]
        t0 = time.perf_counter()
        minhash.main.main(argv, standalone_mode=False)
        seconds = time.perf_counter() - t0
        with open(f"{tmp}/out/uf.pkl", "rb") as fh:
            uf = pickle.load(fh)
    cluster = {r["id"]: uf.find(r["id"]) for r in records}
    Path(args.out).write_text(json.dumps({"seconds": round(seconds, 2), "cluster": cluster,
                                          "python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
