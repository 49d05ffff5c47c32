"""Split documents into chunks short enough for the 256-token embedding model.

Markdown (and HTML, which is read as Markdown-style headings) is split on headings first, so a chunk
never straddles two sections; each piece is then split on paragraph, line and sentence boundaries
(English and Chinese punctuation) by token count. Chunk ids hash the document id and the chunk's text,
so re-ingesting an unchanged document produces the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from knowledge.documents import MetaValue, SourceDocument

CHUNK_TOKENS = 220
OVERLAP_TOKENS = 30
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", ", ", " ", ""]
HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    index: int
    text: str
    heading: str

    def embedding_text(self, title: str) -> str:
        """What the dense model sees: the chunk with its title and section as context."""
        context = " — ".join(part for part in (title, self.heading) if part)
        return f"{context}\n{self.text}" if context else self.text


class Chunker:
    def __init__(self, count_tokens: Callable[[str], int], chunk_tokens: int = CHUNK_TOKENS,
                 overlap_tokens: int = OVERLAP_TOKENS) -> None:
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_tokens, chunk_overlap=overlap_tokens, length_function=count_tokens,
            separators=SEPARATORS, keep_separator="end", strip_whitespace=True,
        )
        self._markdown = MarkdownHeaderTextSplitter(HEADERS, strip_headers=True)

    def split(self, doc: SourceDocument) -> list[Chunk]:
        sections: list[tuple[str, str]]
        if doc.kind in {"markdown", "html"}:
            sections = [(_heading(part.metadata, doc.title), part.page_content)
                        for part in self._markdown.split_text(doc.text)]
        else:
            sections = [("", doc.text)]
        chunks: list[Chunk] = []
        seen: dict[str, int] = {}
        for heading, body in sections:
            for text in self._splitter.split_text(body):
                if not text.strip():
                    continue
                key = f"{heading}\x00{text}"
                duplicate = seen.get(key, 0)
                seen[key] = duplicate + 1
                digest = hashlib.sha256(f"{doc.doc_id}\x00{duplicate}\x00{key}".encode()).hexdigest()
                chunks.append(Chunk(digest[:24], doc.doc_id, len(chunks), text, heading))
        return chunks


def _heading(metadata: dict[str, Any], title: str) -> str:
    """The section path below the document title, e.g. "Risks > Leverage"."""
    parts = [str(metadata[key]) for key in ("h1", "h2", "h3") if metadata.get(key)]
    if parts and parts[0] == title:
        parts = parts[1:]
    return " > ".join(parts)


def chunk_metadata(doc: SourceDocument, chunk: Chunk, n_chunks: int) -> dict[str, MetaValue]:
    return {
        **doc.metadata,
        "doc_id": doc.doc_id, "title": doc.title, "source": doc.source, "kind": doc.kind,
        "origin": doc.origin, "doc_hash": doc.content_hash, "chunk_index": chunk.index,
        "n_chunks": n_chunks, "heading": chunk.heading,
    }
