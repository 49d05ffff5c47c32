"""Train the mood sentiment model and write advisor/mood/sentiment.npz.

    PYTHONHASHSEED=0 python scripts/train_sentiment.py [--data ../shared/data/sentiment] [--out ...]
    PYTHONHASHSEED=0 python scripts/train_sentiment.py --accurate [--embeddings CACHE.npz]

The second form writes advisor/mood/sentiment_minilm.npz (``SentimentModel.load(accurate=True)``): the n-gram
features plus each message's all-MiniLM-L6-v2 embedding (knowledge.embeddings, the bundled int8 ONNX model, one
thread so the sums repeat), fitted jointly (advisor.mood.training.train_softmax_dense). Embedding the 16k messages
takes ~10 minutes on one busy core; ``--embeddings`` keeps them in a cache file between runs.

Reproducible: the splits and folds come from a hash of each message (advisor.mood.training.split_of, fold_of),
the optimiser is full-batch and the initial weights come from a fixed seed, so the same data gives the same file.
(PYTHONHASHSEED: advisor.text.normalise breaks rare ties in set order, which could change a feature of a few
messages.)

Features: the rich set (advisor.mood.features: token 1-3-grams, lexicon and direction tags, and the character
3-5-grams of words, kept when seen in >= 3 training messages) for both models; the accurate model adds the
embedding, read linearly or through one hidden ReLU layer (both are candidates in its grid).

Splits (per data set, advisor.mood.training.load_splits): "train" and "tune" together are the fitting pool;
"report" is never looked at here except to print it at the very end, after every choice is made
(benchmarks/sentiment.py prints the same figures from the shipped file).
Choices are made by 5-fold cross-validation over the pool (folds by message hash; each fold's vocabulary is
built from the other four): each candidate setting (regularisation, StockTwits sample weight, character-gram
scale, embedding scale) is trained five times, and the two class-bias offsets are chosen on the pooled
out-of-fold logits. The best setting is then refitted on the whole pool (train + tune) and the offsets added.
Selection objective: the smaller of Twitter Financial News macro-F1 (three classes) and StockTwits accuracy
(bullish/bearish; a neutral prediction is wrong), so neither target is bought with the other.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.mood.model import ACCURATE_WEIGHTS, WEIGHTS, SentimentModel  # noqa: E402
from advisor.mood.training import (  # noqa: E402
    FRACTIONS,
    SOURCES,
    Example,
    HiddenLayer,
    accuracy,
    build_vocabulary,
    fold_of,
    load_splits,
    logits,
    macro_f1,
    train_softmax,
    train_softmax_dense,
    train_softmax_hidden,
    vectorise,
)
from advisor.mood.types import LABELS  # noqa: E402

Array = np.ndarray[Any, Any]
SEED = 20240611
FOLDS = 5
MIN_COUNT = 2
CHAR_MIN_COUNT = 3  # character grams seen in fewer training messages are dropped (file size)
STEPS = 300
OFFSETS_NEUTRAL = np.arange(-1.5, 1.51, 0.25)  # added to the neutral logit
OFFSETS_BEARISH = np.arange(-1.0, 1.51, 0.25)  # added to the bearish logit (StockTwits is 84% bullish)


@dataclass(frozen=True)
class Setting:
    l2: float
    stocktwits_weight: float
    char_scale: float | None  # None: the first feature set (no character grams), see advisor.mood.features
    embedding_scale: float | None = None  # None: the fast model (no embedding)
    hidden: int = 0  # accurate model: hidden units between the embedding and the logits (0: a linear read)
    hidden_l2: float = 0.0


# The fast model's grid: cross-validated TFN macro-F1 was flat across it (0.747-0.751, 2026-11-29); the
# regularisation and the StockTwits weight are not where its errors come from (they are headlines whose mood
# needs world knowledge: "euro approaching record-low levels vs. the Swiss franc" is bearish).
GRID_FAST = [Setting(1e-5, 0.25, 0.5), Setting(3e-6, 0.25, 0.5), Setting(1e-5, 0.5, 0.5), Setting(3e-5, 0.25, 0.5)]
# The accurate model's grid. Searched before (5-fold CV TFN macro-F1, 2026-11-29): the first feature set with a
# linear read of the embedding 0.761 (the model shipped until then); the rich set 0.768 at embedding scale 1.0,
# 0.765 at 2.0. What is left to choose: a linear read, or a hidden layer of 128 units.
GRID_ACCURATE = [Setting(1e-5, 0.5, 0.5, 1.0), Setting(1e-5, 0.5, 0.5, 1.0, hidden=128, hidden_l2=1e-3)]


def char_min_count(setting: Setting) -> int | None:
    return None if setting.char_scale is None else CHAR_MIN_COUNT


@dataclass
class Fitted:
    weights: Array
    bias: Array
    dense: Array | None  # embedding weights (accurate model, linear read)
    layer: HiddenLayer | None = None  # or its hidden layer


def fit(examples: list[Example], index: dict[str, int], setting: Setting, embedded: Array | None) -> Fitted:
    rows = vectorise([e.text for e in examples], index, setting.char_scale)
    labels = np.array([LABELS.index(e.label) for e in examples])
    sample_weight = np.array([1.0 if e.source == "tfn" else setting.stocktwits_weight for e in examples])
    if setting.embedding_scale is None or embedded is None:
        weights, bias = train_softmax(rows, labels, sample_weight, l2=setting.l2, steps=STEPS, seed=SEED)
        return Fitted(weights, bias, None)
    if setting.hidden:
        weights, bias, layer = train_softmax_hidden(
            rows, setting.embedding_scale * embedded, labels, sample_weight, l2=setting.l2, hidden=setting.hidden,
            hidden_l2=setting.hidden_l2, steps=STEPS, seed=SEED)
        return Fitted(weights, bias, None, layer)
    weights, dense, bias = train_softmax_dense(rows, setting.embedding_scale * embedded, labels, sample_weight,
                                               l2=setting.l2, steps=STEPS, seed=SEED)
    return Fitted(weights, bias, dense)


def scores(model: Fitted, examples: list[Example], index: dict[str, int], setting: Setting,
           embedded: Array | None) -> Array:
    z = logits(vectorise([e.text for e in examples], index, setting.char_scale), model.weights, model.bias)
    if embedded is not None and setting.embedding_scale is not None:
        if model.dense is not None:
            z = z + setting.embedding_scale * embedded @ model.dense
        if model.layer is not None:
            z = z + model.layer.logits(setting.embedding_scale * embedded)
    return z


def figures(examples: list[Example], z: Array) -> tuple[float, float]:
    """(TFN macro-F1, StockTwits accuracy) of the logits ``z`` (one row per example)."""
    predicted = [LABELS[i] for i in z.argmax(axis=1)]
    tfn = [(e.label, p) for e, p in zip(examples, predicted, strict=True) if e.source == "tfn"]
    st = [(e.label, p) for e, p in zip(examples, predicted, strict=True) if e.source == "stocktwits"]
    return macro_f1(*zip(*tfn, strict=True)), accuracy(*zip(*st, strict=True))


def best_offsets(examples: list[Example], z: Array) -> tuple[float, float, float, float]:
    """(neutral offset, bearish offset, TFN macro-F1, StockTwits accuracy) maximising the smaller figure."""
    best = (0.0, 0.0, -1.0, -1.0)
    for neutral, bearish in itertools.product(OFFSETS_NEUTRAL, OFFSETS_BEARISH):
        f1, acc = figures(examples, z + np.array([bearish, neutral, 0.0]))
        if min(f1, acc) > min(best[2], best[3]) + 1e-9:
            best = (float(neutral), float(bearish), f1, acc)
    return best


def cross_validate(pool: list[Example], embedded: Array | None, setting: Setting,
                   vocabularies: dict[tuple[int, bool], dict[str, int]]) -> Array:
    """Out-of-fold logits for every pool message (a fold's vocabulary is built from the other folds only)."""
    fold = np.array([fold_of(e.text, FOLDS) for e in pool])
    z = np.zeros((len(pool), len(LABELS)))
    for k in range(FOLDS):
        inside, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        train = [pool[i] for i in inside]
        key = (k, setting.char_scale is not None)
        if key not in vocabularies:
            vocabulary = build_vocabulary((e.text for e in train), MIN_COUNT, char_min_count(setting))
            vocabularies[key] = {feature: i for i, feature in enumerate(vocabulary)}
        model = fit(train, vocabularies[key], setting, None if embedded is None else embedded[inside])
        z[held] = scores(model, [pool[i] for i in held], vocabularies[key], setting,
                         None if embedded is None else embedded[held])
    return z


def embeddings(splits: dict[tuple[str, str], list[Example]], cache: Path | None) -> dict[tuple[str, str], Array]:
    """Each split's MiniLM embeddings (float64), from ``cache`` when it holds them for the same messages."""
    from knowledge.embeddings import MiniLMEmbeddings

    stored = dict(np.load(cache)) if cache and cache.is_file() else {}
    out = {}
    embedder = MiniLMEmbeddings(batch_size=64, threads=1)
    for key, examples in sorted(splits.items()):
        name = "|".join(key)
        if name not in stored or len(stored[name]) != len(examples):
            print(f"embedding {name} ({len(examples)} messages)...", flush=True)
            stored[name] = embedder.embed([e.text for e in examples])
        out[key] = stored[name].astype(np.float64)
    if cache:
        np.savez(cache, **stored)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "sentiment")
    parser.add_argument("--out", type=Path, default=None, help="default: the shipped file of the chosen model")
    parser.add_argument("--accurate", action="store_true", help="n-grams + MiniLM embedding (sentiment_minilm.npz)")
    parser.add_argument("--embeddings", type=Path, default=None, help="cache file for the MiniLM embeddings")
    parser.add_argument("--cv-only", action="store_true", help="print the cross-validation figures and stop")
    args = parser.parse_args()
    out: Path = args.out or (ACCURATE_WEIGHTS if args.accurate else WEIGHTS)
    started = time.perf_counter()
    splits = load_splits(args.data)
    for key in sorted(splits):
        print(f"{key[0]:>10} {key[1]:<6} {len(splits[key]):>5} messages")
    keys = [(source, split) for source in SOURCES for split in ("train", "tune")]
    pool = [e for key in keys for e in splits[key]]
    embedded = embeddings(splits, args.embeddings) if args.accurate else {}
    pool_embedded = np.vstack([embedded[key] for key in keys]) if embedded else None

    vocabularies: dict[tuple[int, bool], dict[str, int]] = {}  # per fold and feature set, shared by settings
    best: tuple[float, Setting, float, float, float, float] | None = None  # (objective, setting, offsets, figures)
    for setting in GRID_ACCURATE if args.accurate else GRID_FAST:
        z = cross_validate(pool, pool_embedded, setting, vocabularies)
        neutral, bearish, f1, acc = best_offsets(pool, z)
        print(f"{setting}: {FOLDS}-fold CV TFN macro-F1 {f1:.3f}, StockTwits accuracy {acc:.3f} "
              f"(neutral {neutral:+.2f}, bearish {bearish:+.2f})", flush=True)
        if best is None or min(f1, acc) > best[0] + 1e-9:
            best = (min(f1, acc), setting, neutral, bearish, f1, acc)
    assert best is not None
    _, setting, neutral, bearish, cv_f1, cv_acc = best

    if args.cv_only:
        return
    vocabulary = build_vocabulary((e.text for e in pool), MIN_COUNT, char_min_count(setting))
    index = {feature: i for i, feature in enumerate(vocabulary)}
    print(f"refitting on train + tune ({len(pool)} messages, vocabulary {len(vocabulary)} features)", flush=True)
    model = fit(pool, index, setting, pool_embedded)
    chosen = {**asdict(setting), "neutral_offset": neutral, "bearish_offset": bearish}
    info = {"trained_by": "scripts/train_sentiment.py", "seed": SEED, "steps": STEPS, "min_count": MIN_COUNT,
            "char_min_count": char_min_count(setting), "fitted_on": "train+tune", "folds": FOLDS,
            "chosen_by_cross_validation": chosen, "fractions_tune_report": FRACTIONS,
            "data_sha256": {name: hashlib.sha256((args.data / name).read_bytes()).hexdigest()
                            for name in SOURCES.values()},
            "cross_validation": {"tfn_macro_f1": round(cv_f1, 4), "stocktwits_accuracy": round(cv_acc, 4)}}
    if setting.embedding_scale is not None:
        info["embeddings"] = "knowledge.embeddings.MiniLMEmbeddings (all-MiniLM-L6-v2 int8 ONNX, 384-d, unit)"
    bias = model.bias + np.array([bearish, neutral, 0.0])
    read_out = model.dense if model.layer is None else model.layer.out  # what turns the embedding into logits
    dense_out = None if read_out is None else read_out.astype(np.float32)
    hidden = None if model.layer is None else (model.layer.weights.astype(np.float32),
                                               model.layer.bias.astype(np.float32))
    SentimentModel(vocabulary, model.weights.astype(np.float32), bias.astype(np.float32), info,
                   dense_out, setting.embedding_scale or 1.0, setting.char_scale, hidden).save(out)
    # Read back what was written (float16 weights) and report from that, as the benchmark will.
    saved = SentimentModel.read(out)
    report = splits["tfn", "report"] + splits["stocktwits", "report"]
    z = logits(vectorise([e.text for e in report], saved.index, saved.char_scale), saved.weights, saved.bias)
    if saved.dense_weights is not None:
        report_embedded = np.vstack([embedded["tfn", "report"], embedded["stocktwits", "report"]])
        z = z + saved.dense_part(report_embedded)
    f1_report, acc_report = figures(report, z)
    print(f"chosen by cross-validation: {chosen}")
    print(f"{FOLDS}-fold CV over train+tune (choices): TFN macro-F1 {cv_f1:.3f}, StockTwits accuracy {cv_acc:.3f}")
    print(f"report (held out):  TFN macro-F1 {f1_report:.3f}, StockTwits accuracy {acc_report:.3f}")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
