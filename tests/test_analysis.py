"""Each language analysed as itself (newsdag.analysis) and stories kept within a language."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from newsdag.analysis import LanguageAnalyzer, stop_words, word_ngrams, words
from newsdag.features import TfidfSettings, fit_tfidf
from newsdag.stories import StorySettings, cluster_stories, within_language

ENGLISH = [
    "The Central Bank raised rates; café déjà-vu, the 2nd time in 2024!",
    "Shares in Apple Inc. fell 3.5% after the iPhone maker's results — analysts were 'surprised'.",
    "",
    "a I x 12 ab",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_and_und_are_analysed_as_scikit_learn_did(text):
    """English corpora keep the features every English figure was measured on."""
    sklearn = TfidfVectorizer(stop_words="english", strip_accents="unicode", ngram_range=(1, 2)).build_analyzer()
    analyse = LanguageAnalyzer(ngram_max=2)
    assert analyse(("en", text)) == sklearn(text)
    assert analyse(("und", text)) == sklearn(text)
    assert analyse(text) == sklearn(text)  # a bare text is und
    # The library's own functions give the same terms (the stemmed path builds on them).
    assert word_ngrams(words("en", text), 2) == sklearn(text)


def test_each_language_drops_its_own_stop_words():
    german = "Die Regierung hat am Montag die neuen Regeln für die Banken vorgestellt, und sie gelten ab sofort."
    terms = words("de", german)
    assert "regierung" in terms and "banken" in terms
    assert not {"die", "hat", "am", "und", "sie", "fur"} & set(terms)
    # Read as English, the German function words would stay.
    assert {"die", "hat", "und"} <= set(words("en", german))
    assert "und" in stop_words("de") and "the" in stop_words("en") and stop_words("xx") == frozenset()


def test_chinese_is_segmented_into_words():
    terms = words("zh", "中央银行周四将利率上调半个百分点，理由是食品和能源价格")
    assert {"中央银行", "利率", "百分点"} <= set(terms)
    # scikit-learn's token pattern reads each clause as a single "word".
    assert len(words("en", "中央银行周四将利率上调半个百分点，理由是食品和能源价格", drop_stop_words=False)) == 2


def test_japanese_is_cut_into_character_pairs_and_keeps_its_voicing():
    assert LanguageAnalyzer()(("ja", "日本銀行が")) == ["日本", "本銀", "銀行", "行が"]


def test_arabic_with_short_vowels_matches_the_same_words_without():
    assert words("ar", "كَتَبَ الصَّحَفِيُّ") == words("ar", "كتب الصحفي")


def test_right_to_left_words_stay_whole_and_in_text_order():
    assert words("he", "הַמֶּמְשָׁלָה אישרה תקציב חדש") == ["הממשלה", "אישרה", "תקציב", "חדש"]
    assert words("ar", "البنك المركزي رفع أسعار الفائدة") == ["البنك", "المركزي", "رفع", "اسعار", "الفايدة"]


def test_the_analyser_pickles_and_gives_the_same_terms_after():
    import pickle

    analyse = LanguageAnalyzer()
    analyse(("en", "warm it up first"))
    again = pickle.loads(pickle.dumps(analyse))
    for doc in [("en", ENGLISH[1]), ("de", "Die Banken und die Regierung"), ("zh", "中央银行周四将利率上调")]:
        assert again(doc) == analyse(doc)


def test_stemming_is_an_option():
    assert words("de", "Banken Bank", stem=True) == ["bank", "bank"]
    assert words("de", "Banken Bank") == ["banken", "bank"]
    with pytest.raises(ValueError):
        LanguageAnalyzer(stop_words="german")


def test_two_german_stories_look_alike_only_without_german_stop_words():
    """What SemEval showed: with English stop words, two unrelated German
    articles share their function words and look like one story."""
    a = "Die Polizei hat am Montag in der Stadt einen Mann festgenommen, der in der Nacht ein Auto gestohlen hat."
    b = "Der Verein hat am Samstag in der Liga ein Spiel gewonnen, das in der zweiten Halbzeit entschieden wurde."
    filler = [f"Ein ganz anderer Text Nummer {i} über {w}." for i, w in enumerate(["Wetter", "Kunst", "Musik", "Reisen"])]
    docs = [("de", t) for t in [a, b, *filler]]

    def cosine(settings):
        _, X = fit_tfidf(docs, settings)
        return float(X[0].multiply(X[1]).sum())

    # Above the similarity at which stories link them.
    assert cosine(TfidfSettings(stop_words="english", min_df=1)) > StorySettings().min_similarity
    assert cosine(TfidfSettings(min_df=1)) == 0.0


def test_stories_never_span_two_languages():
    """Two articles sharing names and numbers in two languages are two
    stories; an article too short to tell its language may join either."""
    edges = pd.DataFrame({"i": [0, 0, 1], "j": [1, 2, 2], "similarity": np.float32([0.9, 0.8, 0.7])})
    kept = within_language(edges, np.array(["en", "de", "und"], dtype=object))
    assert kept[["i", "j"]].values.tolist() == [[0, 2], [1, 2]]

    texts = [("en", "Ronaldo signs for Al Nassr for 200 million euros, Al Nassr says."),
             ("de", "Ronaldo wechselt für 200 Millionen Euro zu Al Nassr, sagt Al Nassr."),
             ("en", "Ronaldo joins Al Nassr in a 200 million euro move to Riyadh.")]
    _, X = fit_tfidf(texts, TfidfSettings(min_df=1))
    articles = pd.DataFrame({"article_id": ["a", "b", "c"], "published": pd.NaT,
                             "language": [lang for lang, _ in texts]})
    settings = StorySettings(min_similarity=0.01, resolution=0.001)
    story = cluster_stories(articles, X, settings).set_index("article_id")["story_id"]
    assert story["a"] == story["c"] != story["b"]
    # Without the language column the shared names join all three.
    together = cluster_stories(articles.drop(columns="language"), X, settings)
    assert together["story_id"].nunique() == 1
