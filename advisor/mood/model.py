"""The shipped sentiment model: bullish / bearish / neutral and a fear flag for one chat message.

A multinomial logistic regression over the features of ``advisor.mood.features`` (words, word pairs, polarity
tags), trained by ``scripts/train_sentiment.py`` on the data in ``shared/data/sentiment``. The weights file
(``sentiment.npz``, beside this module) holds the vocabulary (UTF-8, one feature a line), the weight matrix, the
class biases and a JSON note of how it was trained. It needs nothing else at run time: no data, no network.

An explicit vocabulary rather than feature hashing: a dictionary look-up per feature is the cheapest thing
Python does, there are no collisions, and the file stays small (features seen in fewer than two training
messages are dropped).

Two shipped models, one API. ``SentimentModel.load()`` is the fast one (n-grams only, thousands of messages a
second): what the chat uses on every group message. ``SentimentModel.load(accurate=True)`` reads
``sentiment_minilm.npz``, the same n-gram features plus the message's all-MiniLM-L6-v2 sentence embedding (the
int8 ONNX model ``knowledge.embeddings`` already ships), fitted jointly: a few points more macro-F1 on the
held-out Twitter Financial News split, at tens of messages a second. Use it for batch work (``classify_many``),
not per message in a live chat. Figures: ``benchmarks/sentiment.py``.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from advisor.mood.fear import is_fear
from advisor.mood.features import clean, features_of_clean
from advisor.mood.types import LABELS, Sentiment

if TYPE_CHECKING:
    from knowledge.embeddings import MiniLMEmbeddings

WEIGHTS = Path(__file__).with_name("sentiment.npz")
ACCURATE_WEIGHTS = Path(__file__).with_name("sentiment_minilm.npz")  # n-grams + MiniLM sentence embedding
BEARISH, NEUTRAL, BULLISH = (LABELS.index(label) for label in ("bearish", "neutral", "bullish"))


class SentimentModel:
    """Classifies messages; immutable after loading, so one instance is safely shared by every thread."""

    _cache: ClassVar[dict[Path, SentimentModel]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, vocabulary: list[str], weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32],
                 info: dict[str, Any] | None = None, dense_weights: npt.NDArray[np.float32] | None = None,
                 dense_scale: float = 1.0) -> None:
        if len(vocabulary) != weights.shape[0] or weights.shape[1:] != (len(LABELS),) or bias.shape != (3,):
            raise ValueError("vocabulary, weights and bias do not fit together")
        if dense_weights is not None and dense_weights.shape[1:] != (len(LABELS),):
            raise ValueError("dense weights must have one column per label")
        self.index = {feature: i for i, feature in enumerate(vocabulary)}
        self.weights = weights.astype(np.float64)
        self.bias = bias.astype(np.float64)
        self.info = info or {}
        # The accurate model only: weights over the (unit-length) sentence embedding, which is scaled by
        # ``dense_scale`` before the product, as in training (advisor.mood.training.train_softmax_dense).
        self.dense_weights = None if dense_weights is None else dense_weights.astype(np.float64)
        self.dense_scale = dense_scale
        self._embedder: MiniLMEmbeddings | None = None
        self._embedder_lock = threading.Lock()

    @property
    def accurate(self) -> bool:
        """True for the model that also reads sentence embeddings (slow; see the module note)."""
        return self.dense_weights is not None

    @classmethod
    def load(cls, path: Path | None = None, *, accurate: bool = False) -> SentimentModel:
        """The model in ``path`` (default: the shipped fast weights, or with ``accurate`` the n-gram + MiniLM
        weights), read once per process and cached."""
        path = (path or (ACCURATE_WEIGHTS if accurate else WEIGHTS)).resolve()
        with cls._lock:
            if path not in cls._cache:
                cls._cache[path] = cls.read(path)
            return cls._cache[path]

    @classmethod
    def read(cls, path: Path) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:
            vocabulary = bytes(data["vocabulary"]).decode("utf-8").split("\n")
            info = json.loads(bytes(data["info"]).decode("utf-8"))
            dense = data["dense_weights"] if "dense_weights" in data.files else None
            scale = float(data["dense_scale"]) if "dense_scale" in data.files else 1.0
            return cls(vocabulary, data["weights"], data["bias"], info, dense, scale)

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.index, key=self.index.__getitem__)
        arrays: dict[str, Any] = {  # Any: savez_compressed also takes allow_pickle as a keyword
            "vocabulary": np.frombuffer("\n".join(vocabulary).encode("utf-8"), dtype=np.uint8),
            "weights": self.weights.astype(np.float16), "bias": self.bias.astype(np.float32),
            "info": np.frombuffer(json.dumps(self.info, sort_keys=True).encode("utf-8"), dtype=np.uint8)}
        if self.dense_weights is not None:
            arrays["dense_weights"] = self.dense_weights.astype(np.float32)
            arrays["dense_scale"] = np.array(self.dense_scale)
        np.savez_compressed(path, **arrays)

    def embedder(self) -> MiniLMEmbeddings:
        """The sentence embedder the accurate model reads (created on first use; onnxruntime loads lazily)."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    from knowledge.embeddings import MiniLMEmbeddings  # onnxruntime: only the accurate model

                    self._embedder = MiniLMEmbeddings(batch_size=64)
        return self._embedder

    def _dense_logits(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """The embedding part of the logits, one row per text (zeros for the fast model)."""
        if self.dense_weights is None:
            return np.zeros((len(texts), len(LABELS)))
        embedded = self.embedder().embed(texts).astype(np.float64)
        return (embedded * self.dense_scale) @ self.dense_weights

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
        if self.dense_weights is not None:
            z = z + self._dense_logits([text])[0]
        return self._sentiment(cleaned, z)

    def classify_many(self, texts: Iterable[str]) -> list[Sentiment]:
        """The same as ``classify`` for each text, in order; one matrix product for the lot."""
        raw = list(texts)
        cleaned = [clean(text) for text in raw]
        if not cleaned:
            return []
        rows = [self._ids(c) for c in cleaned]
        indptr = np.cumsum([0, *map(len, rows)])
        flat = np.fromiter((i for row in rows for i in row), dtype=np.int64, count=int(indptr[-1]))
        scale = 1.0 / np.sqrt(np.diff(indptr))
        z = np.add.reduceat(self.weights[flat], indptr[:-1], axis=0) * scale[:, None] + self.bias
        if self.dense_weights is not None:
            z = z + self._dense_logits(raw)
        return [self._sentiment(c, row) for c, row in zip(cleaned, z, strict=True)]
