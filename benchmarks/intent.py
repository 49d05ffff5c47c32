"""Intent routing benchmark on the labelled sets tests/data/intents.jsonl and intents_holdout.jsonl.

    python benchmarks/intent.py                    # every split: figures, confusion matrices, latency
    python benchmarks/intent.py --split tune -v    # one split, listing every misrouted question

Per split and language: accuracy; recall of personal_advice, of prediction and of both together (target
>= 98% each); the share of education questions routed elsewhere (target <= 3%); per-intent precision and
recall; and a confusion matrix (rows: labelled intent, columns: routed intent).

Splits: the rules were tuned on "tune". "test" was held out until its first evaluation (98.5% accuracy,
education misrouted 3.4%); its three misses were then fixed, so it is no longer unseen. "holdout" (a separate
file) was written after that first look and before the fixes, and is the honest figure for the current rules.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from common import percentile, read_jsonl

from advisor.intent import Intent, classify, read_intent

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FILES = ("intents.jsonl", "intents_holdout.jsonl")
SPLITS = ("tune", "test", "holdout", "holdout2", "holdout3", "holdout4")
INTENTS: tuple[Intent, ...] = ("education", "personal_advice", "prediction", "quote", "portfolio", "off_topic",
                               "injection")
SHORT = {"education": "edu", "personal_advice": "advice", "prediction": "pred", "quote": "quote",
         "portfolio": "portf", "off_topic": "off", "injection": "inject"}


def ratio(hits: int, total: int) -> str:
    return f"{hits / total:6.1%} ({hits}/{total})" if total else "     -"


def figures(rows: list[dict[str, str]], routed: list[str]) -> dict[str, tuple[int, int]]:
    """(hits, total) for the headline figures; ``routed`` is the intent given to each row."""
    pairs = list(zip((r["intent"] for r in rows), routed, strict=True))
    right = lambda label: sum(g == label and p == label for g, p in pairs)  # noqa: E731
    count = lambda label: sum(g == label for g, _ in pairs)  # noqa: E731
    return {
        "accuracy": (sum(g == p for g, p in pairs), len(pairs)),
        "advice recall": (right("personal_advice"), count("personal_advice")),
        "prediction recall": (right("prediction"), count("prediction")),
        "advice+prediction recall": (right("personal_advice") + right("prediction"),
                                     count("personal_advice") + count("prediction")),
        "education misrouted": (count("education") - right("education"), count("education")),
    }


def report(name: str, rows: list[dict[str, str]], verbose: bool) -> None:
    routed: list[str] = [classify(r["text"]) for r in rows]
    print(f"\n=== {name} split: {len(rows)} questions ===")
    for lang in ("all", "en", "zh"):
        picked = [i for i, r in enumerate(rows) if lang == "all" or r["lang"] == lang]
        shown = figures([rows[i] for i in picked], [routed[i] for i in picked])
        print(f"  [{lang}] " + "  ".join(f"{key}: {ratio(*value).strip()}" for key, value in shown.items()))
    confusion = Counter(zip((r["intent"] for r in rows), routed, strict=True))
    print("\n  per intent        precision            recall")
    for intent in INTENTS:
        tp = confusion[intent, intent]
        print(f"  {intent:16} {ratio(tp, sum(confusion[g, intent] for g in INTENTS)):>20} "
              f"{ratio(tp, sum(confusion[intent, p] for p in INTENTS)):>20}")
    print("\n  confusion (rows: labelled, columns: routed)")
    print("  " + " " * 10 + "".join(f"{SHORT[p]:>8}" for p in INTENTS))
    for gold in INTENTS:
        print(f"  {SHORT[gold]:10}" + "".join(f"{confusion[gold, p] or '.':>8}" for p in INTENTS))
    if verbose:
        for row, got in zip(rows, routed, strict=True):
            if got != row["intent"]:
                print(f"  MISS {row['intent']:>15} -> {got:15} {read_intent(row['text']).rule:35} {row['text']}")


def latency(texts: list[str], rounds: int = 20) -> None:
    for text in texts:  # warm caches and compiled patterns
        classify(text)
    timings: list[float] = []
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            began = time.perf_counter_ns()
            classify(text)
            timings.append((time.perf_counter_ns() - began) / 1000)
    elapsed = time.perf_counter() - start
    print(f"\n=== latency: {len(timings)} classify calls ===")
    print(f"  throughput {len(timings) / elapsed:,.0f} questions/s; per question (µs): "
          f"p50 {percentile(timings, 50):.1f}  p95 {percentile(timings, 95):.1f}  p99 {percentile(timings, 99):.1f}  "
          f"max {max(timings):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misrouted questions")
    args = parser.parse_args()
    rows = [row for name in FILES for row in read_jsonl(DATA / name)]
    for split in SPLITS:
        if args.split in (split, "all"):
            report(split, [r for r in rows if r["split"] == split], args.verbose)
    latency([r["text"] for r in rows])


if __name__ == "__main__":
    main()
