"""Shared helpers for the benchmarks: locating shared data, running the real
asset graph on a raw folder, measuring time and memory, the machine's description."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path


PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"


def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        sys.exit(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, bytes, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1] is the parent's pid
        rss[pid] = int(fields[21]) * page  # resident pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class TreePeakRss:
    """Peak resident memory of this process and all its descendants together
    (Spark's JVM and Python workers), MiB, sampled every ``interval`` s in a
    thread while the ``with`` block runs: ``.mib`` afterwards."""

    def __init__(self, interval: float = 0.5):
        self.interval, self.mib = interval, 0.0
        self.samples: list[tuple[float, float]] = []  # (epoch seconds, MiB)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            mib = _tree_rss_bytes(os.getpid()) / 2**20
            self.samples.append((time.time(), mib))
            self.mib = max(self.mib, mib)

    def peak_within(self, windows: list[tuple[float, float]]) -> float:
        """The highest sample taken inside any of ``windows`` ((start, end) epoch seconds), MiB."""
        inside = [m for t, m in self.samples if any(a <= t <= b for a, b in windows)]
        return max(inside, default=0.0)

    def __enter__(self):
        import threading

        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


STORY_ASSETS = ["raw_files", "articles", "rejected_inputs", "tfidf_vocabulary", "tfidf_features", "story_clusters"]


def materialize_graph(raw_dir: Path, warehouse: Path, selection: list[str] | None = None,
                      config: dict[str, dict] | None = None, from_day: str | None = None,
                      to_day: str | None = None, compute: str | None = None,
                      step_windows: dict | None = None) -> dict:
    """Run the real assets over ``raw_dir`` into ``warehouse`` as `newsdag
    materialize` does (every day found, or ``from_day`` to ``to_day``), on an
    ephemeral Dagster instance: every asset, or those named in ``selection``.
    ``config`` maps an op name (tfidf, story_clusters, overlap) to its run
    config; ``compute`` is the backend (local or spark; default
    ``$NEWSDAG_COMPUTE``). Returns the per-step wall times (s), summed over
    the runs; ``step_windows``, when given, receives each step's (start, end)
    epoch seconds.
    """
    from dagster import DagsterInstance

    from assets.run import materialize_assets

    run_config = {"ops": {op: {"config": c} for op, c in (config or {}).items() if c}}
    with DagsterInstance.ephemeral() as instance:
        summary = materialize_assets(raw_dir, warehouse, ",".join(selection) if selection else None,
                                     instance=instance, run_config=run_config, from_day=from_day, to_day=to_day,
                                     compute=compute)
        assert summary.success, summary.failures
        times: dict[str, float] = {}
        for run_id in summary.run_ids:
            for s in instance.get_run_step_stats(run_id):
                times[s.step_key] = round(times.get(s.step_key, 0.0) + s.end_time - s.start_time, 2)
                if step_windows is not None:
                    step_windows.setdefault(s.step_key, []).append((s.start_time, s.end_time))
    return times


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"


def save_results(name: str, payload: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def run_recorded(script: str, name: str, fn) -> Path:
    """Run ``fn()`` and save its result as bench/results/<name>.json with the
    command line, machine, commit, wall time and peak memory. Returns the path."""
    with Timer() as t:
        result = fn()
    payload = {"command": " ".join([script] + sys.argv[1:]), "machine": machine(), "commit": git_commit(),
               "seconds_total": round(t.seconds, 1), "peak_rss_mib": round(peak_rss_mib()), "result": result}
    return save_results(name, payload)
