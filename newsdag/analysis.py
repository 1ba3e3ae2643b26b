"""How an article's text becomes TF-IDF terms, in the article's own language.

One analyser, :class:`LanguageAnalyzer`, takes a document as a
``(language, text)`` pair (``language`` from ``articles.language``; a bare
string is ``und``) and returns its terms: words, then the n-grams of
consecutive words, after that language's stop words are dropped.

* English and ``und`` (texts too short to tell, such as headlines alone) are
  analysed exactly as scikit-learn's ``TfidfVectorizer(stop_words="english",
  strip_accents="unicode")`` analyses them, so English corpora keep the
  features every English figure in bench/RESULTS.md was measured on.
* Every other language drops its own stop words: the lists of
  ``stopwordsiso`` (the stopwords-iso collection, 57 languages, JSON inside
  the wheel). Without them, the function words of a language that is not
  English are its most frequent terms, and every two articles in it look
  alike: on the SemEval-2022 pairs, different stories in the nine other
  languages were kept apart 20% of the time (bench/RESULTS.md).
* Chinese has no spaces between words: it is segmented by jieba, whose
  dictionary ships in the package. Japanese, which jieba's dictionary does
  not cover, is cut into overlapping character pairs within each run of
  characters, the usual fallback of search engines for unsegmented text.
* Accents and other combining marks are removed (Unicode NFKD) before
  tokenising, as scikit-learn does: an Arabic word written with its short
  vowels then matches the same word without them, and ``\\w`` no longer
  splits a word at a mark. The stop-word lists are compared in the same form.
  Japanese keeps its marks (NFC): without them a voiced kana loses its voicing.
  Scripts whose vowel signs are combining marks (Devanagari, Tamil, Thai, ...)
  lose them as they did before languages were told apart: a known limit, not
  measured for lack of labelled news in them.
* ``stem=True`` reduces words to their Snowball stems (PyStemmer) in the
  languages it has. Off by default: on the SemEval pairs set aside for
  checking it did not help (bench/RESULTS.md).

The analyser holds no fitted state, so a vocabulary stored as a table is all
that is needed to transform new text (newsdag.features.vectorizer_from_vocabulary),
and the Spark backend runs the very same code on its executors.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, strip_accents_unicode

from newsdag.language import UNDETERMINED

# scikit-learn's default token_pattern: words of two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# A run of word characters, for text cut into character pairs.
_RUN = re.compile(r"\w+")
# Languages analysed as English: English itself and texts too short to tell.
_ENGLISH_LIKE = frozenset({"en", UNDETERMINED})

# ISO 639-1 code -> PyStemmer's algorithm name, for the languages it has.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}


@cache
def stop_words(language: str) -> frozenset[str]:
    """The stop words of ``language`` (an ISO 639-1 code), lower-cased and
    without accents, as the analyser compares them. English and ``und``:
    scikit-learn's English list; a language stopwordsiso does not have: none."""
    if language in _ENGLISH_LIKE:
        return frozenset(ENGLISH_STOP_WORDS)
    import stopwordsiso

    if not stopwordsiso.has_lang(language):
        return frozenset()
    return frozenset(strip_accents_unicode(w.lower()) for w in stopwordsiso.stopwords(language))


@cache
def _stemmer(language: str):
    import Stemmer

    return Stemmer.Stemmer(SNOWBALL[language]) if language in SNOWBALL else None


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(60)  # it logs its dictionary loading at INFO on first use
    return jieba


def _chinese_words(text: str) -> list[str]:
    """jieba's words of ``text`` that hold a word character (punctuation and spaces dropped)."""
    return [w for w in _jieba().lcut(text) if _RUN.search(w) and (len(w) > 1 or not w.isascii())]


def _character_pairs(text: str) -> list[str]:
    """Overlapping pairs of characters within each run of word characters (a
    one-character run is kept whole)."""
    out = []
    for run in _RUN.findall(text):
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return out


def words(language: str, text: str, stem: bool = False, drop_stop_words: bool = True) -> list[str]:
    """The words of ``text`` read as ``language``: lower-cased, accents
    removed, tokenised (jieba for ``zh``, character pairs for ``ja``, else
    words of two or more word characters), stop words dropped, and stemmed
    when ``stem``. Returns a list of str in text order."""
    text = unicodedata.normalize("NFC", text.lower()) if language == "ja" else strip_accents_unicode(text.lower())
    if language == "zh":
        tokens = _chinese_words(text)
    elif language == "ja":
        tokens = _character_pairs(text)
    else:
        tokens = _TOKEN.findall(text)
    if drop_stop_words:
        stops = stop_words(language)
        tokens = [t for t in tokens if t not in stops]
    stemmer = _stemmer(language) if stem else None
    if stemmer is not None:
        tokens = stemmer.stemWords(tokens)
    return tokens


def word_ngrams(tokens: list[str], ngram_max: int) -> list[str]:
    """``tokens`` followed by their n-grams for n = 2..``ngram_max`` (words
    joined by a space), in scikit-learn's order."""
    out = list(tokens)
    for n in range(2, ngram_max + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


class LanguageAnalyzer:
    """A scikit-learn ``analyzer`` callable: ``(language, text)`` (or a bare
    text, read as ``und``) -> list of terms (:func:`words` then
    :func:`word_ngrams`).

    ``stop_words``: ``"language"`` (each document's own language's list),
    ``"english"`` (the English list for every document, the analysis before
    languages were told apart) or None (none dropped). Picklable, and equal
    analysers give equal terms in every process.
    """

    def __init__(self, ngram_max: int = 2, stop_words: str | None = "language", stem: bool = False):
        if stop_words not in ("language", "english", None):
            raise ValueError(f"stop_words must be 'language', 'english' or None, not {stop_words!r}")
        self.ngram_max, self.stop_words, self.stem = ngram_max, stop_words, stem
        self._english = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_english": None}  # rebuilt where it is used

    def english(self):
        """scikit-learn's own analyser for English and ``und`` text: equal to
        :func:`words` then :func:`word_ngrams` for them (tests hold it so), and
        the fastest, since most news is English."""
        if self._english is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._english = TfidfVectorizer(stop_words="english" if self.stop_words else None, strip_accents="unicode",
                                            ngram_range=(1, self.ngram_max)).build_analyzer()
        return self._english

    def __call__(self, document) -> list[str]:
        language, text = document if isinstance(document, tuple) else (UNDETERMINED, document)
        language = language or UNDETERMINED
        text = "" if text is None else str(text)
        if not self.stem and (language in _ENGLISH_LIKE or self.stop_words == "english"):
            return self.english()(text)
        if self.stop_words == "english":
            tokens = words("en", text)  # the English analysis, stemmed in the document's language
            tokens = _stemmer(language).stemWords(tokens) if _stemmer(language) is not None else tokens
        else:
            tokens = words(language, text, stem=self.stem, drop_stop_words=self.stop_words is not None)
        # Japanese terms are character pairs already: pairs of pairs add nothing.
        return word_ngrams(tokens, 1 if language == "ja" else self.ngram_max)
