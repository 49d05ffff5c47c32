"""The knowledge layer's front door: one Chroma client, one embedder, a retriever per collection.

Built once in the composition root (``bots``) and passed to whoever needs research::

    research = Research.open(home, chroma_url=None)
    research.ingest([Path("notes/")], collection="research")
    hits = research.retriever("research").search("what is a leveraged ETF?", k=5)
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chromadb.api import ClientAPI

from knowledge.documents import BUNDLED_CORPUS, DEFAULT_MAX_BYTES
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.errors import CollectionNotFoundError
from knowledge.ingest import IngestReport, Progress, ingest
from knowledge.models import Models
from knowledge.retrieval import HybridRetriever
from knowledge.store import DEFAULT_COLLECTION, ChunkStore, connect, list_collections


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    documents: int
    chunks: int
    languages: dict[str, int]
    updated: str
    embedding: str = "minilm"


class Research:
    def __init__(self, client: ClientAPI, embedder: MiniLMEmbeddings | Models, bm25_dir: Path | None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.client = client
        self.models = embedder if isinstance(embedder, Models) else Models(embedder)
        self.embedder = self.models.minilm
        self.bm25_dir = bm25_dir
        self.max_bytes = max_bytes
        self._retrievers: dict[str, HybridRetriever] = {}
        self._lock = threading.Lock()  # the start-up warm-up and the first questions may arrive together

    @classmethod
    def open(cls, home: Path, chroma_url: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
             embedder: MiniLMEmbeddings | Models | None = None) -> Research:
        """Embedded store under ``home``, or the Chroma server at ``chroma_url``.

        The BM25 index is cached under ``home/bm25`` (one folder per server in server mode); it is
        rebuilt from the collection whenever the collection's revision moves on.
        """
        bm25_dir = home / "bm25"
        if chroma_url:
            bm25_dir = bm25_dir / ("server-" + hashlib.sha1(chroma_url.encode()).hexdigest()[:10])
        return cls(connect(home, chroma_url), embedder or Models(), bm25_dir, max_bytes)

    def store(self, collection: str = DEFAULT_COLLECTION, expect: str | None = None) -> ChunkStore:
        """``expect``: the embedding the caller insists on; a collection made with another is refused."""
        return ChunkStore(self.client, collection, self.models, expect=expect)

    def retriever(self, collection: str = DEFAULT_COLLECTION) -> HybridRetriever:
        found = self._retrievers.get(collection)
        if found is not None:
            return found
        with self._lock:
            if collection not in self._retrievers:
                store = self.store(collection)
                if not store.exists():
                    raise CollectionNotFoundError(collection, self.collection_names())
                self._retrievers[collection] = HybridRetriever(store, self.bm25_dir)
            return self._retrievers[collection]

    def ingest(self, paths: Iterable[Path], collection: str = DEFAULT_COLLECTION, *, prune: bool = False,
               progress: Progress | None = None, embedding: str | None = None) -> IngestReport:
        """``embedding`` chooses the model(s) of a new collection (default: from its documents' languages)."""
        report = ingest(self.store(collection), paths, prune=prune, max_bytes=self.max_bytes, progress=progress,
                        embedding=embedding)
        self.retriever(collection).refresh()  # bring BM25 up to date now, not on the first query
        return report

    def ensure_bundled(self, collection: str = DEFAULT_COLLECTION,
                       progress: Progress | None = None) -> IngestReport:
        """Bring the bundled research notes into ``collection`` (fast when nothing changed)."""
        return self.ingest([BUNDLED_CORPUS], collection, prune=True, progress=progress)

    def collection_names(self) -> list[str]:
        return list_collections(self.client)

    def describe(self, collection: str) -> CollectionInfo:
        store = self.store(collection)
        states = store.doc_states()
        languages: dict[str, int] = {}
        for state in states.values():
            languages[state.language or "unknown"] = languages.get(state.language or "unknown", 0) + 1
        updated = str((store.collection.metadata or {}).get("updated", ""))
        return CollectionInfo(collection, len(states), store.count(), languages, updated, store.layout().embedding)
