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
SAMPLES_DIR = PROJECT_ROOT / "data" / "raw"
SAMPLE_ORIGINAL = "000_d65d34d2b4cb9f75.txt"
SAMPLE_REWRITE = "001_91ce0b1b10050e19.txt"
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


def write(root: Path, rel: str, content: str | bytes) -> Path:
    """Write a file under ``root`` (creating folders) and return its path."""
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


def jsonl(records: list) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data; a test that needs it fails loudly when it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared datasets not found at {SHARED_DATA}: these tests need them (see DEVELOPERS.md)")
    return SHARED_DATA
