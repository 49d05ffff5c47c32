"""Compliance guard benchmark: red-team error rates, bundled-corpus over-blocking, screen throughput.

    python benchmarks/guard.py

Red team (tests/data/guard_redteam.jsonl): false-negative rate (blocked sentences let through) and
false-positive rate (allowed sentences blocked), per split (tune/test) and per language. Probe rounds
(tests/data/guard_probes.jsonl): the same now, and what each round showed when it was first run against
the rules of the day (its "first_seen" field). Bundled corpus: every sentence of knowledge/corpus/*.md
(front-matter stripped, split with advisor.composer.split_sentences) the guard blocks. Throughput: screen()
over the corpus and red-team sentences, single thread, best and median of nine passes (the best is the
guard's own cost; the median also carries whatever else the machine was doing), with normalise() alone
for scale.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable

from common import ROOT, read_jsonl

from advisor.composer import split_sentences
from advisor.guard import screen, violations
from advisor.text import normalise
from knowledge.documents import SourceDocument, read_documents
from knowledge.research import BUNDLED_CORPUS

DATA = ROOT / "tests" / "data"


def rates(cases: Iterable[dict]) -> str:
    cases = list(cases)
    blocked = [c for c in cases if c["label"] == "blocked"]
    allowed = [c for c in cases if c["label"] == "allowed"]
    fn = sum(not violations(c["text"]) for c in blocked)
    fp = sum(bool(violations(c["text"])) for c in allowed)
    return (f"FN {fn}/{len(blocked)} ({fn / max(len(blocked), 1):.1%})   "
            f"FP {fp}/{len(allowed)} ({fp / max(len(allowed), 1):.1%})")


def red_team() -> None:
    cases = read_jsonl(DATA / "guard_redteam.jsonl")
    print(f"== red team: {len(cases)} sentences")
    for split in ("tune", "test"):
        for lang in ("en", "zh", None):
            subset = [c for c in cases if c["split"] == split and (lang is None or c["lang"] == lang)]
            print(f"  {split:<5} {lang or 'all':<4} {rates(subset)}")
    print(f"  all   all  {rates(cases)}")


def probes() -> None:
    cases = read_jsonl(DATA / "guard_probes.jsonl")
    print(f"\n== probe rounds: {len(cases)} fresh sentences, written after the red team")
    for number in sorted({c["round"] for c in cases}):
        subset = [c for c in cases if c["round"] == number]
        missed = sum(c["first_seen"] == "missed" for c in subset)
        over = sum(c["first_seen"] == "over-blocked" for c in subset)
        blocked = sum(c["label"] == "blocked" for c in subset)
        print(f"  round {number}: first seen FN {missed}/{blocked} ({missed / blocked:.0%}), "
              f"FP {over}/{len(subset) - blocked} ({over / (len(subset) - blocked):.0%});   now {rates(subset)}")


def corpus_sentences() -> list[str]:
    docs = [d for d in read_documents([BUNDLED_CORPUS]) if isinstance(d, SourceDocument)]
    return [s for d in docs for s in split_sentences(d.text)]


def corpus() -> list[str]:
    sentences = corpus_sentences()
    _, dropped = screen(sentences)
    print(f"\n== bundled corpus: {len(dropped)} of {len(sentences)} sentences blocked "
          f"({len(dropped) / len(sentences):.2%}; the test allows 2%)")
    for sentence, rule in dropped:
        print(f"  [{rule}] {sentence}")
    return sentences


def rate(work: Callable[[list[str]], object], sentences: list[str], passes: int = 9) -> tuple[float, float]:
    """(best, median) sentences per second over ``passes`` passes."""
    work(sentences[:50])  # warm up
    seconds = []
    for _ in range(passes):
        start = time.perf_counter()
        work(sentences)
        seconds.append(time.perf_counter() - start)
    return len(sentences) / min(seconds), len(sentences) / statistics.median(seconds)


def throughput(sentences: list[str]) -> None:
    average = sum(len(s) for s in sentences) / len(sentences)
    print(f"\n== throughput over {len(sentences)} sentences ({average:.0f} characters on average), single thread")
    for name, work in (("screen()", screen), ("normalise() alone", lambda batch: [normalise(s) for s in batch])):
        best, median = rate(work, sentences)
        print(f"  {name:<18} best {best:8,.0f} sentences/s   median {median:8,.0f}")


if __name__ == "__main__":
    red_team()
    probes()
    sentences = corpus()
    throughput(sentences + [c["text"] for c in read_jsonl(DATA / "guard_redteam.jsonl")])
