"""The shipped sentiment model: bullish / bearish / neutral and a fear flag for one chat message.

A multinomial logistic regression over the features of ``advisor.mood.features`` (words, word pairs, polarity
tags), trained by ``scripts/train_sentiment.py`` on the data in ``shared/data/sentiment``. The weights file
(``sentiment.npz``, beside this module) holds the vocabulary (UTF-8, one feature a line), the weight matrix, the
class biases and a JSON note of how it was trained. It needs nothing else at run time: no data, no network.

An explicit vocabulary rather than feature hashing: a dictionary look-up per feature is the cheapest thing
Python does, there are no collisions, and the file stays small (features seen in fewer than two training
messages are dropped).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from advisor.mood.fear import is_fear
from advisor.mood.features import clean, features_of_clean
from advisor.mood.types import LABELS, Sentiment

WEIGHTS = Path(__file__).with_name("sentiment.npz")
BEARISH, NEUTRAL, BULLISH = (LABELS.index(label) for label in ("bearish", "neutral", "bullish"))


class SentimentModel:
    """Classifies messages; immutable after loading, so one instance is safely shared by every thread."""

    _cache: ClassVar[dict[Path, SentimentModel]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, vocabulary: list[str], weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32],
                 info: dict[str, Any] | None = None) -> None:
        if len(vocabulary) != weights.shape[0] or weights.shape[1:] != (len(LABELS),) or bias.shape != (3,):
            raise ValueError("vocabulary, weights and bias do not fit together")
        self.index = {feature: i for i, feature in enumerate(vocabulary)}
        self.weights = weights.astype(np.float64)
        self.bias = bias.astype(np.float64)
        self.info = info or {}

    @classmethod
    def load(cls, path: Path | None = None) -> SentimentModel:
        """The model in ``path`` (default: the shipped weights), read once per process and cached."""
        path = (path or WEIGHTS).resolve()
        with cls._lock:
            if path not in cls._cache:
                cls._cache[path] = cls.read(path)
            return cls._cache[path]

    @classmethod
    def read(cls, path: Path) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:
            vocabulary = bytes(data["vocabulary"]).decode("utf-8").split("\n")
            info = json.loads(bytes(data["info"]).decode("utf-8"))
            return cls(vocabulary, data["weights"], data["bias"], info)

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.index, key=self.index.__getitem__)
        np.savez_compressed(
            path, vocabulary=np.frombuffer("\n".join(vocabulary).encode("utf-8"), dtype=np.uint8),
            weights=self.weights.astype(np.float16), bias=self.bias.astype(np.float32),
            info=np.frombuffer(json.dumps(self.info, sort_keys=True).encode("utf-8"), dtype=np.uint8))

    def _ids(self, cleaned: str) -> list[int]:
        index = self.index
        ids = {index[f] for f in features_of_clean(cleaned) if f in index}
        ids.add(0)  # the always-on feature (advisor.mood.training.ALWAYS)
        return list(ids)

    def _sentiment(self, cleaned: str, z: npt.NDArray[np.float64]) -> Sentiment:
        top = float(z.max())
        e = [math.exp(float(v) - top) for v in z]
        total = sum(e)
        score = (e[BULLISH] - e[BEARISH]) / total
        label = LABELS[int(z.argmax())]
        return Sentiment(label, max(-1.0, min(1.0, score)), is_fear(cleaned, score))

    def classify(self, text: str) -> Sentiment:
        cleaned = clean(text)
        ids = self._ids(cleaned)
        z = self.weights[ids].sum(axis=0) / math.sqrt(len(ids)) + self.bias
        return self._sentiment(cleaned, z)

    def classify_many(self, texts: Iterable[str]) -> list[Sentiment]:
        """The same as ``classify`` for each text, in order; one matrix product for the lot."""
        cleaned = [clean(text) for text in texts]
        if not cleaned:
            return []
        rows = [self._ids(c) for c in cleaned]
        indptr = np.cumsum([0, *map(len, rows)])
        flat = np.fromiter((i for row in rows for i in row), dtype=np.int64, count=int(indptr[-1]))
        scale = 1.0 / np.sqrt(np.diff(indptr))
        z = np.add.reduceat(self.weights[flat], indptr[:-1], axis=0) * scale[:, None] + self.bias
        return [self._sentiment(c, row) for c, row in zip(cleaned, z, strict=True)]
