"""Vetting a research collection before chats may select it: the compliance guard over every chunk.

An operator approves a collection with ``roundtable corpus approve NAME``. Approval screens every sentence
of every chunk with the same guard that screens answers, and lists what it would block, so the operator
sees what members would never be quoted (and can fix the source). Blocked sentences do not stop approval:
the guard drops them at answer time anyway; the list is for the operator's judgement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advisor.compliance import check_sentence
from advisor.composer import split_sentences


@dataclass(frozen=True)
class Flag:
    doc_id: str
    sentence: str
    rule: str


@dataclass(frozen=True)
class Vetting:
    sentences: int
    flags: tuple[Flag, ...]

    @property
    def blocked_share(self) -> float:
        return len(self.flags) / self.sentences if self.sentences else 0.0


def vet(chunks: Iterable[tuple[str, str]]) -> Vetting:
    """Screen (doc id, chunk text) pairs; a sentence repeated by chunk overlap is screened once."""
    seen: set[tuple[str, str]] = set()
    flags: list[Flag] = []
    for doc_id, text in chunks:
        for sentence in split_sentences(text):
            if (doc_id, sentence) in seen:
                continue
            seen.add((doc_id, sentence))
            verdict = check_sentence(sentence)
            if not verdict.allowed:
                flags.append(Flag(doc_id, sentence, verdict.rule))
    return Vetting(len(seen), tuple(flags))
