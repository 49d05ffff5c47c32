"""Research notes read for quizzes: the notes themselves, their sentences, and the facts a question can be built on.

A fact is one sentence of a note, kept VERBATIM (the quiz cites it as the quote), plus the part of it a question
asks about: a term and its definition, a common mistake, or a question the note suggests asking yourself. Only
sentences whose form says what they are become facts: "X is the ...", "X refers to ...", "X是指...", "A common
mistake is ...", a first-person question in the note's self-check list. Anything looser (a sentence that merely
mentions a term) is skipped, because a question built on it could have more than one defensible answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from advisor.compliance import detect_language
from advisor.types import Language

FactKind = Literal["define", "mistake", "ask"]
# English sentences end at . ? ! followed by a space and a capital (the notes use no abbreviations like "e.g.").
EN_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z\"“])")
ZH_SENTENCE = re.compile(r"[^。！？]+[。！？]?")
# "Diversification is the practice of ...": a term (at most five words) then "is/are" + an article, or "refers to"
# / "means". The article rule is what keeps out "Asset allocation is usually shaped by ...".
EN_DEFINITION = re.compile(r"^(?P<article>An? |The )?(?P<term>[A-Za-z][\w\-']*(?: [\w\-']+){0,4}?) "
                           r"(?:(?P<verb>is|are) (?P<def>(?:an?|the) .+)|(?:refers to|means) (?P<def2>.+))\.$")
# "... the bid-ask spread, which is the gap between ...": an appositive definition inside a longer sentence.
EN_APPOSITIVE = re.compile(r"(?P<article>the |a |an )(?P<term>[\w\-]+(?: [\w\-]+){0,2}), which is (?P<def>(?:an?|the) "
                           r"[^,.;]+)")
# Words that make the "term" a description rather than a term ("The first investor is ...", "The example ...").
NOT_TERMS = {"example", "examples", "figures", "numbers", "rates", "prices", "scenario", "mistake", "idea", "purpose",
             "investor", "first", "second", "approach", "gap", "result", "drawdown from", "this", "that", "it",
             "one", "another", "main", "key", "core", "two", "common", "also"}
# "Crypto is a frequent setting for scams" says something about a term without defining it.
JUDGEMENT = re.compile(r"^(?:an?|the) (?:frequent|useful|primary|good|key|main|important|channel)\b")
ZH_DEFINITION = re.compile(r"(?:^|，)(?P<term>[\u4e00-\u9fffA-Za-z0-9]{2,12}?)(?P<verb>是指|用来衡量)"
                           r"(?P<def>.+?)(?=，[\u4e00-\u9fffA-Za-z0-9]{2,12}?是指|。$)")
EN_MISTAKE = re.compile(r"^(?:(?:A|One|Another)(?: common| frequent)?(?: [a-zA-Z]+)? mistake is (?P<m>.+)"
                        r"|(?P<m2>.+) is also a (?:frequent|common) (?:error|mistake))\.$")
# A mistake's explanation ("..., when bond prices can drop ...") is dropped from the option: the option names the
# mistake; the quote (the whole sentence) explains it.
EXPLANATION = re.compile(r", (?:when|since|which|because|while|even though|rather than|as if|in the belief)\b.*$")
QUESTIONS_HEADING = re.compile(r"^#+\s*(?:Questions to Ask Yourself|问自己的问题)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Note:
    """One research note: ``text`` is its body as stored (the quote must be found in it verbatim)."""

    doc_id: str
    title: str
    language: Language
    tags: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Fact:
    """A sentence of ``note`` (verbatim) and what a question asks about it: ``subject`` is the term (define), the
    mistake (mistake) or the self-check question (ask); ``detail`` is the definition (define only)."""

    note: Note
    kind: FactKind
    sentence: str
    subject: str
    detail: str = ""
    measures: bool = False  # a Chinese "X用来衡量Y" definition: asked as "what does X measure?"
    article: str = ""  # "a", "an" or "the" before an English term, for the question's wording
    plural: bool = False  # "Fees and costs are ...": asked "what are fees and costs?"


def notes_from_documents(documents: Iterable[object]) -> list[Note]:
    """``knowledge.documents.SourceDocument`` objects -> notes (duck-typed, so advisor/ needs no import of the
    reader), sorted by id so generation never depends on the order a directory was listed in."""
    return sorted((_note(str(getattr(doc, "doc_id", "")), str(getattr(doc, "title", "")),
                         getattr(doc, "metadata", {}) or {}, str(getattr(doc, "text", ""))) for doc in documents),
                  key=lambda n: n.doc_id)


def notes_from_chunks(chunks: Iterable[tuple[str, Mapping[str, object]]]) -> list[Note]:
    """(chunk text, chunk metadata) pairs from a research collection (``ResearchStore.chunks_with_metadata``),
    grouped back into one note per document: chunk texts joined by new lines, in the store's order; title, tags
    and language from the metadata the ingest copied from the note (the file name when there is no title). A
    sentence split across two chunks is simply not used."""
    texts: dict[str, list[str]] = {}
    metadata: dict[str, Mapping[str, object]] = {}
    for text, meta in chunks:
        doc_id = str(meta.get("doc_id", ""))
        texts.setdefault(doc_id, []).append(text)
        metadata.setdefault(doc_id, meta)
    return sorted((_note(doc_id, str(metadata[doc_id].get("title", "")) or
                         Path(doc_id).stem.replace("-", " ").replace("_", " "), metadata[doc_id], "\n".join(parts))
                   for doc_id, parts in texts.items()), key=lambda n: n.doc_id)


def _note(doc_id: str, title: str, metadata: Mapping[str, object], text: str) -> Note:
    language = str(metadata.get("language", "")) or detect_language(text)  # a note without a language in its metadata
    tags = tuple(t.strip() for t in str(metadata.get("tags", "")).split(",") if t.strip())
    return Note(doc_id, title, "zh" if language == "zh" else "en", tags, text)


def bundled_notes(root: Path | None = None) -> list[Note]:
    """The research notes shipped with the package (knowledge/corpus)."""
    from knowledge.documents import BUNDLED_CORPUS, SourceDocument, read_documents

    return notes_from_documents(d for d in read_documents([root or BUNDLED_CORPUS]) if isinstance(d, SourceDocument))


def sentences(note: Note) -> Iterator[tuple[str, bool]]:
    """(sentence, in the self-check section) for every sentence of the note's body, headings skipped."""
    in_questions = False
    for line in note.text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            in_questions = bool(QUESTIONS_HEADING.match(line))
            continue
        if not line:
            continue
        parts = ZH_SENTENCE.findall(line) if note.language == "zh" else EN_SENTENCE_END.split(line)
        for part in parts:
            if part.strip():
                yield part.strip(), in_questions


def facts(note: Note) -> Iterator[Fact]:
    """Every fact of the note, in the note's order."""
    for sentence, in_questions in sentences(note):
        if note.language == "zh":
            yield from _zh_facts(note, sentence, in_questions)
        else:
            yield from _en_facts(note, sentence, in_questions)


def _en_facts(note: Note, sentence: str, in_questions: bool) -> Iterator[Fact]:
    if in_questions or (sentence.endswith("?") and re.search(r"\b(?:I|my|me)\b", sentence)):
        if sentence.endswith("?"):
            yield Fact(note, "ask", sentence, sentence)
        return
    definition = EN_DEFINITION.match(sentence)
    detail = (definition["def"] or definition["def2"]) if definition else ""
    if definition and _is_term(definition["term"]) and not JUDGEMENT.match(detail) and not LEANS_BACK.search(detail):
        article = (definition["article"] or "").strip().lower()
        yield Fact(note, "define", sentence, definition["term"], _strip_clause(detail), article=article,
                   plural=definition["verb"] == "are")
    for appositive in EN_APPOSITIVE.finditer(sentence):
        if _is_term(appositive["term"]) and not LEANS_BACK.search(appositive["def"]):
            yield Fact(note, "define", sentence, appositive["term"], appositive["def"],
                       article=appositive["article"].strip().lower())
    mistake = EN_MISTAKE.match(sentence)
    if mistake:
        text = EXPLANATION.sub("", mistake["m"] or mistake["m2"]).rstrip(", ")
        yield Fact(note, "mistake", sentence, text[0].upper() + text[1:])


def _zh_facts(note: Note, sentence: str, in_questions: bool) -> Iterator[Fact]:
    if in_questions:
        if sentence.endswith("？"):
            yield Fact(note, "ask", sentence, sentence)
        return
    for found in ZH_DEFINITION.finditer(sentence):
        if LEANS_BACK.search(found["def"]):
            continue
        yield Fact(note, "define", sentence, found["term"], found["def"], measures=found["verb"] == "用来衡量")


# A definition that leans on the sentence before it ("the largest such decline", "the account that allows such
# borrowing", 这种/上述) means nothing on its own: as a question or an option it would be a riddle.
LEANS_BACK = re.compile(r"\bsuch\b(?! as)|\b(?:this|these|those)\b|这种|这类|此类|上述|该")


def _is_term(term: str) -> bool:
    words = term.lower().split()
    return not any(word in NOT_TERMS for word in words) and not term.lower().startswith(("if ", "when "))


def _strip_clause(definition: str) -> str:
    """A definition without a trailing ", and ..." remark that is not part of what the term means."""
    # Only a tail that starts a new clause with its own subject goes; "..., and later buys shares back" is part of
    # the meaning and stays.
    return re.sub(r", and (?:a|an|the|lower|it|its|they|investors|reading)\b.*$", "", definition)
