"""The language of an article's text.

py3langid (a maintained fork of langid.py whose model ships inside the
wheel, so nothing is downloaded at run time) classifies the first
``DETECT_CHARS`` characters among 97 languages. A text with fewer than
``MIN_LETTERS`` letters is ``und`` (undetermined): a caption or a list of
numbers says too little to tell.
"""

from __future__ import annotations

DETECT_CHARS = 1000
MIN_LETTERS = 20
UNDETERMINED = "und"


def detect_language(text: str) -> str:
    """The ISO 639-1 code (``en``, ``de``, ``zh``, ...) of ``text``'s language,
    judged on its first ``DETECT_CHARS`` characters, or ``und`` when those
    hold fewer than ``MIN_LETTERS`` letters. Deterministic: the same text
    gives the same code in every process."""
    import py3langid  # its model loads on first use, once per process

    head = text[:DETECT_CHARS]
    if sum(ch.isalpha() for ch in head) < MIN_LETTERS:
        return UNDETERMINED
    return py3langid.classify(head)[0]
