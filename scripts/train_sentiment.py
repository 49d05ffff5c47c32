"""Train the mood sentiment model and write advisor/mood/sentiment.npz.

    PYTHONHASHSEED=0 python scripts/train_sentiment.py [--data ../shared/data/sentiment] [--out ...]

Reproducible: the splits come from a hash of each message (advisor.mood.training.split_of), the optimiser is
full-batch and the initial weights come from a fixed seed, so the same data gives the same file. (PYTHONHASHSEED:
advisor.text.normalise breaks rare ties in set order, which could change a feature of a few messages.)

Splits (per data set): "train" fits the weights; "tune" chooses the regularisation, the StockTwits sample weight
and two class-bias offsets; "report" is never looked at here except to print it at the very end, after every
choice is made (benchmarks/sentiment.py prints the same figures from the shipped file).
Selection objective on "tune": the smaller of Twitter Financial News macro-F1 (three classes) and StockTwits
accuracy (bullish/bearish; a neutral prediction is wrong), so neither target is bought with the other.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.mood.model import SentimentModel  # noqa: E402
from advisor.mood.training import (  # noqa: E402
    FRACTIONS,
    SOURCES,
    Example,
    Rows,
    accuracy,
    build_vocabulary,
    load_splits,
    logits,
    macro_f1,
    train_softmax,
    vectorise,
)
from advisor.mood.types import LABELS  # noqa: E402

SEED = 20240611
MIN_COUNT = 2
STEPS = 300
GRID_L2 = (3e-5, 1e-5)
GRID_STOCKTWITS_WEIGHT = (0.5, 1.0)
OFFSETS_NEUTRAL = np.arange(-1.5, 1.51, 0.25)  # added to the neutral logit
OFFSETS_BEARISH = np.arange(-1.0, 1.51, 0.25)  # added to the bearish logit (StockTwits is 84% bullish)


def predictions(rows: Rows, weights: np.ndarray, bias: np.ndarray) -> list[str]:  # type: ignore[type-arg]
    return [LABELS[i] for i in logits(rows, weights, bias).argmax(axis=1)]


def figures(splits: dict[tuple[str, str], list[Example]], split: str, rows: dict[tuple[str, str], Rows],
            weights: np.ndarray, bias: np.ndarray) -> tuple[float, float]:  # type: ignore[type-arg]
    tfn, st = ("tfn", split), ("stocktwits", split)
    f1 = macro_f1([e.label for e in splits[tfn]], predictions(rows[tfn], weights, bias))
    acc = accuracy([e.label for e in splits[st]], predictions(rows[st], weights, bias))
    return f1, acc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "sentiment")
    parser.add_argument("--out", type=Path, default=ROOT / "advisor" / "mood" / "sentiment.npz")
    args = parser.parse_args()
    started = time.perf_counter()
    splits = load_splits(args.data)
    for key in sorted(splits):
        print(f"{key[0]:>10} {key[1]:<6} {len(splits[key]):>5} messages")
    train = splits["tfn", "train"] + splits["stocktwits", "train"]
    vocabulary = build_vocabulary((e.text for e in train), MIN_COUNT)
    index = {feature: i for i, feature in enumerate(vocabulary)}
    rows = {key: vectorise([e.text for e in examples], index) for key, examples in splits.items()}
    train_rows = vectorise([e.text for e in train], index)
    labels = np.array([LABELS.index(e.label) for e in train])
    print(f"vocabulary: {len(vocabulary)} features")

    best: tuple[float, float, float, np.ndarray, np.ndarray, dict[str, float]] | None = None  # type: ignore[type-arg]
    for l2, st_weight in itertools.product(GRID_L2, GRID_STOCKTWITS_WEIGHT):
        sample_weight = np.array([1.0 if e.source == "tfn" else st_weight for e in train])
        weights, bias = train_softmax(train_rows, labels, sample_weight, l2=l2, steps=STEPS, seed=SEED)
        for neutral, bearish in itertools.product(OFFSETS_NEUTRAL, OFFSETS_BEARISH):
            shifted = bias + np.array([bearish, neutral, 0.0])
            f1, acc = figures(splits, "tune", rows, weights, shifted)
            if best is None or min(f1, acc) > min(best[0], best[1]) + 1e-9:
                best = (f1, acc, l2, weights, shifted, {"l2": l2, "stocktwits_weight": st_weight,
                                                        "neutral_offset": float(neutral),
                                                        "bearish_offset": float(bearish)})
        print(f"l2={l2:g} stocktwits_weight={st_weight:g}: best so far on tune: "
              f"TFN macro-F1 {best[0]:.3f}, StockTwits accuracy {best[1]:.3f}")
    assert best is not None
    f1, acc, _, weights, bias, chosen = best
    info = {"trained_by": "scripts/train_sentiment.py", "seed": SEED, "steps": STEPS, "min_count": MIN_COUNT,
            "chosen_on_tune": chosen, "fractions_tune_report": FRACTIONS,
            "data_sha256": {name: hashlib.sha256((args.data / name).read_bytes()).hexdigest()
                            for name in SOURCES.values()},
            "tune": {"tfn_macro_f1": round(f1, 4), "stocktwits_accuracy": round(acc, 4)}}
    model = SentimentModel(vocabulary, weights.astype(np.float32), bias.astype(np.float32), info)
    model.save(args.out)
    # Read back what was written (float16 weights) and report from that, as the benchmark will.
    saved = SentimentModel.read(args.out)
    f1_tune, acc_tune = figures(splits, "tune", rows, saved.weights, saved.bias)
    f1_report, acc_report = figures(splits, "report", rows, saved.weights, saved.bias)
    print(f"chosen on tune: {chosen}")
    print(f"tune   (used for choices): TFN macro-F1 {f1_tune:.3f}, StockTwits accuracy {acc_tune:.3f}")
    print(f"report (held out):         TFN macro-F1 {f1_report:.3f}, StockTwits accuracy {acc_report:.3f}")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
