"""Advisor benchmark: citations on FiQA, answer spans on TAT-QA, compliance, latency, abstention.

    python benchmarks/advisor.py               # everything (the 20k-chunk latency part reuses
                                               # benchmarks/.cache from benchmarks/retrieval.py)
    python benchmarks/advisor.py --calibrate   # evidence strengths: answerable vs off-topic questions

FiQA: share of the 200 questions whose gold document is among the answer's citations.
TAT-QA: the 373 dev questions answered from text: share whose answer quotes at most 4 sentences and
contains every gold answer span, beside a naive baseline (BM25 top-2 documents, the 3 sentences closest
to the question by embedding), in the same run.
Every answer is checked for a risk level, a disclaimer and L1 promissory words.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np
from common import CACHE, dev_questions, distinct, percentile, read_jsonl, shared_data

from advisor.advisor import ABSTAIN_BELOW, Advisor
from advisor.compliance import promissory_words
from advisor.composer import GroundedComposer, split_sentences
from advisor.profiles import MemoryProfileStore
from advisor.types import Answer, Question
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.research import Research

OFFTOPIC = Path(__file__).with_name("offtopic.txt")
BUNDLED_QUESTIONS = Path(__file__).with_name("bundled_questions.jsonl")


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def quoted_sentences(answer: Answer) -> int:
    return len(re.findall(r"\[\d+\]", answer.text))


def research_for(name: str, embedder: MiniLMEmbeddings) -> Research:
    research = Research.open(CACHE / "quality" / name, embedder=embedder)
    research.ingest([shared_data("retrieval", name, "corpus.jsonl")], name)  # incremental: fast when cached
    return research


def make_advisor(research: Research, collection: str) -> Advisor:
    return Advisor(research.retriever, GroundedComposer(), MemoryProfileStore(),
                   collection=collection)


class Audit:
    def __init__(self) -> None:
        self.answers = 0
        self.missing_label = 0
        self.promissory: list[str] = []

    def check(self, answer: Answer) -> None:
        self.answers += 1
        if not (answer.risk.level and answer.risk.reason and answer.disclaimer):
            self.missing_label += 1
        self.promissory += promissory_words(answer.text)


def fiqa(embedder: MiniLMEmbeddings, audit: Audit) -> None:
    advisor = make_advisor(research_for("fiqa", embedder), "fiqa")
    queries = read_jsonl(shared_data("retrieval", "fiqa", "queries.jsonl"))
    cited = abstained = 0
    for q in queries:
        answer = advisor.answer(Question(q["text"]))
        audit.check(answer)
        abstained += answer.abstained
        cited += bool(set(q["relevant"]) & {c.doc_id for c in answer.citations})
    print(f"\n== FiQA dev, {len(queries)} questions: gold document cited for {cited / len(queries):.1%} "
          f"(target >= 92%); abstained {abstained / len(queries):.1%}")


def tatqa(embedder: MiniLMEmbeddings, audit: Audit) -> None:
    research = research_for("tatqa", embedder)
    advisor = make_advisor(research, "tatqa")
    retriever = research.retriever("tatqa")
    queries = [q for q in read_jsonl(shared_data("retrieval", "tatqa", "queries.jsonl"))
               if q["answer_from"] == "text" and isinstance(q["answer"], list)]  # 373; 16 are arithmetic
    doc_sentences = _sentences_by_doc(research)
    ours = base = abstained = over_limit = 0
    for q in queries:
        spans = [normalise(str(a)) for a in q["answer"]]
        answer = advisor.answer(Question(q["text"]))
        audit.check(answer)
        abstained += answer.abstained
        over_limit += quoted_sentences(answer) > 4
        text = normalise(answer.text)
        ours += quoted_sentences(answer) <= 4 and all(span in text for span in spans)
        # Naive baseline: BM25 top-2 documents, the 3 sentences closest to the question by embedding.
        docs = distinct(h.doc_id for h in retriever.search(q["text"], k=40, mode="lexical"))[:2]
        pool = [s for d in docs for s in doc_sentences[d]]
        if pool:
            vectors = embedder.embed([q["text"], *pool])
            best = np.argsort(-(vectors[1:] @ vectors[0]))[:3]
            baseline = normalise(" ".join(pool[i] for i in best))
            base += all(span in baseline for span in spans)
    n = len(queries)
    print(f"\n== TAT-QA dev, {n} text-answer questions: answer <= 4 quoted sentences and contains every gold span: "
          f"ours {ours / n:.1%} (target >= 85%) vs naive baseline {base / n:.1%}; abstained {abstained / n:.1%}; "
          f"over 4 sentences {over_limit}")


def _sentences_by_doc(research: Research) -> dict[str, list[str]]:
    store = research.store("tatqa")
    got = store.collection.get(include=["documents", "metadatas"])
    chunks: dict[str, list[tuple[int, str]]] = {}
    for text, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
        chunks.setdefault(str(meta["doc_id"]), []).append((int(meta["chunk_index"]), text or ""))
    return {doc: distinct(s for _, text in sorted(parts) for s in split_sentences(text))
            for doc, parts in chunks.items()}


def latency(embedder: MiniLMEmbeddings, samples: int) -> None:
    home = CACHE / "latency"
    research = Research.open(home, embedder=embedder)
    if "bench-latency" not in research.collection_names():
        print("\n(latency skipped: run benchmarks/retrieval.py once to build the 20k-chunk collection)")
        return
    advisor = make_advisor(research, "bench-latency")
    queries = dev_questions(seed=11)
    for q in queries[:20]:
        advisor.answer(Question(q))
    timings = []
    for q in queries[:samples]:
        started = time.perf_counter()
        advisor.answer(Question(q))
        timings.append((time.perf_counter() - started) * 1000)
    chunks = research.store("bench-latency").count()
    print(f"\n== ask latency, grounded composer, {chunks} chunks, {len(timings)} warm questions: "
          f"p50 {percentile(timings, 50):.1f} ms, p95 {percentile(timings, 95):.1f} ms (targets 60 / 150 ms)")


def calibrate(embedder: MiniLMEmbeddings) -> None:
    """Best-passage scores of answerable questions vs off-topic ones, per collection, and abstention rates."""
    offtopic = [line.strip() for line in OFFTOPIC.read_text(encoding="utf-8").splitlines() if line.strip()]
    bundled = Research.open(CACHE / "quality" / "bundled", embedder=embedder)
    bundled.ensure_bundled()
    sets = {"fiqa": (research_for("fiqa", embedder), dev_texts("fiqa")),
            "tatqa": (research_for("tatqa", embedder), dev_texts("tatqa")),
            "research": (bundled, [q["text"] for q in read_jsonl(BUNDLED_QUESTIONS)])}
    print(f"threshold ABSTAIN_BELOW = {ABSTAIN_BELOW}")
    for name, (research, questions) in sets.items():
        retriever = research.retriever(name)
        answerable = np.array([retriever.search(q, k=1)[0].score for q in questions])
        off = np.array([retriever.search(q, k=1)[0].score for q in offtopic])
        print(f"{name:9} answerable ({len(questions)}): p1 {np.percentile(answerable, 1):.3f} "
              f"p2 {np.percentile(answerable, 2):.3f} p5 {np.percentile(answerable, 5):.3f}; would abstain on "
              f"{(answerable < ABSTAIN_BELOW).mean():.1%} | off-topic ({len(off)}): p50 {np.median(off):.3f} "
              f"p90 {np.percentile(off, 90):.3f} max {off.max():.3f}; abstains on {(off < ABSTAIN_BELOW).mean():.1%}")


def dev_texts(name: str) -> list[str]:
    return [q["text"] for q in read_jsonl(shared_data("retrieval", name, "queries.jsonl"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    embedder = MiniLMEmbeddings()
    if args.calibrate:
        calibrate(embedder)
        return
    audit = Audit()
    fiqa(embedder, audit)
    tatqa(embedder, audit)
    print(f"\n== compliance over {audit.answers} answers: {audit.answers - audit.missing_label} carry a risk level and "
          f"a disclaimer; L1 promissory words outside quoted warnings: {len(audit.promissory)} {audit.promissory[:5]}")
    if not args.skip_latency:
        latency(embedder, args.samples)


if __name__ == "__main__":
    main()
