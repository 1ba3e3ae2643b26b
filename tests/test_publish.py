"""A run is published as a unit (newsdag.storage.warehouse_transaction), and
Dagster's records agree with what was published (assets.publish)."""

import contextlib
import os
import sqlite3
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from newsdag.storage import (
    current_version, read_table, recover_versions, staged_dir, versions_dir, warehouse_transaction, write_table,
)

TABLE = "story_clusters"


def _clusters(n: int) -> pd.DataFrame:
    return pd.DataFrame({"article_id": [f"a{i}" for i in range(n)], "story_id": ["s"] * n, "similarity": [1.0] * n})


def _write(warehouse, n: int):
    """``n`` rows of a small table, written where this process writes ``warehouse``."""
    write_table(_clusters(n), staged_dir(warehouse), TABLE)


def _rows(warehouse) -> int:
    return len(read_table(warehouse, TABLE))


def test_a_transaction_publishes_at_its_end_and_readers_see_the_old_version_until_then(tmp_path):
    wh = tmp_path / "warehouse"
    with warehouse_transaction(wh, "first"):
        _write(wh, 1)
        assert not wh.exists()  # nothing published yet
    assert wh.is_symlink() and _rows(wh) == 1
    with warehouse_transaction(wh, "second") as staging:
        _write(wh, 2)
        assert _rows(wh) == 1 and _rows(staging.directory) == 2
    assert _rows(wh) == 2
    with warehouse_transaction(wh, "third"):
        _write(wh, 3)
    # The current version and the one before it (for readers that listed it just before the swap).
    assert sorted(p.name for p in versions_dir(wh).iterdir()) == [".newsdag.lock", "000002", "000003"]
    assert current_version(wh).name == "000003"


@pytest.mark.parametrize("how", ["raises", "fail"])
def test_a_failed_transaction_publishes_nothing_and_leaves_no_staging(tmp_path, how):
    wh = tmp_path / "warehouse"
    with warehouse_transaction(wh, "first"):
        _write(wh, 1)
    before = os.readlink(wh)
    with pytest.raises(RuntimeError) if how == "raises" else contextlib.nullcontext():
        with warehouse_transaction(wh, "second") as staging:
            _write(wh, 2)
            if how == "raises":
                raise RuntimeError("the run failed")
            staging.fail()
    assert os.readlink(wh) == before and _rows(wh) == 1
    assert sorted(p.name for p in versions_dir(wh).iterdir()) == [".newsdag.lock", "000001"]


def test_an_inner_transaction_shares_the_outer_staging_and_its_failure_fails_the_whole(tmp_path):
    wh = tmp_path / "warehouse"
    with warehouse_transaction(wh, "outer") as outer:
        with warehouse_transaction(wh, "inner") as inner:
            assert inner is outer and inner.depth == 1
            _write(wh, 1)
        assert not wh.exists()  # the outer block publishes
    assert _rows(wh) == 1
    with pytest.raises(ValueError):
        with warehouse_transaction(wh, "outer"):
            _write(wh, 5)
            with warehouse_transaction(wh, "inner"):
                raise ValueError("inner run failed")
    assert _rows(wh) == 1


def test_a_plain_warehouse_folder_becomes_the_first_version(tmp_path):
    wh = tmp_path / "warehouse"
    write_table(_clusters(4), wh, TABLE)
    (wh / TABLE / ".part-0.parquet.dead.tmp").write_bytes(b"left by a crash")
    with warehouse_transaction(wh, "run"):
        assert _rows(wh) == 4  # read through the link, already
        _write(wh, 2)
    assert _rows(wh) == 2 and current_version(wh).name == "000002"
    # The copy leaves out a killed writer's hidden temporary files.
    assert [p.name for p in (wh / TABLE).iterdir()] == ["part-0.parquet"]


def test_a_writer_never_changes_the_published_files_it_started_from(tmp_path):
    wh = tmp_path / "warehouse"
    with warehouse_transaction(wh, "first"):
        _write(wh, 1)
    published = (wh / TABLE / "part-0.parquet").read_bytes()
    with warehouse_transaction(wh, "second") as staging:
        _write(wh, 7)  # replaces the hard-linked file by a new one
        assert (wh / TABLE / "part-0.parquet").read_bytes() == published
        staging.fail()
    assert (wh / TABLE / "part-0.parquet").read_bytes() == published


KILL = textwrap.dedent("""
    import os, signal, sys
    import newsdag.storage as storage
    from tests.test_publish import _write
    wh, where = sys.argv[1], sys.argv[2]
    original = storage._swap_link
    def swap(warehouse, version):
        if where == "after":
            original(warehouse, version)
        os.kill(os.getpid(), signal.SIGKILL)
    if where == "staging":
        with storage.warehouse_transaction(wh, "killed"):
            _write(wh, 9)
            os.kill(os.getpid(), signal.SIGKILL)
    storage._swap_link = swap
    with storage.warehouse_transaction(wh, "killed"):
        _write(wh, 9)
""")


@pytest.mark.parametrize("where, published", [("staging", 1), ("before", 1), ("after", 9)])
def test_a_run_killed_while_publishing_leaves_one_whole_version(tmp_path, where, published):
    """SIGKILL while writing, after the new version is named but before the
    link is swapped, and just after the swap: readers see the old version or
    the new one, and the next transaction cleans up what the killed one left."""
    from tests.conftest import PROJECT_ROOT

    wh = tmp_path / "warehouse"
    with warehouse_transaction(wh, "first"):
        _write(wh, 1)
    proc = subprocess.run([sys.executable, "-c", KILL, str(wh), where], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    assert _rows(wh) == published
    recover_versions(wh)
    names = sorted(p.name for p in versions_dir(wh).iterdir())
    assert names == ([".newsdag.lock", "000001"] if published == 1 else [".newsdag.lock", "000001", "000002"])
    assert not list(tmp_path.glob(".warehouse.link-*"))
    with warehouse_transaction(wh, "next"):
        _write(wh, 3)
    assert _rows(wh) == 3


def _files(warehouse) -> dict:
    """{file under the warehouse: its bytes}: the whole published state."""
    return {p.relative_to(warehouse).as_posix(): p.read_bytes() for p in sorted(warehouse.rglob("*")) if p.is_file()}


def test_a_run_whose_step_fails_publishes_nothing_and_dagster_says_what_was_not_published(demo_raw, tmp_path,
                                                                                         monkeypatch):
    from dagster import AssetKey, DagsterInstance

    import assets.overlap
    from assets.publish import UNPUBLISHED_KEY
    from assets.run import materialize_assets
    from tests.conftest import write

    wh = tmp_path / "warehouse"
    instance = DagsterInstance.ephemeral()
    assert materialize_assets(demo_raw, wh, instance=instance).success
    before = _files(wh)
    # New input, so that the failing run rewrites the ingest tables and
    # stories before the overlap step fails.
    write(demo_raw, "northwire/late.txt", "Title: Late news\nPublished: 2025-03-12\n\n" + "A late story. " * 40)

    def broken(*args, **kwargs):
        raise RuntimeError("the overlap step broke")

    for name in ("compute_overlap", "compute_overlap_incremental"):
        monkeypatch.setattr(assets.overlap, name, broken)
    summary = materialize_assets(demo_raw, wh, instance=instance)
    assert not summary.success and summary.published is None
    assert any("the overlap step broke" in f for f in summary.failures)
    assert _files(wh) == before  # byte for byte, the version before the run
    assert not list(wh.parent.glob("warehouse.versions/.staging-*"))
    # Dagster's latest materialisation of what the failed run wrote says it was not published.
    for asset in ("raw_files", "story_clusters"):
        latest = instance.get_latest_materialization_event(AssetKey(asset)).asset_materialization
        assert latest.metadata[UNPUBLISHED_KEY].value in summary.run_ids, asset
    # The next run, with the step mended, publishes the new article.
    monkeypatch.undo()
    assert materialize_assets(demo_raw, wh, instance=instance).success
    assert any("Late news" in title for title in pd.read_parquet(wh / "articles")["title"])


# ------------------------------------------------------------------ full disks, killed runs (fresh processes)

NEWSDAG = os.path.join(os.path.dirname(sys.executable), "newsdag")


def _cli(raw, wh, home, wait=True):
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    cmd = [NEWSDAG, "materialize", "--raw", str(raw), "--warehouse", str(wh)]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs: ``tmpfs(megabytes)`` returns its folder. Skips
    where mounting is not permitted (not root, or no tmpfs)."""
    mounted = []

    def mount(megabytes: float):
        point = tmp_path / f"tmpfs{len(mounted)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(megabytes * 1024)}k", "tmpfs", str(point)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here to fill a disk: {proc.stderr.strip() or 'mount failed'}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(folder, leave_bytes: int):
    """Fill ``folder``'s file system until ``leave_bytes`` remain free."""
    import shutil

    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_bytes))


def _many_articles(raw, n: int, seed: int = 1):
    """``n`` articles of random words (they compress poorly), in one JSON Lines file."""
    import json
    import random

    rng = random.Random(seed)
    words = [f"w{rng.randrange(10**6):06d}" for _ in range(5000)]
    (raw / "bulk").mkdir()
    with open(raw / "bulk" / "bulk.jsonl", "w") as fh:
        for i in range(n):
            text = ". ".join(" ".join(rng.choices(words, k=12)) for _ in range(10)) + "."
            fh.write(json.dumps({"id": f"bulk-{i}", "title": f"Bulk {i}", "text": text,
                                 "published": "2025-03-12T10:00:00Z"}) + "\n")


def _runs(home, status=None):
    from dagster import DagsterInstance, RunsFilter

    if not (home / "history" / "runs.db").exists():
        return []
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(RunsFilter(statuses=[status]) if status else None)
        return [(r.run_id, r.status) for r in runs]


@pytest.mark.e2e
def test_a_full_disk_fails_the_run_cleanly_and_leaves_the_warehouse_as_it_was(demo_raw, tmp_path, tmpfs):
    from dagster import DagsterRunStatus

    disk = tmpfs(6)
    wh, home = disk / "warehouse", tmp_path / "home"
    assert _cli(demo_raw, wh, home).returncode == 0
    before = _files(wh)
    _many_articles(demo_raw, 3000)
    # Room for the check before the run (the cross-day tables and a margin), not for the run.
    _fill(disk, (1 << 20) + 400_000)
    proc = _cli(demo_raw, wh, home)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "No space left on device" in proc.stdout or "no space left" in proc.stderr.lower(), proc.stdout[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert _files(wh) == before
    assert [p.name for p in (disk / "warehouse.versions").iterdir() if p.name.startswith(".staging")] == []
    assert _runs(home, DagsterRunStatus.STARTED) == []
    # Too little room even to begin: one line, and no run is recorded.
    n_runs = len(_runs(home))
    (disk / "filler").unlink()
    _fill(disk, 200_000)
    proc = _cli(demo_raw, wh, home)
    assert proc.returncode == 1 and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert proc.stderr.startswith("newsdag: no space left:") and "needs at least" in proc.stderr
    assert len(_runs(home)) == n_runs and _files(wh) == before
    # With room again, the same command succeeds.
    (disk / "filler").unlink()
    assert _cli(demo_raw, wh, home).returncode == 0
    assert len(pd.read_parquet(wh / "articles")) > 3000


@pytest.mark.e2e
def test_a_full_dagster_home_fails_in_one_line_before_any_run(demo_raw, tmp_path, tmpfs):
    home = tmpfs(8)  # under the 16 MB the event log is given
    wh = tmp_path / "warehouse"
    proc = _cli(demo_raw, wh, home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "the Dagster home" in proc.stderr, proc.stderr
    assert not wh.exists()


@pytest.mark.e2e
def test_a_killed_cli_run_is_marked_failed_by_the_next_call(demo_raw, tmp_path):
    import time

    from dagster import DagsterRunStatus

    wh, home = tmp_path / "warehouse", tmp_path / "home"
    errors = []

    def started():
        # Read the run storage read-only, never through a DagsterInstance: an
        # instance opened while the CLI is creating the tables stamps the schema
        # version too, and the home then has two alembic heads for good.
        db = home / "history" / "runs.db"
        if not db.exists():
            return []
        try:
            with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=1)) as con:
                return con.execute("SELECT run_id, status FROM runs WHERE status = 'STARTED'").fetchall()
        except sqlite3.Error as error:  # the CLI may be creating the tables this moment
            errors.append(repr(error))
            return []

    proc = _cli(demo_raw, wh, home, wait=False)
    # Wait on the run record, not on a clock: on a loaded machine the CLI can
    # take minutes to import Dagster and launch. Give up only if the process
    # ends without a started run, or after the ten minutes _cli gives a
    # blocking run.
    deadline = time.monotonic() + 600
    killed = started()
    while not killed and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        killed = started()
    if not killed and proc.poll() is None:
        os.killpg(proc.pid, 9)
    assert killed, f"the run never started (CLI exit code {proc.poll()}; last errors: {errors[-3:]})"
    os.killpg(proc.pid, 9)
    proc.wait()
    assert not wh.exists()  # nothing was published
    assert _cli(demo_raw, wh, home).returncode == 0
    statuses = dict(_runs(home))
    assert statuses[killed[0][0]] == DagsterRunStatus.FAILURE
    assert _runs(home, DagsterRunStatus.STARTED) == []
