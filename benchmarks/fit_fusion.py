"""Fit the hybrid weights of ``knowledge.fusion`` on tune splits; print the other splits for reference.

    python benchmarks/fit_fusion.py [--zh-dir tests/data/zh_retrieval]

Each set is chunked exactly as ingest chunks it, every chunk and query is embedded once by both models
(vectors cached under $ROUNDTABLE_VECTOR_CACHE, default /tmp/roundtable-vectors: the machine is shared and
embedding is the slow part), and the retriever's fusion is replayed in numpy: candidates are the union of
each model's and BM25's top 40 (brute force here, HNSW in Chroma), scored with ``Weights.combine``.

Splits. Chinese set: the "split" field of questions.jsonl and crosslingual.jsonl; only "tune" rows are fitted.
FiQA and TAT-QA dev have no split of their own: a query is in the tune half when the first hex digit of the
sha1 of its id is below 8, else in the held-out half. Weights are fitted per query language ("zh" questions:
Chinese set; "en": the English tune halves plus the set's English cross-lingual tune questions).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np
from common import ROOT, distinct, graded_ndcg, read_jsonl, shared_data

from knowledge.chunking import Chunker
from knowledge.documents import BUNDLED_CORPUS, SourceDocument, read_documents
from knowledge.fusion import Weights
from knowledge.lexical import LexicalIndex
from knowledge.models import E5_KEY, MINILM_KEY, Models, language_of

CACHE = Path(os.environ.get("ROUNDTABLE_VECTOR_CACHE", "/tmp/roundtable-vectors"))
CANDIDATES = 40
GRID_MINILM = [0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
GRID_E5 = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.6, 2.0, 2.5, 3.0, 4.0, 6.0]


def english_split(query_id: str) -> str:
    return "tune" if int(hashlib.sha1(query_id.encode()).hexdigest()[0], 16) < 8 else "eval"


class Scored:
    """One set: per query, every chunk's MiniLM and e5 cosine, normalised BM25, and the query's features."""

    def __init__(self, name: str, roots: list[Path], queries: list[dict[str, object]], models: Models) -> None:
        docs = [d for d in read_documents(roots) if isinstance(d, SourceDocument)]
        chunker = Chunker(models.minilm.count_tokens)
        chunks = [(d.doc_id, d.title, c) for d in docs for c in chunker.split(d)]
        self.doc_of = np.array([doc_id for doc_id, _, _ in chunks])
        texts = [c.embedding_text(title) for _, title, c in chunks]
        bm25_texts = [f"{title}\n{c.heading}\n{c.text}" for _, title, c in chunks]
        questions = [str(q["text"]) for q in queries]
        self.queries = queries
        self.cos: dict[str, np.ndarray] = {}
        for key in (MINILM_KEY, E5_KEY):
            model = models.get(key)
            passages = cached(f"{name}-{key}-chunks", texts, model.embed)
            asked = cached(f"{name}-{key}-queries", questions, model.embed_queries)
            self.cos[key] = asked @ passages.T
        index = LexicalIndex.build([str(i) for i in range(len(texts))], bm25_texts)
        self.bm25 = np.vstack([index.scores(q) for q in questions]) if questions else np.zeros((0, len(texts)))
        self.known = np.array([models.minilm.known_fraction(q) for q in questions])
        self.language = [language_of(q) for q in questions]

    def ndcg(self, i: int, w: Weights, mode: str = "hybrid") -> float:
        ranked = self.rank(i, w, mode)
        relevant = self.queries[i]["relevant"]
        grades = relevant if isinstance(relevant, dict) else {d: 1 for d in relevant}  # type: ignore[attr-defined]
        return graded_ndcg(ranked, grades)

    def rank(self, i: int, w: Weights, mode: str) -> list[str]:
        if mode == "lexical":
            scores = self.bm25[i]
        elif mode in (MINILM_KEY, E5_KEY):
            scores = self.cos[mode][i]
        else:
            pools = [self.cos[MINILM_KEY][i], self.cos[E5_KEY][i], self.bm25[i]]
            cand = np.unique(np.concatenate([np.argsort(-p)[:CANDIDATES] for p in pools]))
            scores = np.full(len(self.doc_of), -np.inf)
            scores[cand] = w.combine(float(self.known[i]), pools[0][cand], pools[1][cand], pools[2][cand])
        order = np.argsort(-scores)[:60]
        return distinct(str(self.doc_of[j]) for j in order)


def cached(key: str, texts: list[str], embed: object) -> np.ndarray:
    digest = hashlib.sha1(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()[:12]
    path = CACHE / f"{key}-{digest}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"embedding {len(texts)} texts for {key} (cached in {path}) ...", file=sys.stderr, flush=True)
    vectors = np.asarray(embed(texts), dtype=np.float32)  # type: ignore[operator]
    np.save(path, vectors)
    return vectors


def load_sets(zh_dir: Path, models: Models, english: bool = True,
              english_sets: tuple[str, ...] = ("fiqa", "tatqa")) -> dict[str, Scored]:
    zh_questions = [{"text": r["question"], **r} for r in read_jsonl(zh_dir / "questions.jsonl")]
    cross = [{"text": r["question"], **r} for r in read_jsonl(zh_dir / "crosslingual.jsonl")]
    sets = {"zh": Scored("zh", [zh_dir / "notes", BUNDLED_CORPUS], zh_questions + cross, models)}
    sets["zh"].cross = set(range(len(zh_questions), len(zh_questions) + len(cross)))  # type: ignore[attr-defined]
    for name in english_sets if english else ():
        folder = shared_data("retrieval", name)
        queries = [{**q, "split": english_split(str(q["id"]))} for q in read_jsonl(folder / "queries.jsonl")]
        sets[name] = Scored(name, [folder / "corpus.jsonl"], queries, models)
    return sets


def rows(sets: dict[str, Scored], split: str, language: str) -> list[tuple[Scored, int]]:
    return [(s, i) for s in sets.values() for i, q in enumerate(s.queries)
            if q["split"] == split and s.language[i] == language]


def fit(sets: dict[str, Scored], language: str) -> tuple[Weights, float]:
    tune = rows(sets, "tune", language)
    best = (Weights(0.7, 0.0), -1.0)
    for wm, we in itertools.product(GRID_MINILM, GRID_E5):
        w = Weights(wm, we)
        score = float(np.mean([s.ndcg(i, w) for s, i in tune]))
        if score > best[1] + 1e-9:
            best = (w, score)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zh-dir", type=Path, default=ROOT / "tests" / "data" / "zh_retrieval")
    parser.add_argument("--no-english", action="store_true", help="the Chinese set alone (its English questions too)")
    parser.add_argument("--english-sets", default="fiqa,tatqa")
    args = parser.parse_args()
    sets = load_sets(args.zh_dir, Models(), english=not args.no_english,
                     english_sets=tuple(args.english_sets.split(",")))
    for language in ("en", "zh"):
        known = [s.known[i] for s, i in rows(sets, "tune", language)]
        print(f"{language}: tune queries {len(known)}, MiniLM known share p10/p50/p90 "
              f"{np.percentile(known, 10):.2f}/{np.percentile(known, 50):.2f}/{np.percentile(known, 90):.2f}")
        weights, tuned = fit(sets, language)
        print(f"  fitted {weights} tune nDCG@10 {tuned:.3f}")
        for split in ("tune", "eval"):
            picked = rows(sets, split, language)
            for label, w in (("fitted", weights), ("minilm-only 0.7", Weights(0.7, 0.0)),
                             ("e5+bm25", Weights(0.0, weights.e5)), ("no known-share scaling", weights)):
                if label == "no known-share scaling":
                    saved = [s.known.copy() for s, _ in picked]
                    for s, _ in picked:
                        s.known[:] = 1.0
                score = float(np.mean([s.ndcg(i, w) for s, i in picked]))
                if label == "no known-share scaling":
                    for (s, _), k in zip(picked, saved, strict=True):
                        s.known[:] = k
                print(f"  {split:5} {label:24} nDCG@10 {score:.3f} ({len(picked)} queries)")
            for mode in ("lexical", MINILM_KEY, E5_KEY):
                score = float(np.mean([s.ndcg(i, weights, mode) for s, i in picked]))
                print(f"  {split:5} {mode + ' alone':24} nDCG@10 {score:.3f}")


if __name__ == "__main__":
    main()
