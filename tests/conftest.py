import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples, so that a red
# build is reproducible; on a developer's machine they explore afresh each run.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = PROJECT_ROOT / "data" / "raw"
# The two samples, each in its outlet's folder of the bundled raw folder.
SAMPLE_ORIGINAL = "world-desk/000_d65d34d2b4cb9f75.txt"
SAMPLE_REWRITE = "rewrite-farm/001_91ce0b1b10050e19.txt"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_dagster_home(tmp_path_factory, monkeypatch):
    # Tests never write into the project's own Dagster home or warehouse.
    home = tmp_path_factory.getbasetemp() / "dagster_home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("NEWSDAG_RAW_DIR", raising=False)
    monkeypatch.delenv("NEWSDAG_WAREHOUSE_DIR", raising=False)


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    return d


# Files written by tests carry this modification time (2025-01-05 12:00 UTC),
# so that undated articles fall on a day near the dated ones and a run's range
# of days stays short and the same on every day the suite runs.
FIXED_MTIME = 1736078400


def write(root: Path, rel: str, content: str | bytes, mtime: float | None = FIXED_MTIME) -> Path:
    """Write a file under ``root`` (creating folders) and return its path."""
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    if mtime is not None:
        os.utime(p, (mtime, mtime))
    return p


def materialize_all(raw_dir: Path, warehouse: Path, instance=None, selection=None, run_config=None, compute=None):
    """Every asset (or the ``selection``, a list of names) over every day found
    in ``raw_dir``, as `newsdag materialize` runs them, on an ephemeral Dagster
    instance unless one is given. Returns the last run's result."""
    from dagster import DagsterInstance

    from assets.run import materialize_assets

    summary = materialize_assets(raw_dir, warehouse, ",".join(selection) if selection else None,
                                 instance=instance or DagsterInstance.ephemeral(), run_config=run_config,
                                 compute=compute)
    return summary.results[-1]


@pytest.fixture
def samples_raw(tmp_path) -> Path:
    """A raw folder of the two samples alone, in their outlet folders, carrying
    FIXED_MTIME (the undated sample falls on 2025-01-05)."""
    d = tmp_path / "samples"
    for rel in (SAMPLE_ORIGINAL, SAMPLE_REWRITE):
        write(d, rel, (DEMO_DIR / rel).read_bytes())
    return d


@pytest.fixture
def demo_raw(tmp_path) -> Path:
    """A copy of the bundled raw folder (data/raw), its files carrying FIXED_MTIME."""
    d = tmp_path / "demo"
    for f in sorted(DEMO_DIR.rglob("*")):
        if f.is_file():
            write(d, f.relative_to(DEMO_DIR).as_posix(), f.read_bytes())
    return d


def jsonl(records: list) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data. Missing, a test that needs it fails loudly in CI
    (``CI`` set), where the data is always there, and is skipped elsewhere:
    a user's clone has no shared/ beside it."""
    if not SHARED_DATA.is_dir():
        message = f"needs the evaluation datasets at {SHARED_DATA}, which are not there"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must have them)")
        pytest.skip(message)
    return SHARED_DATA
