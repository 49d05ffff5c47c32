"""The grounded composer: answer with research sentences quoted verbatim, each cited, no language model.

Retrieved chunks are split into sentences. Each candidate is scored by how much of the question's
vocabulary it covers (IDF-weighted over the candidates, stems and bigrams, so Chinese works too) and by
how well its chunk matched the question (the hybrid score, which carries the meaning-level match). The
best sentences are picked greedily, skipping near-duplicates, and put back in reading order, grouped by
source, each ending with its source's ``[n]``.

Embedding each candidate sentence as well was measured and dropped: on the dev sets it changed FiQA
citations and TAT-QA span recall by under half a point, and cost ~150 ms a question on two cores.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from knowledge.lexical import tokenize
from knowledge.retrieval import Hit

MAX_SENTENCES = 4
LEXICAL_WEIGHT, CHUNK_WEIGHT = 0.6, 0.4
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(\[A-Z0-9$])|(?<=[。！？；])|\n+")
MIN_WORDS, MIN_CJK = 4, 6
MIN_RELATIVE = 0.6  # a sentence scoring under 60% of the best one adds noise, not evidence
SOURCE_PENALTY = 0.05  # FiQA dev: gold source cited 81% -> 82.5%; TAT-QA spans 88% -> 87.7%


@dataclass(frozen=True)
class Candidate:
    text: str
    hit: Hit
    rank: int
    position: int
    tokens: frozenset[str]


@dataclass(frozen=True)
class Draft:
    """Selected evidence sentences, in answer order; ``strength`` is the best candidate's score."""

    sentences: tuple[Candidate, ...]
    strength: float


def split_sentences(text: str) -> list[str]:
    """Sentences and table/list lines of a chunk, without headings and fragments."""
    out = []
    for piece in SENTENCE_END.split(text):
        sentence = piece.strip().lstrip("-*•").strip()
        if not sentence or sentence.startswith("#") or sentence.endswith(("?", "？")):
            continue  # headings, and questions (notes end with questions to ask yourself) answer nothing
        cjk = len(re.findall(r"[\u4e00-\u9fff]", sentence))
        if cjk >= MIN_CJK or len(sentence.split()) >= MIN_WORDS:
            out.append(sentence)
    return out


class GroundedComposer:
    def __init__(self, max_sentences: int = MAX_SENTENCES, source_penalty: float = SOURCE_PENALTY) -> None:
        self.max_sentences = max_sentences
        self.source_penalty = source_penalty

    def candidates(self, hits: list[Hit]) -> list[Candidate]:
        found: list[Candidate] = []
        seen: set[str] = set()
        for rank, hit in enumerate(hits):
            for position, sentence in enumerate(split_sentences(hit.text)):
                key = " ".join(sentence.lower().split())
                if key in seen:  # chunk overlap repeats sentences
                    continue
                seen.add(key)
                found.append(Candidate(sentence, hit, rank, position, frozenset(tokenize(sentence))))
        return found

    def compose(self, question: str, hits: list[Hit]) -> Draft:
        pool = self.candidates(hits)
        if not pool:
            return Draft((), 0.0)
        query_tokens = set(tokenize(question))
        df = Counter(t for c in pool for t in c.tokens & query_tokens)
        idf = {t: math.log(1 + len(pool) / (1 + df[t])) for t in query_tokens}
        total = sum(idf.values()) or 1.0
        lexical = np.array([sum(idf[t] for t in c.tokens & query_tokens) / total for c in pool])
        top_score = max(h.score for h in hits) or 1.0
        chunk = np.array([max(c.hit.score, 0.0) / top_score for c in pool])

        scores = LEXICAL_WEIGHT * lexical + CHUNK_WEIGHT * chunk

        chosen: list[int] = []
        best = int(np.argmax(scores))
        remaining = set(range(len(pool)))
        while remaining and len(chosen) < self.max_sentences:
            # Each further sentence from an already quoted source pays a penalty: answers draw on several.
            used = Counter(pool[j].hit.doc_id for j in chosen)
            i = max(remaining, key=lambda j: scores[j] - self.source_penalty * used[pool[j].hit.doc_id])
            remaining.discard(i)
            if scores[i] < MIN_RELATIVE * scores[best]:
                break
            if not any(_similar(pool[i].tokens, pool[j].tokens) for j in chosen):
                chosen.append(i)
        ordered = sorted(chosen, key=lambda i: (pool[i].rank, pool[i].position))
        # Group by source in order of first appearance, keeping reading order within each source.
        first_rank: dict[str, int] = {}
        for i in ordered:
            first_rank.setdefault(pool[i].hit.doc_id, pool[i].rank)
        ordered.sort(key=lambda i: (first_rank[pool[i].hit.doc_id], pool[i].rank, pool[i].position))
        return Draft(tuple(pool[i] for i in ordered), float(scores[best]))


def _similar(a: frozenset[str], b: frozenset[str], threshold: float = 0.7) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold
