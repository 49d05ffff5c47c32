"""Ingest documents into a chunk store, incrementally and crash-safely.

A document whose content hash matches what the store holds, with all of its chunks present, is
skipped. A changed document has its new chunks written (chunks whose id already exists keep their
vector) and then its stale chunks deleted. The collection's revision is bumped before the first
write and again after the last, so a crash mid-way leaves a store whose next ingest completes it and
whose BM25 index is rebuilt.

A new collection is created with the embedding asked for, or else the one its documents' languages call for
(``knowledge.models.default_choice``); an existing one keeps the model(s) it records, and asking for
another is refused (``roundtable corpus reembed`` changes it). Every chunk is embedded by each model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunk, Chunker, chunk_metadata
from knowledge.documents import DEFAULT_MAX_BYTES, MetaValue, Problem, SourceDocument, read_documents
from knowledge.errors import EmbeddingMismatchError
from knowledge.models import default_choice, e5_missing, language_of, parse_choice
from knowledge.store import ChunkStore, DocState

WRITE_BATCH = 128
Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)`` with phase "read" (files) or "embed" (chunks)."""


@dataclass
class IngestReport:
    collection: str
    documents: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks_embedded: int = 0
    chunks_total: int = 0
    ignored: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    embedding: str = ""
    embedding_reason: str = ""  # set when this ingest created the collection and chose its model(s)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


@dataclass
class _Pending:
    doc: SourceDocument
    chunks: list[Chunk]
    state: DocState | None


def ingest(store: ChunkStore, roots: Iterable[Path], *, prune: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
           progress: Progress | None = None, embedding: str | None = None) -> IngestReport:
    started = time.perf_counter()
    roots = list(roots)
    report = IngestReport(store.name)
    existed = store.exists()
    if existed:
        _check_embedding(store, embedding)
    states = store.doc_states() if existed else {}
    chunker = Chunker(store.embedder.count_tokens)  # MiniLM's tokenizer for every model: chunk ids stay put
    languages: set[str] = set()

    pending: list[_Pending] = []
    seen: set[str] = set()
    origins_with_errors: set[str] = set()
    for item in read_documents(roots, max_bytes):
        if isinstance(item, Problem):
            if item.level == "ignored":
                report.ignored += 1
            else:
                report.problems.append(item)
                if item.level == "error":
                    origins_with_errors.update(_origins_of(item.path, roots))
            continue
        if item.doc_id in seen:
            report.problems.append(Problem(item.source, f"another document already has the id {item.doc_id!r}"))
            continue
        seen.add(item.doc_id)
        report.documents += 1
        languages.add(str(item.metadata.get("language") or language_of(item.text[:4000])))
        if progress:
            progress("read", report.documents, 0)
        state = states.get(item.doc_id)
        if state is not None and state.complete(item.content_hash):
            report.unchanged += 1
            continue
        pending.append(_Pending(item, chunker.split(item), state))

    if not existed:
        if embedding:
            report.embedding, report.embedding_reason = parse_choice(embedding), "asked for with --embedding"
        else:
            report.embedding, report.embedding_reason = default_choice(languages, e5_missing())
        store.create(report.embedding)
    report.embedding = store.layout().embedding
    stale_docs = []
    if prune:
        run_origins = {str(r.resolve()) for r in roots if r.exists()} - origins_with_errors
        stale_docs = [d for d, s in states.items() if s.origin in run_origins and d not in seen]
    if pending or stale_docs:
        store.new_revision()  # before any write: readers will rebuild BM25 even if we crash
        _write(store, pending, report, progress)
        for doc_id in stale_docs:
            store.delete(sorted(states[doc_id].chunk_ids))
            report.deleted += 1
        store.new_revision()
    report.chunks_total = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _check_embedding(store: ChunkStore, embedding: str | None) -> None:
    layout = store.layout()
    if embedding and parse_choice(embedding) != layout.embedding:
        raise EmbeddingMismatchError(
            f"Collection {store.name!r} was created with {layout.describe()}, not {embedding}. Ingest without "
            f"--embedding, or change it with `roundtable corpus reembed {store.name} --embedding {embedding}`.")


def embed_all(store: ChunkStore, texts: list[str]) -> dict[str, np.ndarray]:
    """Passage vectors of ``texts`` from each of the collection's models."""
    return {model: store.models.get(model).embed(texts) for model in store.layout().models}


def _origins_of(path: str, roots: list[Path]) -> set[str]:
    resolved = Path(path).resolve()
    return {str(r.resolve()) for r in roots if r.exists() and resolved.is_relative_to(r.resolve())}


def _write(store: ChunkStore, pending: list[_Pending], report: IngestReport, progress: Progress | None) -> None:
    """Embed and write new chunks in batches across documents, then retire each document's old chunks."""
    new: list[tuple[str, str, Mapping[str, MetaValue]]] = []  # (id, embedding text, metadata)
    texts: dict[str, str] = {}
    kept_ids: list[str] = []
    kept_meta: list[Mapping[str, MetaValue]] = []
    for p in pending:
        existing = p.state.chunk_ids if p.state else set()
        for chunk in p.chunks:
            meta = chunk_metadata(p.doc, chunk, len(p.chunks))
            if chunk.chunk_id in existing:
                kept_ids.append(chunk.chunk_id)
                kept_meta.append(meta)
            else:
                new.append((chunk.chunk_id, chunk.embedding_text(p.doc.title), meta))
                texts[chunk.chunk_id] = chunk.text
    total = len(new)
    for start in range(0, total, WRITE_BATCH):
        batch = new[start : start + WRITE_BATCH]
        t0 = time.perf_counter()
        vectors = embed_all(store, [b[1] for b in batch])
        report.embed_seconds += time.perf_counter() - t0
        ids = [b[0] for b in batch]
        store.add(ids, vectors, [texts[i] for i in ids], [b[2] for b in batch])
        report.chunks_embedded += len(batch)
        if progress:
            progress("embed", report.chunks_embedded, total)
    for start in range(0, len(kept_ids), WRITE_BATCH):
        store.update_metadata(kept_ids[start : start + WRITE_BATCH], kept_meta[start : start + WRITE_BATCH])
    for p in pending:
        if p.state is None:
            report.added += 1
            continue
        report.updated += 1
        stale = p.state.chunk_ids - {c.chunk_id for c in p.chunks}
        if stale:
            store.delete(sorted(stale))
