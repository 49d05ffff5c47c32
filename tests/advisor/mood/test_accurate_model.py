"""The accurate sentiment model: n-grams plus the bundled MiniLM sentence embedding, for batch work."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.mood.model import ACCURATE_WEIGHTS, SentimentModel
from advisor.mood.training import macro_f1

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "sentiment"


@pytest.fixture(scope="module")
def accurate() -> SentimentModel:
    return SentimentModel.load(accurate=True)


def test_it_ships_small_is_cached_and_is_not_the_default(accurate: SentimentModel) -> None:
    assert ACCURATE_WEIGHTS.is_file() and ACCURATE_WEIGHTS.stat().st_size < 5_000_000
    assert SentimentModel.load(accurate=True) is accurate
    assert accurate.accurate and accurate.dense_weights is not None and accurate.dense_weights.shape == (384, 3)
    assert not SentimentModel.load().accurate
    assert accurate.info["chosen_by_cross_validation"]["embedding_scale"] > 0
    assert accurate.info["fitted_on"] == "train+tune"


def test_the_embedding_changes_the_reading(accurate: SentimentModel) -> None:
    # Same n-gram weights would give the same score; the embedding part must move it.
    text = "Revenue guidance trimmed as demand softens in Europe"
    assert accurate.classify(text).score != pytest.approx(SentimentModel.load().classify(text).score, abs=1e-6)


@pytest.mark.parametrize(("text", "label"), [
    ("Shares surge after record earnings beat, guidance raised", "bullish"),
    ("Stock plunges after profit warning and a downgrade to sell", "bearish"),
    ("The company will hold its annual general meeting on Tuesday", "neutral"),
    ("腾讯今天大涨，利好！", "bullish"),
])
def test_clear_messages_get_sensible_labels(accurate: SentimentModel, text: str, label: str) -> None:
    assert accurate.classify(text).label == label


def test_chinese_messages_are_left_to_the_fast_model(accurate: SentimentModel) -> None:
    # The embedding model reads English only; a Chinese message gets exactly the fast model's reading.
    fast = SentimentModel.load()
    texts = ["茅台暴跌，利空出尽了吗", "Shares surge after record earnings beat", "腾讯今天大涨，利好！"]
    many = accurate.classify_many(texts)
    assert many[0] == fast.classify(texts[0]) == accurate.classify(texts[0])
    assert many[2] == fast.classify(texts[2]) and many[2].label == "bullish"
    assert many[1].label == "bullish" and many[1].score != pytest.approx(fast.classify(texts[1]).score, abs=1e-6)


def test_classify_many_agrees_with_classify(accurate: SentimentModel) -> None:
    texts = ["up 20% today", "", "$TSLA puts printing", "Margin call, I lost everything", "x " * 3000]
    for one, many in zip(map(accurate.classify, texts), accurate.classify_many(texts), strict=True):
        assert one.label == many.label and one.fear == many.fear
        # int8 activations are quantised per batch, so padding beside other texts may nudge the score a little
        assert one.score == pytest.approx(many.score, abs=0.05)
    assert accurate.classify_many([]) == []


@pytest.mark.skipif(not DATA.is_dir(), reason="the sentiment data is not here")
def test_it_meets_the_target_on_the_held_out_report_split(accurate: SentimentModel) -> None:
    from advisor.mood.training import load_splits

    tfn = load_splits(DATA)["tfn", "report"]
    predicted = [s.label for s in accurate.classify_many(e.text for e in tfn)]
    assert macro_f1([e.label for e in tfn], predicted) >= 0.75
