"""``MemoryRetriever``: the ``Retriever`` seam's in-repo fake. Lexical only, in memory, no ONNX, no Chroma.

Router and front-end tests answer from real research notes without loading the embedding model or a
store: documents are read and chunked like an ingest (word counts stand in for model tokens) and
scored with the same BM25 index the hybrid retriever uses, so answers look like the app's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunker, chunk_metadata
from knowledge.documents import SourceDocument, read_documents
from knowledge.errors import CollectionNotFoundError
from knowledge.lexical import LexicalIndex
from knowledge.retrieval import Hit, Retriever, clean_text


class MemoryRetriever:
    def __init__(self, documents: Sequence[SourceDocument]) -> None:
        chunker = Chunker(count_tokens=lambda text: len(text.split()))
        self._hits: list[Hit] = []
        for doc in documents:
            chunks = chunker.split(doc)
            for chunk in chunks:
                meta = chunk_metadata(doc, chunk, len(chunks))
                self._hits.append(Hit(doc.doc_id, chunk.chunk_id, 0.0, doc.title, doc.source, chunk.text, meta))
        self._index = LexicalIndex.build([h.chunk_id for h in self._hits], [h.text for h in self._hits])

    @classmethod
    def from_paths(cls, paths: Iterable[Path]) -> MemoryRetriever:
        return cls([doc for doc in read_documents(paths) if isinstance(doc, SourceDocument)])

    def search(self, query: str, k: int = 10) -> list[Hit]:
        scores = self._index.scores(clean_text(query))
        best = np.argsort(-scores)[:k]
        return [Hit(h.doc_id, h.chunk_id, float(scores[i]), h.title, h.source, h.text, h.metadata)
                for i in best if scores[i] > 0 for h in (self._hits[i],)]


def retrievers(collections: dict[str, Retriever]) -> Callable[[str], Retriever]:
    """A ``retriever_for(name)`` over fixed collections; unknown names raise like the real store."""

    def retriever_for(name: str) -> Retriever:
        if name not in collections:
            raise CollectionNotFoundError(name, list(collections))
        return collections[name]

    return retriever_for
