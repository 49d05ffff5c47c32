"""The shipped sentiment model: bullish / bearish / neutral and a fear flag for one chat message.

A multinomial logistic regression over the features of ``advisor.mood.features`` (words, word pairs and
triples, polarity tags, and the character 3-5-grams of words), trained by ``scripts/train_sentiment.py`` on the
data in ``shared/data/sentiment``. The weights file (``sentiment.npz``, beside this module) holds the vocabulary
(UTF-8, one feature a line), the weight matrix, the class biases, the character-gram group's scale and a JSON
note of how it was trained. It needs nothing else at run time: no data, no network.

An explicit vocabulary rather than feature hashing: a dictionary look-up per feature is the cheapest thing
Python does, there are no collisions, and the file stays small (words seen in fewer than two training messages
and character grams seen in fewer than three are dropped). A word's character grams are looked up once and
remembered as the sum of their weights (``_word_grams``): chat repeats its words, so most messages cost a few
dictionary hits and no gram look-ups.

Two shipped models, one API. ``SentimentModel.load()`` is the fast one (n-grams only, thousands of messages a
second): what the chat uses on every group message. ``SentimentModel.load(accurate=True)`` reads
``sentiment_minilm.npz``, the same n-gram features plus the message's all-MiniLM-L6-v2 sentence embedding (the
int8 ONNX model ``knowledge.embeddings`` already ships), read linearly or through one hidden ReLU layer (as the
file says: ``hidden_weights``), fitted jointly: a few points more macro-F1 on the held-out Twitter Financial
News split, at tens of messages a second. Use it for batch work (``classify_many``),
not per message in a live chat. Figures: ``benchmarks/sentiment.py``.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt

from advisor.mood.fear import is_fear
from advisor.mood.features import WORD, clean, features_of_clean, grams_of_word, rich_features
from advisor.mood.types import LABELS, Sentiment

if TYPE_CHECKING:
    from knowledge.embeddings import MiniLMEmbeddings

WEIGHTS = Path(__file__).with_name("sentiment.npz")
ACCURATE_WEIGHTS = Path(__file__).with_name("sentiment_minilm.npz")  # n-grams + MiniLM sentence embedding
BEARISH, NEUTRAL, BULLISH = (LABELS.index(label) for label in ("bearish", "neutral", "bullish"))
# Chinese, Japanese and Korean characters. The embedding (all-MiniLM-L6-v2) was trained on English and so was this
# model, jointly: for such a message the embedding is noise and the n-gram weights, fitted to lean on it, are too
# faint to carry the message's polarity words. The accurate model hands it to the fast model, whose lexicon tags
# do carry them.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


class SentimentModel:
    """Classifies messages; immutable after loading, so one instance is safely shared by every thread."""

    _cache: ClassVar[dict[Path, SentimentModel]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, vocabulary: list[str], weights: npt.NDArray[np.float32], bias: npt.NDArray[np.float32],
                 info: dict[str, Any] | None = None, dense_weights: npt.NDArray[np.float32] | None = None,
                 dense_scale: float = 1.0, char_scale: float | None = None,
                 hidden: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None = None) -> None:
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
        # Optionally a ReLU layer between the scaled embedding and ``dense_weights`` (its weights and biases).
        self.hidden = None if hidden is None else (hidden[0].astype(np.float64), hidden[1].astype(np.float64))
        # The rich feature set (advisor.mood.features.rich_features and the character grams, whose group is
        # scaled to this length) when the file says so; None: the first feature set (the accurate model's).
        self.char_scale = char_scale
        # word -> (the summed weights of its known grams, how many): bounded, see _gram_logits
        # (one float per label in LABELS order, then the count)
        self._word_grams: dict[str, tuple[float, ...]] = {}
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
            char_scale = float(data["char_scale"]) if "char_scale" in data.files else None
            hidden = (data["hidden_weights"], data["hidden_bias"]) if "hidden_weights" in data.files else None
            return cls(vocabulary, data["weights"], data["bias"], info, dense, scale, char_scale, hidden)

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.index, key=self.index.__getitem__)
        arrays: dict[str, Any] = {  # Any: savez_compressed also takes allow_pickle as a keyword
            "vocabulary": np.frombuffer("\n".join(vocabulary).encode("utf-8"), dtype=np.uint8),
            "weights": self.weights.astype(np.float16), "bias": self.bias.astype(np.float32),
            "info": np.frombuffer(json.dumps(self.info, sort_keys=True).encode("utf-8"), dtype=np.uint8)}
        if self.dense_weights is not None:
            arrays["dense_weights"] = self.dense_weights.astype(np.float32)
            arrays["dense_scale"] = np.array(self.dense_scale)
        if self.hidden is not None:
            arrays["hidden_weights"], arrays["hidden_bias"] = (a.astype(np.float32) for a in self.hidden)
        if self.char_scale is not None:
            arrays["char_scale"] = np.array(self.char_scale)
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
        return self.dense_part(self.embedder().embed(texts).astype(np.float64))

    def dense_part(self, embedded: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The embedding part of the logits for embeddings already computed (one row each; accurate model)."""
        if self.dense_weights is None:
            raise ValueError("the fast model reads no embedding")
        x = embedded * self.dense_scale
        if self.hidden is not None:
            x = np.maximum(x @ self.hidden[0] + self.hidden[1], 0.0)
        return x @ self.dense_weights

    def _word_features(self, cleaned: str) -> list[str]:
        return features_of_clean(cleaned) if self.char_scale is None else rich_features(cleaned)

    def _ids(self, word_features: list[str]) -> list[int]:
        ids = set(map(self.index.get, word_features))  # one C-level look-up each; unknown features give None
        ids.discard(None)
        ids.add(0)  # the always-on feature (advisor.mood.training.ALWAYS)
        return list(ids)  # type: ignore[arg-type]  # None was discarded

    def _gram_logits(self, cleaned: str, word_features: list[str]) -> npt.NDArray[np.float64] | None:
        """The character group's part of the logits (None when it has none, or for the first feature set): the
        same sum as ``advisor.mood.training.vectorise`` builds, a word at a time. Plain floats, not numpy: a
        numpy addition per word costs more than the rest of the sum."""
        if self.char_scale is None:
            return None
        index, remembered = self.index, self._word_grams
        bearish = neutral = bullish = 0.0
        count = 0
        for word in set(WORD.findall(cleaned)):
            known = remembered.get(word)
            if known is None:
                ids = [index[g] for g in grams_of_word(word) if g in index]
                known = (*map(float, self.weights[ids].sum(axis=0)), len(ids))
                if len(remembered) >= 100_000:  # bounded: a flood of made-up words must not grow it forever
                    remembered.clear()
                remembered[word] = known
            bearish += known[BEARISH]
            neutral += known[NEUTRAL]
            bullish += known[BULLISH]
            count += int(known[3])
        for tag in ("__pos__", "__neg__"):
            if tag in word_features and f"#{tag}" in index:
                row = self.weights[index[f"#{tag}"]]
                bearish, neutral, bullish = bearish + row[BEARISH], neutral + row[NEUTRAL], bullish + row[BULLISH]
                count += 1
        if not count:
            return None
        sums = [0.0] * len(LABELS)
        sums[BEARISH], sums[NEUTRAL], sums[BULLISH] = bearish, neutral, bullish
        return np.array(sums) * (self.char_scale / math.sqrt(count))

    def _sentiment(self, cleaned: str, z: npt.NDArray[np.float64]) -> Sentiment:
        top = float(z.max())
        e = [math.exp(float(v) - top) for v in z]
        total = sum(e)
        score = (e[BULLISH] - e[BEARISH]) / total
        label = LABELS[int(z.argmax())]
        return Sentiment(label, max(-1.0, min(1.0, score)), is_fear(cleaned, score))

    def _hands_over(self, text: str) -> bool:
        """True when the accurate model leaves ``text`` to the fast model (see ``CJK``)."""
        return self.dense_weights is not None and CJK.search(text) is not None

    def classify(self, text: str) -> Sentiment:
        if self._hands_over(text):
            return SentimentModel.load().classify(text)
        cleaned = clean(text)
        word_features = self._word_features(cleaned)
        ids = self._ids(word_features)
        z = self.weights[ids].sum(axis=0) / math.sqrt(len(ids)) + self.bias
        grams = self._gram_logits(cleaned, word_features)
        if grams is not None:
            z = z + grams
        if self.dense_weights is not None:
            z = z + self._dense_logits([text])[0]
        return self._sentiment(cleaned, z)

    def classify_many(self, texts: Iterable[str]) -> list[Sentiment]:
        """The same as ``classify`` for each text, in order; one matrix product for the lot."""
        raw = list(texts)
        handed = [i for i, text in enumerate(raw) if self._hands_over(text)]
        if handed:
            kept = sorted(set(range(len(raw))) - set(handed))
            out = dict(zip(handed, SentimentModel.load().classify_many(raw[i] for i in handed), strict=True))
            out |= dict(zip(kept, self.classify_many(raw[i] for i in kept), strict=True))
            return [out[i] for i in range(len(raw))]
        cleaned = [clean(text) for text in raw]
        if not cleaned:
            return []
        word_features = [self._word_features(c) for c in cleaned]
        rows = [self._ids(f) for f in word_features]
        indptr = np.cumsum([0, *map(len, rows)])
        flat = np.fromiter((i for row in rows for i in row), dtype=np.int64, count=int(indptr[-1]))
        scale = 1.0 / np.sqrt(np.diff(indptr))
        z = np.add.reduceat(self.weights[flat], indptr[:-1], axis=0) * scale[:, None] + self.bias
        for i, (c, f) in enumerate(zip(cleaned, word_features, strict=True)):
            grams = self._gram_logits(c, f)
            if grams is not None:
                z[i] += grams
        if self.dense_weights is not None:
            z = z + self._dense_logits(raw)
        return [self._sentiment(c, row) for c, row in zip(cleaned, z, strict=True)]
