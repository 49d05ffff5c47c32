"""Chroma access: the embedded PersistentClient by default, a `chroma run` server when a URL is set.

One collection per corpus. Each chunk's metadata carries its document's id, title, source, content
hash and chunk count, so the store itself tells which documents are complete (see ``DocState``).
The collection's ``revision`` changes whenever its contents do; readers use it to know when their
BM25 index is stale, which keeps several bot instances on one server in agreement.

The collection also records its embedding model(s) (``knowledge.models.Layout``): the named collection holds
the documents and the first model's vectors, a companion collection holds each further model's vectors
under the same chunk ids. Reading the layout with the revision means a reader follows a ``reembed`` swap.
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
from knowledge.models import CHOICES, Layout, Models, is_companion, parse_choice

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
    """One Chroma collection of chunks (and the companion collections of its further models).

    ``models`` supplies the dense models (a bare ``MiniLMEmbeddings`` is accepted for MiniLM-only use);
    ``expect`` is the embedding the caller insists on (``--embedding`` on a search): a collection made with
    another one is refused rather than searched with vectors that are not comparable.
    """

    def __init__(self, client: ClientAPI, name: str, models: Models | MiniLMEmbeddings, *,
                 expect: str | None = None) -> None:
        self.client = client
        self.name = validate_collection_name(name)
        self.models = models if isinstance(models, Models) else Models(models)
        self.embedder = self.models.minilm  # sizes chunks and measures what a query's words MiniLM knows
        self.expect = parse_choice(expect) if expect else None
        self._collection: Collection | None = None
        self._layout: Layout | None = None
        self.searchable: tuple[str, ...] = ()  # the layout's models that can be used here (see Layout.check)
        self._vector_collections: dict[str, Collection] = {}

    def exists(self) -> bool:
        return self.name in list_collections(self.client)

    @property
    def collection(self) -> Collection:
        """The existing collection; raises ``CollectionNotFoundError`` when there is none."""
        if self._collection is None:
            try:
                self._collection = self.client.get_collection(self.name)
            except (NotFoundError, ValueError) as exc:
                raise CollectionNotFoundError(self.name, list_collections(self.client)) from exc
        return self._collection

    def create(self, embedding: str = "minilm") -> Collection:
        """The collection, created with ``embedding``'s model(s) if it does not exist yet (an existing one keeps
        what it records)."""
        if self._collection is None and not self.exists():
            dimensions = {m: self.models.get(m).dimensions for m in CHOICES[parse_choice(embedding)]}
            layout = Layout.new(self.name, embedding, dimensions, uuid.uuid4().hex[:8])
            for model, companion in layout.vectors.items():
                if companion != self.name:
                    _create(self.client, companion, {"companion_of": self.name, "model": model},
                            self.models.get(model))
            first = self.models.get(layout.models[0])
            self._collection = _create(self.client, self.name, {
                "revision": "empty", "embedder": first.name() if hasattr(first, "name") else EMBEDDER_NAME,
                "created": utc_stamp(), **layout.to_metadata()}, first)
        return self.collection

    # -- layout: which models, where their vectors are --------------------------------------------

    def layout(self) -> Layout:
        """What the collection records about its models (cached; refreshed with the revision)."""
        if self._layout is None:
            self._set_layout(Layout.from_metadata(self.name, self.collection.metadata or {}))
        assert self._layout is not None
        return self._layout

    def _set_layout(self, layout: Layout) -> None:
        if layout != self._layout:
            self.searchable = layout.check(self.models, self.expect)
            self._layout = layout
            self._vector_collections = {}

    def vectors(self, model: str) -> Collection:
        """The Chroma collection holding ``model``'s vectors."""
        found = self._vector_collections.get(model)
        if found is None:
            name = self.layout().vectors[model]
            try:
                found = self.collection if name == self.name else self.client.get_collection(name)
            except (NotFoundError, ValueError) as exc:
                raise UserError(f"Collection {self.name!r} is missing the {model} vectors it records ({name}); "
                                f"rebuild them with `roundtable corpus reembed {self.name} "
                                f"--embedding {self.layout().embedding}`.") from exc
            self._vector_collections[model] = found
        return found

    # -- revision --------------------------------------------------------------------------------

    def revision(self) -> str:
        """The collection's current revision, read fresh from the store (cheap); the layout comes with it, so a
        reader follows a swap made by ``corpus reembed`` in another process."""
        fresh = self.client.get_collection(self.name)
        self._set_layout(Layout.from_metadata(self.name, fresh.metadata or {}))
        return str((fresh.metadata or {}).get("revision", ""))

    def new_revision(self) -> str:
        collection = self.collection
        revision = uuid.uuid4().hex[:16]
        metadata = {**(collection.metadata or {}), "revision": revision, "updated": utc_stamp()}
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
        for text, meta in self.chunks_with_metadata():
            yield str(meta.get("doc_id", "")), text

    def chunks_with_metadata(self) -> Iterator[tuple[str, Mapping[str, MetaValue]]]:
        """(chunk text, metadata: doc_id, title, the note's front matter...) for every chunk, page by page."""
        for page in self._pages(["documents", "metadatas"]):
            for doc, meta in zip(page["documents"], page["metadatas"], strict=True):
                yield doc or "", cast(Mapping[str, MetaValue], meta or {})

    def get(self, ids: Sequence[str]) -> dict[str, tuple[str, Mapping[str, MetaValue]]]:
        """Text and metadata of the given chunks, by id."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        docs, metas = got["documents"] or [], got["metadatas"] or []
        return {i: (d or "", cast(Mapping[str, MetaValue], m or {}))
                for i, d, m in zip(got["ids"], docs, metas, strict=True)}

    def query(self, vector: np.ndarray, n: int, model: str | None = None) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity in ``model``'s vectors (default: the first model)."""
        if n <= 0:
            return []
        collection = self.vectors(model or self.layout().models[0])
        result = collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def similarities(self, vector: np.ndarray, ids: Sequence[str], model: str | None = None) -> dict[str, float]:
        """Cosine similarity of ``vector`` to ``model``'s stored vectors of ``ids`` (all unit length)."""
        if not ids:
            return {}
        got = self.vectors(model or self.layout().models[0]).get(ids=list(ids), include=["embeddings"])
        if not got["ids"]:
            return {}
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], (vectors @ vector).tolist(), strict=True))

    # -- writes ----------------------------------------------------------------------------------

    def add(self, ids: list[str], vectors: np.ndarray | Mapping[str, np.ndarray], texts: list[str],
            metadatas: list[Mapping[str, MetaValue]]) -> None:
        """Write chunks; ``vectors`` maps each of the collection's models to its vectors (a bare array is the
        first model's, for MiniLM-only callers). Companion vectors are written first, so a chunk a reader can
        see in the named collection has all of its vectors."""
        layout = self.layout()
        by_model = dict(vectors) if isinstance(vectors, Mapping) else {layout.models[0]: vectors}
        for model in layout.models:
            if model not in by_model:
                raise ValueError(f"no {model} vectors given for {self.name}")
            if layout.vectors[model] != self.name:
                self.vectors(model).upsert(ids=ids, embeddings=by_model[model],
                                           metadatas=[{"doc_id": str(m.get("doc_id", ""))} for m in metadatas])
        primary = next((m for m in layout.models if layout.vectors[m] == self.name), None)
        own = by_model[primary] if primary else _placeholder(len(ids), layout.dimensions[layout.models[0]])
        self.collection.upsert(ids=ids, embeddings=own, documents=texts, metadatas=metadatas)  # type: ignore[arg-type]

    def update_metadata(self, ids: list[str], metadatas: list[Mapping[str, MetaValue]]) -> None:
        self.collection.update(ids=ids, metadatas=metadatas)  # type: ignore[arg-type]

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        companions = [self.vectors(m) for m in self.layout().models if self.layout().vectors[m] != self.name]
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=ids[start : start + PAGE])
            for companion in companions:
                companion.delete(ids=ids[start : start + PAGE])


def list_collections(client: ClientAPI) -> list[str]:
    """User collections (companion vector collections are not listed)."""
    return sorted(n for n in (c.name if hasattr(c, "name") else str(c) for c in client.list_collections())
                  if not is_companion(n))


def all_collection_names(client: ClientAPI) -> list[str]:
    return sorted(c.name if hasattr(c, "name") else str(c) for c in client.list_collections())


def _create(client: ClientAPI, name: str, metadata: Mapping[str, Any], model: object) -> Collection:
    """A collection recording ``model`` as its Chroma embedding function when it is one (ours are registered, so
    Chroma can rebuild them when the collection is opened; opening never passes one, so nothing conflicts)."""
    ef: Any = model if hasattr(model, "build_from_config") else None
    return client.get_or_create_collection(name, metadata=dict(metadata), embedding_function=ef,
                                           configuration={"hnsw": {"space": "cosine"}})


def _placeholder(n: int, dimensions: int) -> np.ndarray:
    """Vectors for the named collection when none of its models keeps vectors there (after a reembed moved
    them all to companions): never searched, but Chroma needs one per record."""
    out = np.zeros((n, dimensions), dtype=np.float32)
    out[:, 0] = 1.0
    return out


def utc_stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
