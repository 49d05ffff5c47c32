"""Chroma access: the embedded PersistentClient by default, a `chroma run` server when a URL is set.

One collection per corpus. Each chunk's metadata carries its document's id, title, source, content
hash and chunk count, so the store itself tells which documents are complete (see ``DocState``).
The collection's ``revision`` changes whenever its contents do; readers use it to know when their
BM25 index is stale, which keeps several bot instances on one server in agreement.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings
from chromadb.errors import NotFoundError

from knowledge.documents import MetaValue
from knowledge.embeddings import EMBEDDER_NAME, MiniLMEmbeddings
from knowledge.errors import CollectionNotFoundError, UserError, validate_collection_name

PAGE = 5000
DEFAULT_COLLECTION = "research"


def connect(home: Path, url: str | None = None) -> ClientAPI:
    """An embedded client storing under ``home/chroma``, or an HTTP client for ``url``."""
    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise UserError(f"ROUNDTABLE_CHROMA_URL {url!r} is not a URL like http://127.0.0.1:8000")
        ssl = parsed.scheme == "https"
        port = parsed.port or (443 if ssl else 8000)
        try:
            return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=ssl, settings=settings)
        except ValueError as exc:
            raise UserError(f"Cannot reach the Chroma server at {url} ({exc}). Start it with "
                            "`chroma run --path DIR --port PORT` or unset ROUNDTABLE_CHROMA_URL.") from exc
    home.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(home / "chroma"), settings=settings)


@dataclass
class DocState:
    """What the store holds of one document."""

    hashes: set[str] = field(default_factory=set)
    chunk_ids: set[str] = field(default_factory=set)
    expected: int = 0
    origin: str = ""
    title: str = ""
    source: str = ""
    language: str = ""

    def complete(self, content_hash: str) -> bool:
        return self.hashes == {content_hash} and len(self.chunk_ids) == self.expected


class ChunkStore:
    """One Chroma collection of chunks."""

    def __init__(self, client: ClientAPI, name: str, embedder: MiniLMEmbeddings) -> None:
        self.client = client
        self.name = validate_collection_name(name)
        self.embedder = embedder
        self._chroma_ef: Any = embedder  # chromadb's generic EmbeddingFunction type is narrower than ours
        self._collection: Collection | None = None

    def exists(self) -> bool:
        return self.name in list_collections(self.client)

    @property
    def collection(self) -> Collection:
        """The existing collection; raises ``CollectionNotFoundError`` when there is none."""
        if self._collection is None:
            try:
                self._collection = self.client.get_collection(self.name, embedding_function=self._chroma_ef)
            except (NotFoundError, ValueError) as exc:
                raise CollectionNotFoundError(self.name, list_collections(self.client)) from exc
        return self._collection

    def create(self) -> Collection:
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.name, embedding_function=self._chroma_ef,
                metadata={"revision": "empty", "embedder": EMBEDDER_NAME, "created": _now()},
                configuration={"hnsw": {"space": "cosine"}},
            )
        return self._collection

    # -- revision --------------------------------------------------------------------------------

    def revision(self) -> str:
        """The collection's current revision, read fresh from the store (cheap)."""
        fresh = self.client.get_collection(self.name, embedding_function=self._chroma_ef)
        return str((fresh.metadata or {}).get("revision", ""))

    def new_revision(self) -> str:
        collection = self.collection
        revision = uuid.uuid4().hex[:16]
        metadata = {**(collection.metadata or {}), "revision": revision, "updated": _now()}
        collection.modify(metadata=metadata)
        return revision

    # -- reads -----------------------------------------------------------------------------------

    def count(self) -> int:
        return self.collection.count()

    def _pages(self, include: Sequence[str]) -> Iterator[dict[str, Any]]:
        total = self.collection.count()
        for offset in range(0, total, PAGE):
            yield dict(self.collection.get(include=list(include), limit=PAGE, offset=offset))  # type: ignore[arg-type]

    def doc_states(self) -> dict[str, DocState]:
        states: dict[str, DocState] = {}
        for page in self._pages(["metadatas"]):
            for chunk_id, meta in zip(page["ids"], page["metadatas"], strict=True):
                meta = meta or {}
                state = states.setdefault(str(meta.get("doc_id", "")), DocState())
                state.hashes.add(str(meta.get("doc_hash", "")))
                state.chunk_ids.add(chunk_id)
                state.expected = int(meta.get("n_chunks", 0))
                state.origin = str(meta.get("origin", ""))
                state.title = str(meta.get("title", ""))
                state.source = str(meta.get("source", ""))
                state.language = str(meta.get("language", ""))
        return states

    def texts(self) -> tuple[list[str], list[str]]:
        """Every chunk id with the text BM25 indexes (title, heading and body)."""
        ids: list[str] = []
        texts: list[str] = []
        for page in self._pages(["documents", "metadatas"]):
            for chunk_id, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
                meta = meta or {}
                ids.append(chunk_id)
                texts.append(f"{meta.get('title', '')}\n{meta.get('heading', '')}\n{doc or ''}")
        return ids, texts

    def chunks(self) -> Iterator[tuple[str, str]]:
        """(document id, chunk text) for every chunk, page by page."""
        for page in self._pages(["documents", "metadatas"]):
            for doc, meta in zip(page["documents"], page["metadatas"], strict=True):
                yield str((meta or {}).get("doc_id", "")), doc or ""

    def get(self, ids: Sequence[str]) -> dict[str, tuple[str, Mapping[str, MetaValue]]]:
        """Text and metadata of the given chunks, by id."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        docs, metas = got["documents"] or [], got["metadatas"] or []
        return {i: (d or "", cast(Mapping[str, MetaValue], m or {}))
                for i, d, m in zip(got["ids"], docs, metas, strict=True)}

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity: (chunk id, similarity)."""
        if n <= 0:
            return []
        result = self.collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of ``vector`` to the stored vectors of ``ids`` (all unit length)."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], (vectors @ vector).tolist(), strict=True))

    # -- writes ----------------------------------------------------------------------------------

    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str],
            metadatas: list[Mapping[str, MetaValue]]) -> None:
        self.collection.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)  # type: ignore[arg-type]

    def update_metadata(self, ids: list[str], metadatas: list[Mapping[str, MetaValue]]) -> None:
        self.collection.update(ids=ids, metadatas=metadatas)  # type: ignore[arg-type]

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=ids[start : start + PAGE])


def list_collections(client: ClientAPI) -> list[str]:
    return sorted(c.name if hasattr(c, "name") else str(c) for c in client.list_collections())


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
