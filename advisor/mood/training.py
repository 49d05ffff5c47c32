"""Training the sentiment model: the data splits, the vocabulary and a softmax regression in plain numpy.

Used by ``scripts/train_sentiment.py`` (which writes the shipped weights) and ``benchmarks/sentiment.py`` (which
rebuilds the same splits to report on). Nothing here runs in the chat.

Splits are decided by a CRC32 of the cleaned text, not by position or a random draw: the same message always
lands in the same split whatever the file order, and near-duplicates that differ only in a link or a number
(common in news tweets) land together, so a headline cannot be trained on and reported on at once.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from advisor.mood.features import CASHTAG, NUMBER, URL, char_grams, clean, features, rich_features
from advisor.mood.types import LABELS, Label

Split = str  # "train", "tune" (hyper-parameters and class biases) or "report" (figures only, never tuned on)
ALWAYS = "__all__"  # a feature every message has, so no message is an empty row


def split_key(text: str) -> str:
    """What decides a message's split: lower case, with links, cashtags and numbers folded and spaces collapsed.

    Deliberately not ``advisor.text.normalise``: its joining of spaced-out letters breaks ties between
    separators in set order, which changes with PYTHONHASHSEED, and a split must not change between runs."""
    folded = NUMBER.sub("0", CASHTAG.sub("$", URL.sub("", text.casefold())))
    return " ".join(folded.split())


def split_of(text: str, tune: float, report: float) -> Split:
    """Which split a message belongs to: ``report`` and ``tune`` are fractions of the whole, the rest trains."""
    bucket = zlib.crc32(split_key(text).encode("utf-8")) % 10_000 / 10_000
    if bucket < report:
        return "report"
    if bucket < report + tune:
        return "tune"
    return "train"


def fold_of(text: str, folds: int) -> int:
    """Which cross-validation fold a message of "train" or "tune" belongs to: a second hash of ``split_key``
    (salted, so folds are not slices of the split buckets); near-duplicates again land together."""
    return zlib.crc32(("fold|" + split_key(text)).encode("utf-8")) % folds


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: Label
    source: str  # "tfn" (Twitter Financial News, three classes) or "stocktwits" (bullish/bearish only)


def read_examples(path: Path, source: str) -> list[Example]:
    """``{"text", "label"}`` lines, labels bullish/bearish/neutral."""
    examples = []
    for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: texts hold U+2028
        if line.strip():
            record = json.loads(line)
            label = record["label"]
            if label not in LABELS:
                raise ValueError(f"{path}: unknown label {label!r}")
            examples.append(Example(record["text"], label, source))
    return examples


def build_vocabulary(texts: Iterable[str], min_count: int, char_min_count: int | None = None) -> list[str]:
    """Features seen in at least ``min_count`` training messages, most frequent first (ties alphabetical).

    With ``char_min_count``, the rich feature set (``advisor.mood.features.rich_features``), then the character
    grams seen in at least that many messages, after all of the word group's features."""
    counts: Counter[str] = Counter()
    gram_counts: Counter[str] = Counter()
    for text in texts:
        if char_min_count is None:
            counts.update(set(features(text)))
        else:
            cleaned = clean(text)
            word_features = rich_features(cleaned)
            counts.update(set(word_features))
            gram_counts.update(set(char_grams(cleaned, word_features)))
    kept = [f for f, n in counts.items() if n >= min_count]
    kept.sort(key=lambda f: (-counts[f], f))
    grams = [f for f, n in gram_counts.items() if n >= (char_min_count or 0)]
    grams.sort(key=lambda f: (-gram_counts[f], f))
    return [ALWAYS, *kept, *grams]


@dataclass(frozen=True, slots=True)
class Rows:
    """Messages as a sparse matrix in CSR form, each row scaled as ``vectorise`` says."""

    indices: npt.NDArray[np.int64]
    indptr: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]

    @property
    def count(self) -> int:
        return len(self.indptr) - 1


def vectorise(texts: Sequence[str], index: dict[str, int], char_scale: float | None = None) -> Rows:
    """Without ``char_scale``: the first feature set, binary, the row at unit length. With it: the rich set, its
    word group binary at unit length, plus its character group (gram counts over the message's distinct words)
    divided by the square root of the group's total count and multiplied by ``char_scale``. Two groups scaled
    apart, so the many grams of a long word do not drown the words. The character group's divisor is the count,
    not the Euclidean length, so that the model can keep one sum per word (``SentimentModel._gram_logits``); the
    two differ only when words share grams."""
    indices: list[int] = []
    indptr = [0]
    values: list[float] = []
    for text in texts:
        if char_scale is None:
            ids = {index[f] for f in features(text) if f in index}
            grams: Counter[int] = Counter()
        else:
            cleaned = clean(text)
            word_features = rich_features(cleaned)
            ids = {index[f] for f in word_features if f in index}
            grams = Counter(index[f] for f in char_grams(cleaned, word_features) if f in index)
        ids.add(0)  # ALWAYS
        row = dict.fromkeys(ids, 1.0 / len(ids) ** 0.5)
        total = grams.total()
        for gram, count in grams.items():  # grams and word features never share an index ("#" marks a gram)
            row[gram] = count * (char_scale or 0.0) / total ** 0.5
        indices.extend(sorted(row))
        values.extend(row[i] for i in sorted(row))
        indptr.append(len(indices))
    return Rows(np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64), np.array(values))


def logits(rows: Rows, weights: npt.NDArray[np.float64], bias: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # A label at a time: gathering one contiguous column is five times faster than gathering (n, 3) rows, and
    # training calls this once a step. (Rows are never empty: every message has the ALWAYS feature.)
    columns = np.ascontiguousarray(weights.T)
    sums = [np.add.reduceat(column[rows.indices] * rows.values, rows.indptr[:-1]) for column in columns]
    return np.stack(sums, axis=1) + bias


def sparse_gradient(rows: Rows, row_of: npt.NDArray[np.int64], error: npt.NDArray[np.float64],
                    vocab: int) -> npt.NDArray[np.float64]:
    """The sparse weights' gradient (before regularisation): for each feature, the sum over its rows of value
    times the row's error, a label at a time (contiguous columns again, see ``logits``)."""
    columns = np.ascontiguousarray(error.T)
    return np.stack([np.bincount(rows.indices, weights=rows.values * column[row_of], minlength=vocab)
                     for column in columns], axis=1)


def softmax(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def train_softmax(rows: Rows, labels: npt.NDArray[np.int64], sample_weight: npt.NDArray[np.float64], *,
                  l2: float, steps: int = 400, rate: float = 0.05, seed: int = 0,
                  ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Multinomial logistic regression, full-batch Adam; deterministic (the seed only sets the initial weights)."""
    vocab = int(rows.indices.max()) + 1
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.01, size=(vocab, len(LABELS)))
    bias = np.zeros(len(LABELS))
    target = np.eye(len(LABELS))[labels]
    row_of = np.repeat(np.arange(rows.count), np.diff(rows.indptr))
    total = float(sample_weight.sum())
    m_w, v_w, m_b, v_b = np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)
    for step in range(1, steps + 1):
        error = (softmax(logits(rows, weights, bias)) - target) * sample_weight[:, None] / total
        grad_w = sparse_gradient(rows, row_of, error, vocab) + l2 * weights
        grad_b = error.sum(axis=0)
        for param, grad, m, v in ((weights, grad_w, m_w, v_w), (bias, grad_b, m_b, v_b)):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return weights, bias


def train_softmax_dense(rows: Rows, dense: npt.NDArray[np.float64], labels: npt.NDArray[np.int64],
                        sample_weight: npt.NDArray[np.float64], *, l2: float, steps: int = 400, rate: float = 0.05,
                        seed: int = 0,
                        ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``train_softmax`` over the sparse rows plus dense columns (sentence embeddings, already scaled).

    One model over both, not two models averaged: the n-gram weights and the embedding weights are fitted
    together, so each covers what the other misses. Returns (sparse weights, dense weights, bias); the logits
    are ``logits(rows, weights, bias) + dense @ dense_weights``. The dense gradient is one matrix product,
    which is why this is not done by appending 384 columns to every sparse row (ten times slower)."""
    vocab = int(rows.indices.max()) + 1
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.01, size=(vocab, len(LABELS)))
    dense_weights = rng.normal(0.0, 0.01, size=(dense.shape[1], len(LABELS)))
    bias = np.zeros(len(LABELS))
    target = np.eye(len(LABELS))[labels]
    row_of = np.repeat(np.arange(rows.count), np.diff(rows.indptr))
    total = float(sample_weight.sum())
    params = (weights, dense_weights, bias)
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for step in range(1, steps + 1):
        z = logits(rows, weights, bias) + dense @ dense_weights
        error = (softmax(z) - target) * sample_weight[:, None] / total
        grad_w = sparse_gradient(rows, row_of, error, vocab) + l2 * weights
        grad_d = dense.T @ error + l2 * dense_weights
        adam_step(params, (grad_w, grad_d, error.sum(axis=0)), moments, (rate,) * len(params), step)
    return weights, dense_weights, bias


Moments = list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]


def adam_step(params: Sequence[npt.NDArray[np.float64]], grads: Sequence[npt.NDArray[np.float64]], moments: Moments,
              rates: Sequence[float], step: int) -> None:
    """One Adam update of each parameter in place (its first and second moments kept in ``moments``)."""
    for param, grad, (m, v), rate in zip(params, grads, moments, rates, strict=True):
        m *= 0.9
        m += 0.1 * grad
        v *= 0.999
        v += 0.001 * grad * grad
        param -= rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)


@dataclass
class HiddenLayer:
    """The accurate model's embedding path with one hidden layer: ``relu(x @ weights + bias) @ out``."""

    weights: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]
    out: npt.NDArray[np.float64]

    def logits(self, dense: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.maximum(dense @ self.weights + self.bias, 0.0) @ self.out


def train_softmax_hidden(rows: Rows, dense: npt.NDArray[np.float64], labels: npt.NDArray[np.int64],
                         sample_weight: npt.NDArray[np.float64], *, l2: float, hidden: int, hidden_l2: float,
                         steps: int = 400, rate: float = 0.05, hidden_rate: float = 0.01, seed: int = 0,
                         ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], HiddenLayer]:
    """``train_softmax_dense`` with one ReLU layer of ``hidden`` units between the embedding and the logits.

    Why: a linear read of a sentence embedding misses interactions (5-fold CV over train+tune, embedding alone:
    TFN macro-F1 0.69 linear, 0.71 with 128 hidden units). The layer has its own, stronger L2 and a smaller step
    (it overfits the 12k messages quickly); the n-gram weights keep theirs. Returns (sparse weights, bias, layer);
    the logits are ``logits(rows, weights, bias) + layer.logits(dense)``."""
    vocab = int(rows.indices.max()) + 1
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.01, size=(vocab, len(LABELS)))
    bias = np.zeros(len(LABELS))
    layer = HiddenLayer(rng.normal(0.0, dense.shape[1] ** -0.5, size=(dense.shape[1], hidden)), np.zeros(hidden),
                        rng.normal(0.0, hidden ** -0.5, size=(hidden, len(LABELS))))
    target = np.eye(len(LABELS))[labels]
    row_of = np.repeat(np.arange(rows.count), np.diff(rows.indptr))
    total = float(sample_weight.sum())
    params = (weights, bias, layer.weights, layer.bias, layer.out)
    rates = (rate, rate, hidden_rate, hidden_rate, hidden_rate)
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for step in range(1, steps + 1):
        activation = np.maximum(dense @ layer.weights + layer.bias, 0.0)
        z = logits(rows, weights, bias) + activation @ layer.out
        error = (softmax(z) - target) * sample_weight[:, None] / total
        back = (error @ layer.out.T) * (activation > 0)
        grads = (sparse_gradient(rows, row_of, error, vocab) + l2 * weights, error.sum(axis=0),
                 dense.T @ back + hidden_l2 * layer.weights, back.sum(axis=0),
                 activation.T @ error + hidden_l2 * layer.out)
        adam_step(params, grads, moments, rates, step)
    return weights, bias, layer


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    scores = []
    for label in labels:
        tp = sum(t == p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == label != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label != p for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(1, len(truth))


# The two data sets and how each is split. StockTwits dev is trained on too, so a part of it is carved out for
# reporting (its "report" split), exactly as for Twitter Financial News.
SOURCES = {"tfn": "twitter_financial_news_train.jsonl", "stocktwits": "stocktwits_dev.jsonl"}
FRACTIONS = {"tfn": (0.10, 0.20), "stocktwits": (0.15, 0.25)}  # (tune, report)


def load_splits(data: Path) -> dict[tuple[str, Split], list[Example]]:
    """(source, split) -> examples, for both data sets under ``data`` (``shared/data/sentiment``)."""
    splits: dict[tuple[str, Split], list[Example]] = {}
    for source, name in SOURCES.items():
        tune, report = FRACTIONS[source]
        for example in read_examples(data / name, source):
            splits.setdefault((source, split_of(example.text, tune, report)), []).append(example)
    return splits
