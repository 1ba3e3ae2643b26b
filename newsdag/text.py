"""Text repair and sentence splitting.

All offsets elsewhere in newsdag index into the string returned by
:func:`normalise_text`, so it is the one place where text is changed.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata

import blingfire
import ftfy
import numpy as np

PARAGRAPH_SEPARATOR = "\n\n"

# C0/C1 control characters other than tab and newline: scraping debris that
# breaks terminals and Parquet viewers alike.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]")
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,;:!?]|\.(?!\.))(?=\s|$)")
# "war.The" -> "war. The": a sentence glued to the next by a scraper. Two lower
# case letters before the stop keep "U.S." and "e.g." intact.
_GLUED_SENTENCE = re.compile(r"(?<=[a-z][a-z][.!?])(?=[A-Z][a-z])")
_STOP_BEFORE_CAPITAL = re.compile(r"[.!?][A-Z]")
# "had a'lengthy call'" -> "had a 'lengthy call'": an opening single quote glued
# to the word before it. Only after punctuation or an all-lower-case word, and
# never before a contraction or possessive ("Ukraine's", "don't", "O'Brien").
_GLUED_SINGLE_QUOTE = re.compile(
    r"(?:(?<=[.,;:!?])|(?<=\b[a-z])|(?<=[a-z][a-z]))"
    r"(?<![A-Z][a-z])(?<![A-Z][a-z][a-z])"
    r"'(?=[A-Za-z])(?!(?:s|t|re|ve|ll|d|m|am|all)\b)"
)
_CONTRACTION_BEFORE = re.compile(r"\b[A-Z][a-z]*$")


def _fix_single_quotes(paragraph: str) -> str:
    out = []
    last = 0
    # The pattern starts at a quote: trying it only there is finditer's result
    # without scanning every position.
    start = paragraph.find("'")
    while start != -1:
        # The word before must be entirely lower case ("was'common"), so that
        # names such as "Qur'an" or "Hawai'i" are left alone.
        if _GLUED_SINGLE_QUOTE.match(paragraph, start) and not _CONTRACTION_BEFORE.search(paragraph, 0, start):
            out.append(paragraph[last:start])
            out.append(" ")
            last = start
        start = paragraph.find("'", start + 1)
    out.append(paragraph[last:])
    return "".join(out)


def _fix_double_quotes(paragraph: str) -> str:
    # Straight double quotes alternate open/close within a paragraph; a glued
    # opening quote gets a space before it, a glued closing one a space after.
    if paragraph.count('"') < 2:
        return paragraph
    out = []
    last = 0
    n = len(paragraph)
    i = paragraph.find('"')
    opening = True
    while i != -1:
        if opening:
            if i > 0 and not paragraph[i - 1].isspace() and paragraph[i - 1] not in "([{" \
                    and i + 1 < n and paragraph[i + 1].isalnum():
                out.append(paragraph[last:i])
                out.append(" ")
                last = i
        elif i + 1 < n and paragraph[i + 1].isalpha():
            out.append(paragraph[last : i + 1])
            out.append(" ")
            last = i + 1
        opening = not opening
        i = paragraph.find('"', i + 1)
    out.append(paragraph[last:])
    return "".join(out)


def normalise_paragraphs(raw: str) -> list[str]:
    """Repair scraping artefacts and split ``raw`` into paragraphs.

    Unicode is repaired with ftfy (mojibake, curly quotes to straight, NFC),
    control characters are dropped, white space within a paragraph collapses to
    one space, and glued quotes and sentences are separated. Contractions and
    possessives are kept. Returns the non-empty paragraphs, in order.
    """
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in _BLANK_LINES.split(raw):
        # White space collapses to one space: " ".join(split()) is re.sub(r"\s+", " ").strip(),
        # both split on str.isspace, and is several times faster.
        p = " ".join(_CONTROL.sub("", block).split())
        if not p.isascii():
            # ftfy runs on the collapsed paragraph, so that running the whole
            # normalisation again finds nothing left to repair (idempotent).
            p = unicodedata.normalize("NFC", ftfy.fix_text(p))
            p = " ".join(_CONTROL.sub("", p).split())
        if not p:
            continue
        p = _fix_single_quotes(p)
        p = _fix_double_quotes(p)
        if _STOP_BEFORE_CAPITAL.search(p):  # the lookbehind scan is slow; most paragraphs need none
            p = _GLUED_SENTENCE.sub(" ", p)
        p = _SPACE_BEFORE_PUNCT.sub(r"\1", p)
        paragraphs.append(p)
    return paragraphs


def normalise_text(raw: str) -> str:
    """The normalised text of ``raw``: its paragraphs joined by a blank line."""
    return PARAGRAPH_SEPARATOR.join(normalise_paragraphs(raw))


def _sentence_offsets(paragraph: str) -> list[tuple[int, int]]:
    """blingfire's sentence offsets (``text_to_sentences_and_offsets``) of one paragraph.

    blingfire's Python wrapper maps UTF-8 byte offsets to character offsets
    in a Python loop over every byte: it took three quarters of the sentence
    step. For ASCII text the two offsets are the same, so its C function is
    called directly and an end offset is the inclusive end byte plus one,
    which is what the wrapper returns there; other text goes through the
    wrapper unchanged.
    """
    if not paragraph.isascii():
        return blingfire.text_to_sentences_and_offsets(paragraph)[1]
    data = paragraph.encode("ascii")
    size = len(data) * 2
    out = ctypes.create_string_buffer(size)
    starts, ends = (ctypes.c_int32 * size)(), (ctypes.c_int32 * size)()
    n = blingfire.blingfire.TextToSentencesWithOffsets(
        ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(out), ctypes.byref(starts), ctypes.byref(ends),
        ctypes.c_int(size))
    if n == -1 or n > size:
        return []
    count = out.value.count(b"\n") + 1
    return list(zip(starts[:count], [e + 1 for e in ends[:count]]))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries of a normalised ``text`` as ``(char_start, char_end)``.

    Splits within each paragraph with blingfire's sentence model (handles
    abbreviations such as "U.S.", initials and quotes; the model ships inside
    the wheel). Spans never cross a paragraph break, never start or end with
    white space, and ``text[char_start:char_end]`` is the sentence.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split(PARAGRAPH_SEPARATOR):
        if paragraph.strip():
            offsets = _sentence_offsets(paragraph)
            for a, b in offsets:
                piece = paragraph[a:b]
                stripped_left = len(piece) - len(piece.lstrip())
                stripped_right = len(piece) - len(piece.rstrip())
                a, b = a + stripped_left, b - stripped_right
                if b <= a:
                    continue
                if spans and spans[-1][0] >= offset and paragraph[a].islower():
                    # '"Is it over?" he asked.' is one sentence: a piece that
                    # starts in lower case continues the one before it.
                    spans[-1] = (spans[-1][0], offset + b)
                else:
                    spans.append((offset + a, offset + b))
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return spans


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (empty string for empty text)."""
    spans = sentence_spans(text)
    return text[spans[0][0] : spans[0][1]] if spans else ""


# A word: letters and digits, with inner apostrophes kept ("Trump's", "don't").
WORD = re.compile(r"\w+(?:['’]\w+)*")


def count_words(text: str) -> int:
    """Number of word tokens (letters and digits, inner apostrophes kept)."""
    return len(WORD.findall(text))


def word_spans(text: str) -> np.ndarray:
    """Word tokens of ``text`` as an ``(n, 2)`` int64 array of char offsets."""
    return np.array([m.span() for m in WORD.finditer(text)], dtype=np.int64).reshape(-1, 2)
