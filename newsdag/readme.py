"""Regenerate the README's data dictionary from newsdag.schemas: ``python -m newsdag.readme``."""

from __future__ import annotations

from newsdag.config import PROJECT_ROOT
from newsdag.schemas import data_dictionary_markdown

START, END = "<!-- data-dictionary:start -->", "<!-- data-dictionary:end -->"


def update_readme(path=PROJECT_ROOT / "README.md") -> bool:
    """Rewrite the block between the markers; returns whether it changed."""
    text = path.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{data_dictionary_markdown().strip()}\n{END}{tail}"
    if new != text:
        path.write_text(new)
    return new != text


if __name__ == "__main__":
    print("README updated" if update_readme() else "README already current")
