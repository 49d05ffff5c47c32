"""Training helpers: cross-validation folds, and the accurate model's hidden layer from training to the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from advisor.mood.model import SentimentModel
from advisor.mood.training import HiddenLayer, fold_of, split_of, train_softmax_hidden, vectorise
from advisor.mood.types import LABELS


def test_folds_are_decided_by_the_text_alone_and_keep_near_duplicates_together() -> None:
    assert fold_of("Apple beats estimates https://t.co/a", 5) == fold_of("Apple beats estimates https://t.co/b", 5)
    assert fold_of("$AAPL up 3%", 5) == fold_of("$MSFT up 4%", 5)  # cashtags and numbers are folded
    letters = str.maketrans("0123456789", "abcdefghij")
    texts = [f"message {str(i).translate(letters)}" for i in range(3000)]
    folds = [fold_of(text, 5) for text in texts]
    assert all(450 < folds.count(k) < 750 for k in range(5))
    # Not a slice of the split buckets: every fold holds both train and tune messages.
    for k in range(5):
        kinds = {split_of(t, 0.1, 0.2) for t, f in zip(texts, folds, strict=True) if f == k}
        assert {"train", "tune", "report"} <= kinds


def test_the_hidden_layer_learns_what_a_linear_read_cannot() -> None:
    # Bullish when exactly one of two embedding coordinates is positive (XOR): no linear read gets this right.
    rng = np.random.default_rng(7)
    dense = rng.normal(size=(200, 2))
    labels = np.where((dense[:, 0] > 0) != (dense[:, 1] > 0), LABELS.index("bullish"), LABELS.index("bearish"))
    rows = vectorise(["same words"] * 200, {"__all__": 0, "same": 1, "words": 2, "same words": 3})
    weights, bias, layer = train_softmax_hidden(rows, dense, labels, np.ones(200), l2=0.0, hidden=16,
                                                hidden_l2=0.0, steps=400, rate=0.05, hidden_rate=0.05, seed=1)
    assert weights.shape == (4, 3)
    predicted = (layer.logits(dense) + bias).argmax(axis=1)
    assert (predicted == labels).mean() > 0.9


def test_a_model_with_a_hidden_layer_keeps_it_in_its_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    layer = HiddenLayer(rng.normal(size=(384, 8)), rng.normal(size=8), rng.normal(size=(8, 3)))
    model = SentimentModel(["__all__", "up"], np.zeros((2, 3), dtype=np.float32), np.zeros(3, dtype=np.float32),
                           {"note": "toy"}, layer.out.astype(np.float32), 1.0, 0.5,
                           (layer.weights.astype(np.float32), layer.bias.astype(np.float32)))
    model.save(tmp_path / "toy.npz")
    read = SentimentModel.read(tmp_path / "toy.npz")
    embedded = rng.normal(size=(4, 384))
    assert read.accurate and read.hidden is not None and read.info == {"note": "toy"}
    assert read.dense_part(embedded) == pytest.approx(layer.logits(embedded), rel=1e-4, abs=1e-4)
    with pytest.raises(ValueError, match="no embedding"):
        SentimentModel.load().dense_part(embedded)
