"""Helpers shared by the benchmark scripts: data discovery, ranking metrics, percentiles."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("ROUNDTABLE_SHARED", ROOT.parent / "shared"))
CACHE = ROOT / "benchmarks" / ".cache"


def shared_data(*parts: str) -> Path:
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        sys.exit(f"benchmark data not found at {path}; set ROUNDTABLE_SHARED to the shared/ folder")
    return path


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def distinct(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def ranking_metrics(ranked: Sequence[str], relevant: set[str]) -> dict[str, float]:
    """recall@1/5/10, MRR@10 and nDCG@10 (binary relevance) of one ranked list of doc ids."""
    hits = [doc in relevant for doc in ranked[:10]]
    dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(hits) if hit)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    first = next((i for i, hit in enumerate(hits) if hit), None)
    return {
        "recall@1": sum(hits[:1]) / len(relevant),
        "recall@5": sum(hits[:5]) / len(relevant),
        "recall@10": sum(hits) / len(relevant),
        "mrr@10": 1 / (first + 1) if first is not None else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]} if rows else {}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]


def dev_questions(seed: int) -> list[str]:
    """FiQA and TAT-QA dev questions, shuffled: the query mix for latency runs."""
    import random

    questions = [q["text"] for name in ("fiqa", "tatqa")
                 for q in read_jsonl(shared_data("retrieval", name, "queries.jsonl"))]
    random.Random(seed).shuffle(questions)
    return questions


def graded_ndcg(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> float:
    """nDCG@k with graded relevance (gain = grade; a document not in ``grades`` has grade 0)."""
    dcg = sum(grades.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(grades.values(), reverse=True)[:k]))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int = 5) -> float:
    wanted = set(relevant)
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0
