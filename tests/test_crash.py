"""Crash consistency and determinism of whole runs, in fresh processes."""

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pyarrow.parquet as pq
import pytest

from newsdag.schemas import TABLES
from newsdag.storage import PART_FILE, read_kv_metadata
from tests.conftest import DEMO_DIR, SAMPLE_ORIGINAL, SAMPLE_REWRITE
from tests.hostile import make_hostile_corpus

NEWSDAG = os.path.join(os.path.dirname(sys.executable), "newsdag")


def run_cli(raw, wh, home, extra_env=None, wait=True):
    env = {**os.environ, "DAGSTER_HOME": str(home), **(extra_env or {})}
    cmd = [NEWSDAG, "materialize", "--raw", str(raw), "--warehouse", str(wh)]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def versions(wh) -> dict:
    """{file relative to the warehouse: data version}, for every table file."""
    return {f.relative_to(wh).as_posix(): read_kv_metadata(f)["data_version"] for f in sorted(wh.rglob(PART_FILE))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    raw = tmp_path_factory.mktemp("crash") / "raw"
    make_hostile_corpus(raw, tiny_files=200, huge_line_mb=0)
    for rel in (SAMPLE_ORIGINAL, SAMPLE_REWRITE):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_bytes((DEMO_DIR / rel).read_bytes())
    return raw


@pytest.mark.e2e
def test_runs_are_deterministic_across_processes_and_hash_seeds(corpus, tmp_path):
    run_cli(corpus, tmp_path / "a", tmp_path / "home_a", {"PYTHONHASHSEED": "1"})
    run_cli(corpus, tmp_path / "b", tmp_path / "home_b", {"PYTHONHASHSEED": "2"})
    a, b = versions(tmp_path / "a"), versions(tmp_path / "b")
    assert a == b
    # Run metadata aside, the files hold the same rows and the same ids.
    assert {f.split("/")[0] for f in a} == set(TABLES)
    for f in a:
        assert pq.read_table(tmp_path / "a" / f).equals(pq.read_table(tmp_path / "b" / f)), f


def unreadable_files(wh) -> list[str]:
    bad = []
    for p in wh.rglob("*.parquet"):
        if p.name.startswith("."):
            continue  # in-flight temporary files are hidden from readers
        try:
            pq.read_table(p)
        except FileNotFoundError:
            continue  # replaced between listing and reading: fine
        except Exception as e:  # noqa: BLE001 - any failure to read is the defect we look for
            bad.append(f"{p}: {e}")
    return bad


@pytest.mark.e2e
def test_sigkill_at_random_moments_never_leaves_a_broken_table(corpus, tmp_path):
    reference = tmp_path / "reference"
    t0 = time.monotonic()
    run_cli(corpus, reference, tmp_path / "home_ref")
    full_run = time.monotonic() - t0
    expected = versions(reference)

    wh = tmp_path / "wh"
    problems: list[str] = []
    stop = threading.Event()

    def watch():  # a reader polling the warehouse the whole time
        while not stop.is_set():
            if wh.exists():
                problems.extend(unreadable_files(wh))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    rng = random.Random(20)
    # A run's length varies (the reference run pays for cold caches), so a run
    # that ends before its kill shortens the window the next kill is drawn from,
    # and trials go on until 20 runs were killed mid-way.
    window = full_run * 0.9
    kills = trials = 0
    while kills < 20 and trials < 40:
        trials += 1
        started = time.monotonic()
        proc = run_cli(corpus, wh, tmp_path / "home", wait=False)
        time.sleep(rng.uniform(0.2, window))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        else:
            window = max(0.3, min(window, (time.monotonic() - started) * 0.8))
        proc.wait()
        problems.extend(unreadable_files(wh))
    stop.set()
    watcher.join()
    assert problems == []
    assert kills == 20, f"only {kills} of {trials} runs were killed mid-way"
    # Run again, uninterrupted: the same outputs as a run that never crashed.
    run_cli(corpus, wh, tmp_path / "home")
    assert versions(wh) == expected
    assert problems == [] and unreadable_files(wh) == []
