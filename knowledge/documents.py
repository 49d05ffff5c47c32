"""Read research documents from disk: Markdown, text, HTML, PDF, JSONL and directories of them.

``read_documents`` yields a ``SourceDocument`` for every document it can read and a ``Problem`` for
every one it cannot, so a bad file is reported and the rest still gets ingested.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar, Literal

import yaml

MetaValue = str | int | float | bool
TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text",
                 ".html": "html", ".htm": "html", ".pdf": "pdf", ".jsonl": "jsonl"}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
BUNDLED_CORPUS = Path(__file__).parent / "corpus"  # the research notes the team wrote, shipped in the wheel


@dataclass(frozen=True)
class SourceDocument:
    """One document before chunking. ``doc_id`` is the JSONL ``id`` or the path relative to its root."""

    doc_id: str
    title: str
    text: str
    source: str
    kind: str
    origin: str
    metadata: Mapping[str, MetaValue] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        payload = json.dumps([self.title, self.text, dict(self.metadata)], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Problem:
    """A file, or a line of one, that could not be read. ``level`` "error" fails the command."""

    path: str
    message: str
    line: int | None = None
    level: Literal["error", "warning", "ignored"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def read_documents(roots: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[SourceDocument | Problem]:
    """Walk each root (a file or a directory) in a stable order."""
    for root in roots:
        if not root.exists():
            yield Problem(str(root), "no such file or directory")
            continue
        origin = str(root.resolve())
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p.relative_to(root)))
            for path in files:
                if path.suffix.lower() not in TEXT_SUFFIXES:
                    yield Problem(str(path), "unsupported file type", level="ignored")
                    continue
                yield from _read_file(path, path.relative_to(root).as_posix(), origin, max_bytes)
        elif root.suffix.lower() not in TEXT_SUFFIXES:
            supported = ", ".join(sorted(TEXT_SUFFIXES))
            yield Problem(str(root), f"unsupported file type {root.suffix or '(none)'!r}; supported: {supported}")
        else:
            yield from _read_file(root, root.name, origin, max_bytes)


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "_")) for part in relative.parts)


def _read_file(path: Path, rel: str, origin: str, max_bytes: int) -> Iterator[SourceDocument | Problem]:
    kind = TEXT_SUFFIXES[path.suffix.lower()]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield Problem(str(path), f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit"
                          " (ROUNDTABLE_MAX_FILE_MB)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    if kind == "pdf":
        yield from _read_pdf(path, data, rel, origin)
        return
    if b"\x00" in data[:8192]:
        yield Problem(str(path), "looks like a binary file, not text")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Problem(str(path), f"not valid UTF-8 text (byte {exc.start}); save it as UTF-8 and retry")
        return
    if kind == "jsonl":
        yield from _read_jsonl(path, text, origin)
        return
    title, metadata = "", dict[str, MetaValue]()
    if kind == "markdown":
        try:
            metadata, text = split_front_matter(text)
        except ValueError as exc:
            yield Problem(str(path), str(exc))
            return
        title = str(metadata.pop("title", "") or "")
    elif kind == "html":
        title, text = html_to_text(text)
    yield from _document(path, rel, title, text, kind, origin, metadata)


def _document(path: Path, rel: str, title: str, text: str, kind: str, origin: str,
              metadata: Mapping[str, MetaValue]) -> Iterator[SourceDocument | Problem]:
    text = text.strip()
    if not text:
        yield Problem(str(path), "document is empty", level="warning")
        return
    if not title:
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        title = heading.group(1).strip() if heading else path.stem.replace("-", " ").replace("_", " ")
    yield SourceDocument(rel, title, text, rel, kind, origin, dict(metadata))


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, MetaValue], str]:
    """Split YAML front-matter from a Markdown body; lists become comma-separated strings."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        raw = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid front-matter: {str(exc).splitlines()[0]}") from exc
    if not isinstance(raw, dict):
        raise ValueError("invalid front-matter: expected key: value pairs")
    return flatten_metadata(raw), text[match.end():]


def flatten_metadata(raw: Mapping[object, object]) -> dict[str, MetaValue]:
    """Chroma metadata holds scalars only: lists become "a, b", dates and others become strings."""
    out: dict[str, MetaValue] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out[str(key)] = ", ".join(str(v) for v in value)
        elif isinstance(value, str | int | float | bool):
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out


def _read_jsonl(path: Path, text: str, origin: str) -> Iterator[SourceDocument | Problem]:
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(str(path), f"invalid JSON: {exc.msg}", line=number)
            continue
        if not isinstance(record, dict):
            yield Problem(str(path), "expected a JSON object with id and text", line=number)
            continue
        doc_id, body = record.get("id"), record.get("text")
        if not isinstance(doc_id, str | int) or str(doc_id).strip() == "":
            yield Problem(str(path), "missing 'id'", line=number)
            continue
        if not isinstance(body, str) or not body.strip():
            yield Problem(str(path), f"record {doc_id!r} has no 'text'", line=number, level="warning")
            continue
        doc_id = str(doc_id)
        if doc_id in seen:
            yield Problem(str(path), f"duplicate id {doc_id!r}; keeping the first", line=number)
            continue
        seen.add(doc_id)
        title = str(record.get("title") or "")
        extra = record["metadata"] if isinstance(record.get("metadata"), dict) else {}
        others = {k: v for k, v in record.items() if k not in {"id", "title", "text", "metadata"}}
        metadata = flatten_metadata(others | extra)
        yield SourceDocument(doc_id, title or doc_id, body.strip(), f"{path.name}:{number}", "jsonl", origin,
                             metadata)


def _read_pdf(path: Path, data: bytes, rel: str, origin: str) -> Iterator[SourceDocument | Problem]:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            yield Problem(str(path), "PDF is encrypted; remove the password and retry")
            return
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        yield Problem(str(path), f"corrupt or unreadable PDF ({type(exc).__name__})")
        return
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        yield Problem(str(path), "PDF has no extractable text (a scanned image?)", level="warning")
        return
    yield from _document(path, rel, title, text, "pdf", origin, {})


class _HTMLText(HTMLParser):
    BLOCKS: ClassVar[set[str]] = {"p", "div", "br", "li", "tr", "section", "article", "table", "ul", "ol",
                                  "blockquote", "pre"}
    SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self.SKIP:
            self._skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML page, headings kept as Markdown ``#`` lines; returns (title, text)."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return " ".join(parser.title.split()), text.strip()
