"""The language of an article's text.

py3langid (a maintained fork of langid.py whose model ships inside the
wheel, so nothing is downloaded at run time) classifies the first
``DETECT_CHARS`` characters among 97 languages. A text with fewer than
``MIN_LETTERS`` letters is ``und`` (undetermined): a headline says too
little to tell. On 20,000 English UCI headlines py3langid named another
language for one in ten (8% at 40-60 letters, 6% at 60-80), and the
analysis and the story boundary both follow the language
(newsdag.analysis, newsdag.stories.within_language), so a wrong call costs
more than an ``und``, which is analysed as English and may join a story in
any language (``bench/eval_stories.py semeval``, bench/RESULTS.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DETECT_CHARS = 1000
MIN_LETTERS = 100
UNDETERMINED = "und"


def detect_language(text: str) -> str:
    """The ISO 639-1 code (``en``, ``de``, ``zh``, ...) of ``text``'s language,
    judged on its first ``DETECT_CHARS`` characters, or ``und`` when those
    hold fewer than ``MIN_LETTERS`` letters. Deterministic: the same text
    gives the same code in every process."""
    import py3langid  # its model loads on first use, once per process

    head = text[:DETECT_CHARS]
    if not has_letters(head, MIN_LETTERS):
        return UNDETERMINED
    return py3langid.classify(head)[0]


def has_letters(text: str, n: int) -> bool:
    """Whether ``text`` holds at least ``n`` letters (``str.isalpha``). The
    first ``2 n`` characters usually do; the rest is counted only when they
    do not (counting every character of every article took a third of
    language detection)."""
    return sum(map(str.isalpha, text[: 2 * n])) >= n or sum(map(str.isalpha, text)) >= n


def article_languages(articles: pd.DataFrame) -> np.ndarray:
    """Each article's ``language`` as an object array (``und`` where the
    column is missing or empty), shape (n,)."""
    if "language" not in articles.columns:
        return np.full(len(articles), UNDETERMINED, dtype=object)
    return articles["language"].fillna(UNDETERMINED).replace("", UNDETERMINED).to_numpy(dtype=object)
