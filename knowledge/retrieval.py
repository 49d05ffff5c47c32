"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused on absolute scores.

Equal-weight reciprocal-rank fusion discards how strong each match is and loses to the better single
retriever on both dev sets (stack notes). Per-query min-max or z-score normalisation does little better:
it stretches a list of weak matches to look as strong as a list with one clear hit. Here both scores
are already on absolute [0, 1] scales -- cosine similarity, and BM25 divided by the query's attainable
maximum (``LexicalIndex``) -- so they are combined as they are: ``w * cosine + (1 - w) * bm25``. Every
candidate from either list gets both scores (the lexical index scores every chunk; Chroma returns the
vectors of lexical-only candidates), so no score is guessed. The dense weight shrinks with the share
of the query the embedding model knows: its English vocabulary maps most Chinese characters to [UNK].
A collection embedded with both MiniLM and e5 adds e5's cosine as a third score; the weights per
embedding and query language are in ``knowledge.fusion``. ``benchmarks/retrieval.py`` measures the result.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from knowledge.documents import MetaValue
from knowledge.errors import EmbeddingMismatchError, InvalidQueryError
from knowledge.fusion import weights_for
from knowledge.lexical import LexicalIndex
from knowledge.models import E5_KEY, LATIN_WORD, MINILM_KEY, language_of

if TYPE_CHECKING:  # the store pulls in chromadb; MemoryRetriever users should not pay for it
    from knowledge.store import ChunkStore

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
CANDIDATES = 40
MODES = ("hybrid", "lexical", "dense", MINILM_KEY, E5_KEY)  # a model name: that model alone


@dataclass(frozen=True)
class Hit:
    doc_id: str
    chunk_id: str
    score: float
    title: str
    source: str
    text: str
    metadata: Mapping[str, MetaValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "chunk_id": self.chunk_id, "score": round(self.score, 4),
                "title": self.title, "source": self.source, "text": self.text}


class Retriever(Protocol):
    """The seam the advisor searches through: ``HybridRetriever`` in the app, ``MemoryRetriever`` in tests."""

    def search(self, query: str, k: int = 10) -> list[Hit]: ...


def clean_text(text: str, noun: str = "query", limit: int = MAX_QUERY_CHARS,
               error: type[InvalidQueryError] = InvalidQueryError) -> str:
    """Validate and normalise text a person typed; raises ``error`` with a message written for them."""
    if "\x00" in text or sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r") > 2:
        raise error(f"The {noun} contains binary or control characters.")
    cleaned = " ".join(unicodedata.normalize("NFKC", text).split())
    if not cleaned:
        raise error(f"The {noun} is empty.")
    if len(cleaned) > limit:
        raise error(f"The {noun} is {len(cleaned)} characters long; the limit is {limit}.")
    return cleaned


class HybridRetriever:
    """Searches one chunk store; keeps its BM25 index in step with the store's revision."""

    def __init__(self, store: ChunkStore, cache_dir: Path | None = None, *,
                 candidates: int = CANDIDATES, refresh_seconds: float = 2.0) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.candidates = candidates
        self.refresh_seconds = refresh_seconds
        self._lexical: LexicalIndex | None = None
        self._revision: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- lexical index lifecycle -----------------------------------------------------------------

    def lexical_index(self) -> LexicalIndex:
        """The BM25 index for the store's current revision: cached in memory, on disk, or rebuilt."""
        now = time.monotonic()
        if self._lexical is not None and now - self._checked < self.refresh_seconds:
            return self._lexical
        with self._lock:
            revision = self.store.revision()
            self._checked = time.monotonic()
            if self._lexical is None or revision != self._revision:
                self._lexical = self._load_or_build(revision)
                self._revision = revision
            return self._lexical

    def refresh(self) -> LexicalIndex:
        """Check the store's revision now (after an ingest in this process)."""
        self._checked = 0.0
        return self.lexical_index()

    def _load_or_build(self, revision: str) -> LexicalIndex:
        directory = self.cache_dir / self.store.name if self.cache_dir else None
        if directory is not None:
            saved = LexicalIndex.load(directory)
            if saved is not None and saved[1] == revision:
                return saved[0]
        started = time.perf_counter()
        ids, texts = self.store.texts()
        index = LexicalIndex.build(ids, texts)
        if directory is not None:
            index.save(directory, revision)
        log.info("built BM25 index for %s: %d chunks in %.2fs (revision %s)",
                 self.store.name, len(ids), time.perf_counter() - started, revision)
        return index

    # -- search ----------------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, mode: str = "hybrid") -> list[Hit]:
        """Top ``k`` chunks for ``query``; ``mode`` is "hybrid", "lexical", "dense" (the collection's model(s)
        without BM25) or one model's name ("minilm", "e5-multilingual") for that model alone."""
        return self._hits(self.rank(clean_text(query), k, mode))

    def rank(self, query: str, k: int, mode: str = "hybrid") -> list[tuple[str, float]]:
        """(chunk id, score) pairs, best first, for an already cleaned query."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}")
        n = max(self.candidates, k)
        if mode == "lexical":
            index = self.lexical_index()
            return _top(index, index.scores(query), n)[:k]
        index = self.lexical_index()  # also re-reads the layout, so a reembed swap is followed
        layout = self.store.layout()
        models = self.store.searchable if mode in ("hybrid", "dense") else (mode,)
        if not set(models) <= set(self.store.searchable):
            raise EmbeddingMismatchError(f"The collection {self.store.name!r} has no {mode} vectors "
                                         f"({layout.describe()}). Search it with --mode hybrid, or add them with "
                                         f"`roundtable corpus reembed {self.store.name} --embedding both`.")
        # MiniLM cannot read what it has no word pieces for (most Chinese characters): its vote counts only
        # as much as it understood of the query (knowledge.fusion explains the weights). Weights are those of
        # the models at hand (MiniLM alone's when a "both" collection is searched without e5).
        language = language_of(query)
        weights = weights_for(layout.embedding if models == layout.models else models[0], language)
        known = self.store.embedder.known_fraction(query) if MINILM_KEY in models else 0.0
        if len(models) > 1 and language == "zh" and not LATIN_WORD.search(query):
            # MiniLM reads only stray single characters of a Chinese query with no Latin words (tickers, English
            # terms): not worth its ~15 ms (embedding, HNSW query, candidate vectors) next to e5. Zh tune split
            # nDCG@10 0.809 -> 0.805 (benchmarks/fit_fusion.py replay); query p95 with both models 64 -> see README.
            known = 0.0
        if mode == "hybrid" and len(models) > 1:  # a model with no vote on this query is not run at all
            models = tuple(m for m in models if (weights.minilm * known if m == MINILM_KEY else weights.e5) > 0) \
                or models
        vectors = self._query_vectors(query, models)
        dense = {m: self.store.query(vectors[m], n, m) for m in models}
        if len(models) == 1 and mode != "hybrid":
            return dense[models[0]][:k]
        lexical = index.scores(query) if mode == "hybrid" else None
        candidates = {chunk_id for found in dense.values() for chunk_id, _ in found}
        if lexical is not None:
            candidates.update(chunk_id for chunk_id, _ in _top(index, lexical, n))
        cosine: dict[str, dict[str, float]] = {}
        for m in models:
            cosine[m] = dict(dense[m])
            missing = [chunk_id for chunk_id in candidates if chunk_id not in cosine[m]]
            cosine[m].update(self.store.similarities(vectors[m], missing, m))
        fused = [(chunk_id, weights.combine(known, cosine.get(MINILM_KEY, {}).get(chunk_id, 0.0),
                                            cosine.get(E5_KEY, {}).get(chunk_id, 0.0),
                                            index.score_of(chunk_id, lexical) if lexical is not None else 0.0))
                 for chunk_id in candidates]
        fused.sort(key=lambda item: -item[1])
        return fused[:k]

    def _query_vectors(self, query: str, models: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The query embedded by each model, one after the other: running e5 on a second thread next to MiniLM
        was no faster on two cores (both engines use every core), so the simpler way stays."""
        return {m: self.store.models.get(m).embed_queries([query])[0] for m in models}

    def _hits(self, ranked: list[tuple[str, float]]) -> list[Hit]:
        rows = self.store.get([chunk_id for chunk_id, _ in ranked])
        hits = []
        for chunk_id, score in ranked:
            if chunk_id not in rows:
                continue  # deleted since the index was built
            text, meta = rows[chunk_id]
            doc_id = str(meta.get("doc_id", ""))
            hits.append(Hit(doc_id, chunk_id, score, str(meta.get("title") or doc_id),
                            str(meta.get("source", "")), text, meta))
        return hits


def _top(index: LexicalIndex, scores: np.ndarray, n: int) -> list[tuple[str, float]]:
    """The ``n`` best-scoring chunks of ``index`` with a positive score, best first."""
    if not len(index) or not scores.any():
        return []
    n = min(n, len(scores))
    top = np.argpartition(-scores, n - 1)[:n]
    top = top[np.argsort(-scores[top])]
    return [(index.ids[i], float(scores[i])) for i in top if scores[i] > 0]

