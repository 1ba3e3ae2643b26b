import pytest

from newsdag.text import count_words, normalise_paragraphs, normalise_text, sentence_spans
from tests.conftest import DEMO_DIR, SAMPLE_ORIGINAL


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("had a'lengthy and highly productive phone call' in", "had a 'lengthy and highly productive phone call' in"),
        ("it was'common sense' to end", "it was 'common sense' to end"),
        ("and civilians.'We each talked,' Trump said", "and civilians. 'We each talked,' Trump said"),
        ("that'a single call can change", "that 'a single call can change"),
        # Contractions, possessives and names keep their apostrophes.
        ("Ukraine's NATO hopes, don't, we're, they'll, I'd, O'Brien, Qur'an", "Ukraine's NATO hopes, don't, we're, they'll, I'd, O'Brien, Qur'an"),
        ("countries' leaders", "countries' leaders"),
        # Glued sentences and double quotes.
        ("without delay.While Trump", "without delay. While Trump"),
        ('he said"no way"and left', 'he said "no way" and left'),
        ("U.S. officials and e.g. this", "U.S. officials and e.g. this"),
        ("Zelenskyy , and both", "Zelenskyy, and both"),
    ],
)
def test_normalise_repairs_scraping_artefacts(raw, expected):
    assert normalise_text(raw) == expected


def test_normalise_unicode_and_whitespace():
    # Mojibake, curly quotes, control characters and runs of white space.
    raw = "Caf\u00c3\u00a9  \u201cquoted\u201d\x07 text\r\n\r\n\n  second   paragraph\t"
    assert normalise_paragraphs(raw) == ['Café "quoted" text', "second paragraph"]


def test_sentence_spans_of_sample_keep_abbreviations_and_quotes():
    text = normalise_text((DEMO_DIR / SAMPLE_ORIGINAL).read_text())
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    # "U.S." never ends a sentence.
    assert not any(s.endswith("U.S.") and not s.endswith("toward the U.S.") for s in sentences)
    assert "Trump said he instructed U.S. officials to begin peace talks immediately." in sentences
    assert "'We want, like you, a sovereign and prosperous Ukraine." in sentences
    assert any(s.startswith("Elaborating on his conversation with Putin") and s.endswith("civilians.") for s in sentences)
    for a, b in sentence_spans(text):
        assert text[a:b] == text[a:b].strip() and b > a


def test_sentence_spans_never_cross_paragraphs():
    text = "First para one. Still first.\n\nSecond para here."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First para one.", "Still first.", "Second para here."]


def test_count_words():
    assert count_words("U.S. President Donald Trump's talks, 2025.") == 7


def test_sentence_spans_keep_a_quote_with_its_attribution():
    text = '"Is it over?" he asked. It was. The report by J. K. Rowling was out.'
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        '"Is it over?" he asked.', "It was.", "The report by J. K. Rowling was out."]
