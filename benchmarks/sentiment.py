"""Sentiment figures for the shipped mood model (advisor/mood/sentiment.npz).

    python benchmarks/sentiment.py [--data ../shared/data/sentiment]

Reports on the "report" splits only (advisor.mood.training.split_of): parts of Twitter Financial News and of
StockTwits dev that training never fitted on and tuning never chose on ("tune" is a separate split). Targets:
TFN macro-F1 >= 0.75 (three classes); StockTwits accuracy >= 0.75 (a neutral prediction counts as wrong);
classify throughput >= 20,000 messages/s on one core (an aim: the chat's moderation budget is 3,000/s in all).
benchmarks/moderation.py calls ``main()`` at its end.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.mood.model import SentimentModel  # noqa: E402
from advisor.mood.training import accuracy, load_splits, macro_f1  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sentiment"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(data: Path = DEFAULT_DATA) -> bool:
    """Print the figures; True when every hard target is met."""
    model = SentimentModel.load()
    print("== Sentiment (advisor/mood) ==")
    if not data.is_dir():
        print(f"sentiment data not found at {data}: skipped")
        return True
    splits = load_splits(data)
    results = {}
    for split in ("tune", "report"):
        tfn, st = splits["tfn", split], splits["stocktwits", split]
        f1 = macro_f1([e.label for e in tfn], [s.label for s in model.classify_many(e.text for e in tfn)])
        acc = accuracy([e.label for e in st], [s.label for s in model.classify_many(e.text for e in st)])
        results[split] = (f1, acc, len(tfn), len(st))
    f1, acc, n_tfn, n_st = results["tune"]
    print(f"tune split (used to choose settings; not a result): TFN macro-F1 {f1:.3f} (n={n_tfn}), "
          f"StockTwits accuracy {acc:.3f} (n={n_st})")
    f1, acc, n_tfn, n_st = results["report"]
    print(f"Twitter Financial News, held-out report split (n={n_tfn}): macro-F1 {f1:.3f}  "
          f"target >= 0.75  {verdict(f1 >= 0.75)}")
    print(f"StockTwits dev, held-out report split (n={n_st}): accuracy {acc:.3f}  target >= 0.75  "
          f"{verdict(acc >= 0.75)}")
    texts = [e.text for examples in splits.values() for e in examples][:5000]
    started = time.perf_counter()
    for text in texts:
        model.classify(text)
    single = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    model.classify_many(texts)
    batch = len(texts) / (time.perf_counter() - started)
    print(f"throughput, one core: classify {single:,.0f} msg/s, classify_many {batch:,.0f} msg/s  "
          f"aim >= 20,000  {verdict(single >= 20_000)}")
    return f1 >= 0.75 and acc >= 0.75


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    sys.exit(0 if main(parser.parse_args().data) else 1)
