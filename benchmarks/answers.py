"""Answers that stay on topic: the composer's relevance check on a labelled question set, old vs new.

    python benchmarks/answers.py            # figures per split and language, old vs new; ask latency
    python benchmarks/answers.py --dev      # also FiQA citations and TAT-QA spans, old vs new (shared data)
    python benchmarks/answers.py --sweep    # the tuning sweep behind RelevanceCheck (tune split only)

tests/data/answers.jsonl holds 173 questions written against the bundled notes (knowledge/corpus):
answerable ones (with the notes that answer them and key terms a relevant sentence would contain),
unanswerable ones (finance the notes do not cover) and off-topic ones, split ~50/50 into "tune" and
"test" within each kind and language. Thresholds were chosen on "tune" only; "test" is the honest figure.

Per split and language:
- precision: share of the sentences quoted for answerable questions that come from a relevant note;
  strict: ... and contain one of the question's key terms;
- overall: share of all quoted sentences that are relevant (those quoted for unanswerable and off-topic
  questions count as irrelevant: that is the padding this change removes);
- sentences per answer (answers that did not abstain); abstention per kind; answerable questions whose
  answer cites a relevant note.
"old" is ``GroundedComposer(check=None)``: the selection before the relevance check, which abstained only
when the best chunk scored under ``ABSTAIN_BELOW``.
"""

from __future__ import annotations

import argparse
import itertools
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from common import CACHE, ROOT, SHARED, dev_questions, percentile, read_jsonl

from advisor.advisor import Advisor, clean_question
from advisor.composer import DEFAULT_CHECK, GroundedComposer, RelevanceCheck
from advisor.profiles import MemoryProfileStore
from advisor.types import Answer, Question
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.research import Research
from knowledge.retrieval import Hit

ANSWERS = ROOT / "tests" / "data" / "answers.jsonl"
KINDS = ("answerable", "unanswerable", "off_topic")
QUOTE = re.compile(r"(\S.*?) \[(\d+)\](?= |$)")
Quoted = list[tuple[str, str]]  # (doc id, sentence) per quoted sentence; empty when the advisor abstained


def quoted(answer: Answer) -> Quoted:
    """The research sentences an answer quotes, each with the note it cites."""
    if answer.abstained:
        return []
    docs = [c.doc_id for c in answer.citations]
    return [(docs[int(n) - 1], sentence) for part in answer.text.split("\n\n")
            for sentence, n in QUOTE.findall(part) if 0 < int(n) <= len(docs)]


@dataclass
class Tally:
    """Running figures for one group of questions."""

    questions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    abstained: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kept: int = 0  # sentences quoted for answerable questions
    relevant: int = 0
    strict: int = 0
    kept_all: int = 0
    answered: int = 0
    cited: int = 0

    def add(self, row: dict, quotes: Quoted) -> None:
        kind = row["kind"]
        self.questions[kind] += 1
        self.abstained[kind] += not quotes
        self.answered += bool(quotes)
        self.kept_all += len(quotes)
        if kind != "answerable":
            return
        docs = set(row["relevant_docs"])
        terms = [t.lower() for t in row.get("key_terms", [])]
        hits = [(doc in docs, any(t in s.lower() for t in terms)) for doc, s in quotes]
        self.kept += len(quotes)
        self.relevant += sum(rel for rel, _ in hits)
        self.strict += sum(rel and term for rel, term in hits)
        self.cited += any(rel for rel, _ in hits)

    def figures(self) -> dict[str, float]:
        def share(a: int, b: int) -> float:
            return a / b if b else float("nan")
        out = {"precision": share(self.relevant, self.kept), "strict": share(self.strict, self.kept),
               "overall": share(self.relevant, self.kept_all),
               "per_answer": share(self.kept_all, self.answered),
               "cites_relevant": share(self.cited, self.questions["answerable"])}
        out.update({f"abstain_{k}": share(self.abstained[k], self.questions[k]) for k in KINDS})
        return out


def tally(rows: list[dict], quotes: list[Quoted], keep: Callable[[dict], bool]) -> Tally:
    t = Tally()
    for row, q in zip(rows, quotes, strict=True):
        if keep(row):
            t.add(row, q)
    return t


def report(rows: list[dict], results: dict[str, list[Quoted]]) -> None:
    header = (f"{'split':5} {'lang':4} {'run':3} | {'prec':>5} {'strict':>6} {'overall':>7} {'sent/ans':>8} | "
              f"abstain: {'answ':>5} {'unans':>5} {'offtop':>6} | {'cites':>5}  (n)")
    print(header)
    for split, lang in itertools.product(("test", "tune"), ("all", "en", "zh")):
        for run, quotes in results.items():
            t = tally(rows, quotes, lambda r, s=split, g=lang: r["split"] == s and g in ("all", r["lang"]))
            f = t.figures()
            n = "/".join(str(t.questions[k]) for k in KINDS)
            print(f"{split:5} {lang:4} {run:3} | {f['precision']:5.1%} {f['strict']:6.1%} {f['overall']:7.1%} "
                  f"{f['per_answer']:8.2f} | {'':8} {f['abstain_answerable']:5.1%} {f['abstain_unanswerable']:5.1%} "
                  f"{f['abstain_off_topic']:6.1%} | {f['cites_relevant']:5.1%}  ({n})")
        print()


def answer_all(advisor: Advisor, texts: Iterable[str]) -> tuple[list[Answer], list[float]]:
    answers, millis = [], []
    for text in texts:
        started = time.perf_counter()
        answers.append(advisor.answer(Question(text)))
        millis.append((time.perf_counter() - started) * 1000)
    return answers, millis


def advisors(research: Research, collection: str = "research") -> dict[str, Advisor]:
    return {run: Advisor(research.retriever, GroundedComposer(check=check), MemoryProfileStore(),
                         collection=collection)
            for run, check in (("old", None), ("new", DEFAULT_CHECK))}


def latency(runs: dict[str, Advisor], texts: list[str], label: str) -> None:
    for run in runs.values():  # warm up caches and the model
        answer_all(run, texts[:20])
    timings: dict[str, list[float]] = {run: [] for run in runs}
    for text in texts:  # interleaved, so load on a shared machine hits both alike
        for run, advisor in runs.items():
            timings[run] += answer_all(advisor, [text])[1]
    print(f"== ask latency, {label}, {len(texts)} warm questions: " + "; ".join(
        f"{run} p50 {percentile(t, 50):.1f} ms p95 {percentile(t, 95):.1f} ms" for run, t in timings.items()))


def dev_sets(embedder: MiniLMEmbeddings) -> None:
    """FiQA: gold document cited, and the share of quoted sentences from it. TAT-QA: <= 4 sentences with
    every gold span (benchmarks/advisor.py defines both)."""
    for name in ("fiqa", "tatqa"):
        research = Research.open(CACHE / "quality" / name, embedder=embedder)
        research.ingest([SHARED / "data" / "retrieval" / name / "corpus.jsonl"], name)
        queries = read_jsonl(SHARED / "data" / "retrieval" / name / "queries.jsonl")
        if name == "tatqa":
            queries = [q for q in queries if q["answer_from"] == "text" and isinstance(q["answer"], list)]
        for run, advisor in advisors(research, name).items():
            answers = answer_all(advisor, [q["text"] for q in queries])[0]
            quotes = [quoted(a) for a in answers]
            n, answered = len(queries), sum(bool(qs) for qs in quotes)
            abstained = f"abstained {1 - answered / n:.1%}"
            if name == "fiqa":
                pairs = list(zip(queries, quotes, strict=True))
                cited = sum(bool(set(q["relevant"]) & {d for d, _ in qs}) for q, qs in pairs)
                kept = sum(len(qs) for qs in quotes)
                gold = sum(d in q["relevant"] for q, qs in pairs for d, _ in qs)
                print(f"FiQA dev {run}: gold cited {cited / n:.1%}; quoted sentences from the gold document "
                      f"{gold / max(kept, 1):.1%}; {kept / max(answered, 1):.2f} sentences per answer; {abstained}")
            else:
                ok = sum(len(qs) <= 4 and all(_plain(str(s)) in _plain(a.text) for s in q["answer"])
                         for q, a, qs in zip(queries, answers, quotes, strict=True))
                print(f"TAT-QA dev {run}: answer <= 4 sentences with every gold span {ok / n:.1%}; {abstained}")


def _plain(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def sweep(rows: list[dict], research: Research, embedder: MiniLMEmbeddings) -> None:
    """Compose the tune split's answers under each setting (retrieving once) and print the figures the
    setting was chosen by, with FiQA dev citations as a guard when the shared data is there."""
    tune = [r for r in rows if r["split"] == "tune"]
    retriever = research.retriever()
    hits = [retriever.search(clean_question(r["text"]), k=10) for r in tune]
    fiqa: list[tuple[dict, list[Hit]]] = []
    if (SHARED / "data" / "retrieval").exists():
        fr = Research.open(CACHE / "quality" / "fiqa", embedder=embedder)
        fr.ingest([SHARED / "data" / "retrieval" / "fiqa" / "corpus.jsonl"], "fiqa")
        fret = fr.retriever("fiqa")
        fiqa = [(q, fret.search(clean_question(q["text"]), k=10))
                for q in read_jsonl(SHARED / "data" / "retrieval" / "fiqa" / "queries.jsonl")]
    settings: list[RelevanceCheck | None] = [None] + [
        RelevanceCheck(w, c, m, r) for w, c, m, r in itertools.product(
            (1.0, 2.0, 3.0), (0.25, 0.3), (0.25, 0.275, 0.3, 0.325), (0.6, 0.7, 0.75, 0.8))]
    print("chunk_w min_chunk min_rel relative | overall prec strict sent/ans abst:answ unans | FiQA cited")
    for check in settings:
        composer = GroundedComposer(check=check)
        quotes = [[(c.hit.doc_id, c.text) for c in composer.compose(r["text"], h).sentences]
                  if h and (check is not None or h[0].score >= 0.25) else []
                  for r, h in zip(tune, hits, strict=True)]
        f = tally(tune, quotes, lambda r: True).figures()
        cited = sum(bool(set(q["relevant"]) & {c.hit.doc_id for c in composer.compose(q["text"], h).sentences})
                    for q, h in fiqa if h) / len(fiqa) if fiqa else float("nan")
        name = "old" if check is None else (f"{check.chunk_weight:7} {check.min_chunk:9} "
                                            f"{check.min_relevance:7} {check.relative:8}")
        print(f"{name:>34} | {f['overall']:7.1%} {f['precision']:4.0%} {f['strict']:6.1%} {f['per_answer']:7.2f} "
              f"{f['abstain_answerable']:10.1%} {f['abstain_unanswerable']:5.1%} | {cited:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", action="store_true", help="FiQA / TAT-QA old vs new (needs the shared data)")
    parser.add_argument("--sweep", action="store_true", help="the tuning sweep on the tune split")
    args = parser.parse_args()
    rows = read_jsonl(ANSWERS)
    embedder = MiniLMEmbeddings()
    with tempfile.TemporaryDirectory(prefix="rt-answers-") as tmp:
        research = Research.open(Path(tmp), embedder=embedder)
        research.ensure_bundled()
        if args.sweep:
            sweep(rows, research, embedder)
            return
        runs = advisors(research)
        results = {run: [quoted(a) for a in answer_all(advisor, [r["text"] for r in rows])[0]]
                   for run, advisor in runs.items()}
        print(f"== {len(rows)} labelled questions on the bundled notes; check: {DEFAULT_CHECK}\n")
        report(rows, results)
        latency(runs, [r["text"] for r in rows], "bundled notes")
    home = CACHE / "latency"
    if (SHARED / "data" / "retrieval").exists() and home.exists():
        research = Research.open(home, embedder=embedder)
        if "bench-latency" in research.collection_names():
            chunks = research.store("bench-latency").count()
            latency(advisors(research, "bench-latency"), dev_questions(seed=11)[:300], f"{chunks} chunks")
    if args.dev:
        dev_sets(embedder)


if __name__ == "__main__":
    main()
