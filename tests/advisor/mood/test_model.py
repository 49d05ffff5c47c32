"""The shipped sentiment model: it loads without the training data and reads clear messages sensibly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.mood.fear import EN_FEAR, FEAR, HINTS, fear_words
from advisor.mood.features import char_grams, clean, features, grams_of_word, rich_features
from advisor.mood.model import WEIGHTS, SentimentModel
from advisor.mood.training import accuracy, macro_f1, split_of
from advisor.mood.types import LABELS

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "sentiment"


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def test_the_weights_ship_with_the_package_small_and_cached(model: SentimentModel) -> None:
    assert WEIGHTS.is_file() and WEIGHTS.stat().st_size < 2_000_000
    assert SentimentModel.load() is model
    assert model.info["trained_by"] == "scripts/train_sentiment.py"


@pytest.mark.parametrize(("text", "label"), [
    ("Shares surge after record earnings beat, guidance raised", "bullish"),
    ("Loaded more calls, this is breaking out to new highs 🚀", "bullish"),
    ("Stock plunges after profit warning and a downgrade to sell", "bearish"),
    ("The company will hold its annual general meeting on Tuesday", "neutral"),
    ("腾讯今天大涨，利好！", "bullish"),
    ("茅台暴跌，利空出尽了吗", "bearish"),
])
def test_clear_messages_get_sensible_labels(model: SentimentModel, text: str, label: str) -> None:
    sentiment = model.classify(text)
    assert sentiment.label == label, sentiment
    assert -1.0 <= sentiment.score <= 1.0
    assert (sentiment.score > 0) == (label == "bullish") or label == "neutral"


def test_fear_is_panic_language_not_merely_bearish(model: SentimentModel) -> None:
    assert model.classify("Margin call this morning, I lost everything, I'm scared").fear
    assert model.classify("暴跌了，爆仓了，好慌").fear
    assert not model.classify("Shorting this into earnings, valuation looks stretched").fear
    assert not model.classify("Don't panic: buying more, very bullish, breakout coming 🚀🚀").fear


def test_every_english_fear_phrase_has_a_hint() -> None:
    # The hint list is a prefilter; a phrase without a hint would silently never match.
    samples = ["panicking", "scared", "terrified", "afraid", "fearful", "freaking out", "nightmare", "bloodbath",
               "crashing", "collapse", "capitulation", "wiped out", "margin called", "liquidated", "lost it all",
               "losing everything", "i'm done", "rekt", "get out now", "sell everything now", "run for the hills",
               "it's over", "help!", "can't sleep", "life savings"]
    assert len(samples) >= len(EN_FEAR) - 1
    for sample in samples:
        assert FEAR.search(sample), sample
        assert fear_words(clean(sample)), sample
        assert any(hint in sample for hint in HINTS), sample
    assert not re.search(FEAR, "the fearless leader")


def test_classify_many_matches_classify(model: SentimentModel) -> None:
    texts = ["up 20% today", "", "利空", "$TSLA puts printing", "a" * 50_000]
    for one, many in zip(map(model.classify, texts), model.classify_many(texts), strict=True):
        assert one.label == many.label and one.fear == many.fear
        assert one.score == pytest.approx(many.score, abs=1e-9)
    assert model.classify_many([]) == []


def test_features_fold_links_tickers_and_numbers_but_keep_the_sign_of_a_move() -> None:
    assert features("$TSLA +12% https://t.co/x") == ["_tkr_", "_up_pct_", "_url_", "_tkr_ _up_pct_",
                                                      "_up_pct_ _url_"]
    assert "__neg__" in features("大跌") and "__pos__" in features("rally")


def test_the_rich_features_add_triples_headline_verbs_and_the_character_grams_of_words() -> None:
    cleaned = clean("Nomura trims target as shares slump")
    words = rich_features(cleaned)
    assert "trims target as" in words and "__neg__" in words  # "trims": a direction verb; "slump" is not listed
    assert grams_of_word("cut") == {"#<cu", "#cut", "#ut>", "#<cut", "#cut>", "#<cut>"}
    grams = char_grams(cleaned, words)
    assert "#trim" in grams and "#slum" in grams and "#__neg__" in grams and "#__pos__" not in grams
    # A Chinese message has no Latin words, but its lexicon words still give it a character group.
    assert char_grams(clean("暴跌"), rich_features(clean("暴跌"))) == ["#__neg__"]


def test_both_shipped_models_read_the_rich_features(model: SentimentModel) -> None:
    assert model.char_scale is not None and model.char_scale > 0
    assert "#grad" in model.index and "#__neg__" in model.index
    assert SentimentModel.load(accurate=True).char_scale == model.char_scale


def test_a_misspelt_word_is_read_through_its_character_grams(model: SentimentModel) -> None:
    # Neither misspelling is in the vocabulary as a word; their grams lean the way the real words do.
    assert "downgradez" not in model.index and "upgradde" not in model.index
    down = model._gram_logits("downgradez", rich_features("downgradez"))
    up = model._gram_logits("upgradde", rich_features("upgradde"))
    assert down is not None and down[LABELS.index("bearish")] > down[LABELS.index("bullish")]
    assert up is not None and up[LABELS.index("bullish")] > up[LABELS.index("bearish")]
    assert model.classify("Analyst downgradez the stock").label == "bearish"
    assert model.classify("Shares soarred after the upgradde").label == "bullish"


def test_splits_are_decided_by_the_text_alone() -> None:
    assert split_of("Apple beats estimates https://t.co/a", 0.1, 0.2) == split_of(
        "Apple beats estimates https://t.co/b", 0.1, 0.2)
    letters = str.maketrans("0123456789", "abcdefghij")  # numbers are folded to "0": spell them in letters
    counts = [split_of(f"message {str(i).translate(letters)}", 0.1, 0.2) for i in range(2000)]
    assert 300 < counts.count("report") < 500 and 120 < counts.count("tune") < 280


def test_the_scores() -> None:
    assert macro_f1(["bullish", "bearish", "neutral"], ["bullish", "bearish", "bearish"]) == pytest.approx(
        (1 + 2 / 3 + 0) / 3)
    assert accuracy(["bullish", "bearish"], ["bullish", "neutral"]) == 0.5


@pytest.mark.skipif(not DATA.is_dir(), reason="the sentiment data is not here")
def test_the_held_out_splits_meet_a_floor(model: SentimentModel) -> None:
    from advisor.mood.training import load_splits

    splits = load_splits(DATA)
    st = splits["stocktwits", "report"]
    assert accuracy([e.label for e in st], [s.label for s in model.classify_many(e.text for e in st)]) >= 0.75
    tfn = splits["tfn", "report"]
    assert macro_f1([e.label for e in tfn], [s.label for s in model.classify_many(e.text for e in tfn)]) >= 0.65
