"""articles.language: detected from the text, by a model shipped in the wheel."""

import gzip

import pandas as pd
import pytest

from newsdag.language import UNDETERMINED, detect_language

TEXTS = {
    "en": "The central bank raised interest rates by half a point on Thursday, citing stubborn inflation. "
          "Markets had expected a smaller move, and shares fell sharply in the afternoon.",
    "de": "Die Zentralbank hat am Donnerstag die Leitzinsen um einen halben Punkt angehoben und verwies auf die "
          "hartnäckige Inflation. Die Märkte hatten mit einem kleineren Schritt gerechnet.",
    "fr": "La banque centrale a relevé jeudi ses taux d'intérêt d'un demi-point, invoquant une inflation persistante. "
          "Les marchés attendaient une hausse plus modeste et les actions ont reculé.",
    "es": "El banco central subió el jueves los tipos de interés medio punto, citando una inflación persistente. "
          "Los mercados esperaban una subida menor y las acciones cayeron por la tarde.",
    "ru": "Центральный банк в четверг повысил процентные ставки на половину пункта, сославшись на упорную инфляцию. "
          "Рынки ожидали меньшего повышения, и акции днём заметно подешевели.",
    "ar": "رفع البنك المركزي يوم الخميس أسعار الفائدة بمقدار نصف نقطة مشيرا إلى التضخم المستمر في أسعار الغذاء والطاقة. "
          "وكانت الأسواق تتوقع زيادة أصغر وتراجعت الأسهم بعد الظهر.",
    "zh": "中央银行周四将利率上调半个百分点，理由是食品和能源价格的通货膨胀居高不下，市场对此反应强烈。"
          "此前市场普遍预计加息幅度会更小，消息公布后股市在下午大幅下跌，投资者纷纷抛售银行股和地产股，"
          "分析人士认为央行今年可能还会继续加息，以遏制持续上涨的物价。",
}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_each_language_is_detected(language):
    assert detect_language(TEXTS[language]) == language


def test_too_little_text_is_undetermined():
    assert detect_language("2025 — 3:1") == UNDETERMINED
    assert detect_language("") == UNDETERMINED
    # A headline alone is too short to trust (newsdag.language): it is und.
    assert detect_language("Central bank raises rates by half a point") == UNDETERMINED


def test_the_letter_count_is_exact_wherever_the_letters_are():
    from newsdag.language import has_letters

    letters_late = "1 " * 150 + "a" * 100  # no letter in the first 300 characters, 100 after
    assert has_letters(letters_late, 100) and not has_letters(letters_late[:-1], 100)
    assert has_letters("a" * 100, 100) and not has_letters("a" * 99 + "1" * 900, 100)
    assert has_letters("é" * 60 + "-" * 500 + "中" * 40, 100)
    # Detection sees the same head either way: 100 letters only after the
    # first 200 characters are still enough.
    assert detect_language("— " * 120 + TEXTS["de"]) == "de"


def test_parsed_articles_carry_their_language(raw_dir, tmp_path):
    from tests.conftest import materialize_all, write

    write(raw_dir, "wire/en.txt", TEXTS["en"])
    write(raw_dir, "presse/de.txt", TEXTS["de"])
    assert materialize_all(raw_dir, tmp_path / "wh", selection=["raw_files", "articles", "rejected_inputs"]).success
    articles = pd.read_parquet(tmp_path / "wh" / "articles")
    assert dict(zip(articles.source, articles.language)) == {"wire": "en", "presse": "de"}


@pytest.mark.shared_data
def test_detection_agrees_with_semeval_labels(shared_data):
    """The SemEval-2022 Task 8 articles carry their language (10 of them)."""
    with gzip.open(shared_data / "semeval2022-task8" / "training_set.csv.gz") as fh:
        pairs = pd.read_csv(fh)
    texts = pd.concat([pairs[["text1", "lang1"]].set_axis(["text", "lang"], axis=1),
                       pairs[["text2", "lang2"]].set_axis(["text", "lang"], axis=1)]).dropna()
    detected = texts["text"].map(detect_language)
    assert (detected == texts["lang"]).mean() >= 0.99
