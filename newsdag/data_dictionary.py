"""Regenerate docs/data-dictionary.md from newsdag.schemas: ``python -m newsdag.data_dictionary``.

A test (tests/test_readme.py) fails when the file is not current.
"""

from __future__ import annotations

from pathlib import Path

from newsdag.config import PROJECT_ROOT
from newsdag.schemas import data_dictionary_markdown

PATH = PROJECT_ROOT / "docs" / "data-dictionary.md"
HEADER = """# Data dictionary

Every table newsdag writes, its columns, Arrow types and meaning. Generated
from `newsdag/schemas.py` by `.venv/bin/python -m newsdag.data_dictionary`;
a test keeps it current. Column lineage (which upstream columns each column
is computed from) is emitted to Dagster as `dagster/column_lineage`.

"""


def data_dictionary_document() -> str:
    """The whole of docs/data-dictionary.md."""
    return HEADER + data_dictionary_markdown().strip() + "\n"


def write_data_dictionary(path: Path = PATH) -> bool:
    """Rewrite ``path`` when it is not current; returns whether it changed."""
    new = data_dictionary_document()
    if path.exists() and path.read_text() == new:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
    return True


if __name__ == "__main__":
    print(f"{PATH} updated" if write_data_dictionary() else f"{PATH} already current")
