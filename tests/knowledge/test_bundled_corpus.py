"""The bundled research notes: complete front-matter, both languages, no promissory wording."""

from __future__ import annotations

import re

from knowledge.documents import SourceDocument, read_documents
from knowledge.research import BUNDLED_CORPUS

# L1 promissory words (compliance notes); allowed only inside quotation marks, as examples of red flags.
PROMISSORY = re.compile(r"guaranteed|risk-free|can't lose|sure thing|double your money|will reach|target price|"
                        r"稳赚|保本|保收益|保证收益|零风险|无风险|必涨|翻倍|目标价", re.IGNORECASE)
QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|「[^」\n]*」|‘[^’\n]*’")


def bundled() -> list[SourceDocument]:
    return [d for d in read_documents([BUNDLED_CORPUS]) if isinstance(d, SourceDocument)]


def test_at_least_thirty_notes_six_in_chinese() -> None:
    docs = bundled()
    assert len(docs) >= 30
    assert sum(d.metadata.get("language") == "zh" for d in docs) >= 6


def test_every_note_has_complete_front_matter() -> None:
    for doc in bundled():
        assert doc.title and doc.kind == "markdown", doc.doc_id
        assert {"date", "tags", "language", "risk"} <= set(doc.metadata), doc.doc_id
        assert re.fullmatch(r"R[1-5]", str(doc.metadata["risk"])), doc.doc_id


def test_no_promissory_words_outside_quotes() -> None:
    for doc in bundled():
        unquoted = QUOTED.sub("", doc.text)
        match = PROMISSORY.search(unquoted)
        assert match is None, f"{doc.doc_id}: {match.group() if match else ''}"
