"""Rebuild a collection's vectors with other model(s) while the old ones keep serving.

Every model of the new embedding gets a fresh companion collection (``NAME.<model>.<generation>``), filled
from the chunks the named collection holds. Readers go on using the old vectors meanwhile: they find
vectors through the layout recorded in the named collection's metadata, and that changes only at the end,
in one metadata write (the swap), which also moves the revision on so readers re-read the layout. A crash
before the swap leaves the old layout serving; its half-built companions are dropped by the next run.
Chunks written by an ingest during the rebuild are caught up before the swap. A model the collection already
has, at the dimension the installed model makes, has its vectors copied rather than recomputed (minilm ->
both embeds with e5 only), unless ``rebuild_all``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.chunking import Chunk
from knowledge.models import CHOICES, COMPANION_MARK, Layout, companion_name, parse_choice
from knowledge.store import PAGE, ChunkStore, all_collection_names, utc_stamp

BATCH = 64
GRACE_SECONDS = 3.0  # > HybridRetriever.refresh_seconds: readers have moved to the new layout before
Progress = Callable[[int, int], None]  # (chunks embedded, chunks in total)


@dataclass
class ReembedReport:
    collection: str
    before: str
    after: str
    chunks: int = 0
    seconds: float = 0.0
    dropped: tuple[str, ...] = ()


def reembed(store: ChunkStore, embedding: str, progress: Progress | None = None,
            grace_seconds: float = GRACE_SECONDS, rebuild_all: bool = False) -> ReembedReport:
    started = time.perf_counter()
    old = store.layout()
    models = CHOICES[parse_choice(embedding)]
    dimensions = {m: store.models.get(m).dimensions for m in models}  # fails early if a model is missing
    _drop(store, _leftovers(store, old))  # half-built companions of a run that crashed
    generation = uuid.uuid4().hex[:8]
    new = Layout(store.name, embedding, dimensions,
                 {m: companion_name(store.name, m, generation) for m in models})
    targets = {m: store.client.get_or_create_collection(
        name, metadata={"companion_of": store.name, "model": m}, configuration={"hnsw": {"space": "cosine"}})
        for m, name in new.vectors.items()}
    report = ReembedReport(store.name, old.embedding, embedding)
    reuse = {m for m in models if not rebuild_all and old.dimensions.get(m) == dimensions[m]}

    done: set[str] = set()
    while True:  # a second pass catches chunks an ingest wrote meanwhile
        current = _chunk_ids(store)
        todo = sorted(current - done)
        gone = sorted(done - current)
        if not todo and not gone:
            break
        for target in targets.values():
            for start in range(0, len(gone), PAGE):
                target.delete(ids=gone[start : start + PAGE])
        done -= set(gone)
        total = len(done) + len(todo)
        for start in range(0, len(todo), BATCH):
            ids = todo[start : start + BATCH]
            rows = store.get(ids)
            ids = [i for i in ids if i in rows]
            texts = [Chunk(i, str(rows[i][1].get("doc_id", "")), 0, rows[i][0], str(rows[i][1].get("heading", "")))
                     .embedding_text(str(rows[i][1].get("title", ""))) for i in ids]
            metadatas = [{"doc_id": str(rows[i][1].get("doc_id", ""))} for i in ids]
            for model, target in targets.items():
                if model in reuse:
                    got = store.vectors(model).get(ids=ids, include=["embeddings"])
                    vectors = dict(zip(got["ids"], got["embeddings"] if got["embeddings"] is not None else [],
                                       strict=True))
                    embeddings = [vectors[i] for i in ids]
                else:
                    embeddings = store.models.get(model).embed(texts)  # type: ignore[assignment]
                target.upsert(ids=ids, embeddings=embeddings, metadatas=metadatas)  # type: ignore[arg-type]
            done.update(ids)
            if progress:
                progress(len(done), total)

    # The swap: one write of the named collection's metadata (layout and revision together).
    collection = store.collection
    meta = {k: v for k, v in (collection.metadata or {}).items()
            if k not in ("embedding", "dimensions") and not k.startswith("vectors:")}
    collection.modify(metadata={**meta, **new.to_metadata(), "revision": uuid.uuid4().hex[:16],
                                "updated": utc_stamp()})
    store.revision()  # this process's store follows at once
    time.sleep(grace_seconds)  # other readers re-read the layout within their refresh interval
    report.dropped = tuple(_drop(store, old.companions))
    report.chunks = len(done)
    report.seconds = time.perf_counter() - started
    return report


def _chunk_ids(store: ChunkStore) -> set[str]:
    ids: set[str] = set()
    total = store.collection.count()
    for offset in range(0, total, PAGE):
        ids.update(store.collection.get(include=[], limit=PAGE, offset=offset)["ids"])
    return ids


def _leftovers(store: ChunkStore, layout: Layout) -> list[str]:
    prefix = f"{store.name}{COMPANION_MARK}"  # every companion_name(store.name, ...) starts so
    return [n for n in all_collection_names(store.client) if n.startswith(prefix) and n not in layout.companions]


def _drop(store: ChunkStore, names: list[str]) -> list[str]:
    for name in names:
        store.client.delete_collection(name)
    return names
