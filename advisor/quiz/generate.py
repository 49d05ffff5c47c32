"""Multiple-choice questions generated from research notes, deterministically: the same notes give the same
questions, with the same ids, options in the same order and the same answer.

Four kinds, each built on one verbatim sentence (the quote) that makes the answer right:

- ``define``: "According to <note>, what is X?" - the note's definition of X against definitions of OTHER terms;
- ``term``: "Which term does <note> define as ...?" - X against other terms;
- ``mistake``: "Which of these does <note> describe as a common mistake?" - against other notes' mistakes;
- ``ask``: "<note> lists questions to ask yourself. Which of these is on its list?" - against other notes'
  self-check questions. Asked about the note's list, not "which is a good question": another note's question
  may be sensible too, but it is not on this list.

Why the wrong options are clearly wrong: they come only from notes in the same language that share no tag with
the cited note and whose tags the cited note never uses (so "margin" is never a distractor for "leverage"); a
distractor must be mostly about things the cited note never mentions (``checks.novelty``, most foreign first), must
not be supported by the quote (``checks.support``), and must not name the asked-about term. Among the distractors
that qualify, the choice and the answer's position come from
a hash of the question, not from a random generator.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from advisor.quiz.checks import UNSUPPORTED, novelty, problems, support
from advisor.quiz.notes import Fact, Note, facts
from advisor.text import normalise
from advisor.types import Language

QuestionKind = Literal["define", "term", "mistake", "ask"]
OPTIONS = 4
MIN_NOVELTY = 0.7  # at least this share of a distractor's content is absent from the cited note


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    quote: str

    def to_json(self) -> dict[str, str]:
        return {"doc_id": self.doc_id, "title": self.title, "quote": self.quote}


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    language: Language
    kind: QuestionKind
    question: str
    options: tuple[str, ...]
    answer: int
    citation: Citation
    topics: tuple[str, ...]  # the cited note's tags, for /quiz TOPIC

    def to_json(self) -> dict[str, Any]:
        """The CLI's contract: id, language, question, options, answer, citation {doc_id, title, quote}."""
        return {"id": self.id, "language": self.language, "question": self.question, "options": list(self.options),
                "answer": self.answer, "citation": self.citation.to_json()}


def generate(notes: Sequence[Note], *, language: Language | None = None,
             topic: str | None = None) -> list[QuizQuestion]:
    """Every sound question on ``notes`` (optionally only one language, or notes about ``topic``), in note order.
    Distractors are drawn from all the notes given, whatever the filters."""
    notes = sorted(notes, key=lambda n: n.doc_id)  # the order notes were listed in never changes the questions
    by_note = [(note, first_definitions(facts(note))) for note in notes]  # each note parsed once
    every = [fact for _, found in by_note for fact in found]
    questions: list[QuizQuestion] = []
    seen: set[str] = set()
    for note, found in by_note:
        if (language is not None and note.language != language) or not about(note, topic):
            continue
        for fact in found:
            for kind in _kinds(fact):
                question = _build(kind, fact, every)
                if question is not None and question.id not in seen:
                    seen.add(question.id)
                    questions.append(question)
    return questions


def bundled_questions() -> list[QuizQuestion]:
    """Every question on the research notes shipped with the package (what /quiz asks)."""
    from advisor.quiz.notes import bundled_notes

    return generate(bundled_notes())


def first_definitions(found: Iterable[Fact]) -> list[Fact]:
    """A note's facts with only the first definition of each term: a term defined twice ("Short selling is a
    strategy ...", later "... is the opposite of ...") means the first; the later one is a remark."""
    kept: list[Fact] = []
    defined: set[str] = set()
    for fact in found:
        if fact.kind == "define":
            if normalise(fact.subject) in defined:
                continue
            defined.add(normalise(fact.subject))
        kept.append(fact)
    return kept


def about(note: Note, topic: str | None) -> bool:
    """Whether the note is about ``topic``: it appears in the note's title, tags or file name (any case, full-width
    or spaced-out letters all match)."""
    if not topic:
        return True
    wanted = _flat(topic).strip()
    return bool(wanted) and wanted in _flat(" | ".join([note.title, note.doc_id, *note.tags]))


def _kinds(fact: Fact) -> tuple[QuestionKind, ...]:
    if fact.kind == "define":
        return ("define", "term")
    return (fact.kind,)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _build(kind: QuestionKind, fact: Fact, every: Sequence[Fact]) -> QuizQuestion | None:
    note = fact.note
    right = _option(kind, fact)
    qid = f"{kind[0]}{_digest(note.doc_id, kind, fact.subject, fact.sentence)[:10]}"
    pool = _distractors(kind, fact, right, every)
    # The most foreign distractors first (novelty in tenths), then a hash: clearly wrong beats merely unmentioned.
    ranked = [text for _, text in sorted(pool, key=lambda item: (-round(item[0], 1), _digest(qid, item[1])))]
    chosen: list[str] = []
    for text in ranked:
        if all(normalise(text) != normalise(other) for other in [right, *chosen]):
            chosen.append(text)
        if len(chosen) == OPTIONS - 1:
            break
    if len(chosen) < OPTIONS - 1:
        return None  # too few clearly wrong options: no question rather than a weak one
    answer = int(_digest(qid, "answer"), 16) % OPTIONS
    options = (*chosen[:answer], right, *chosen[answer:])
    if problems(options, answer, fact.sentence, note.text):
        return None
    return QuizQuestion(qid, note.language, kind, _wording(kind, fact), options, answer,
                        Citation(note.doc_id, note.title, fact.sentence), note.tags)


def _option(kind: QuestionKind, fact: Fact) -> str:
    """What an option looks like for this kind of question, built from a fact (right or wrong)."""
    if kind == "term":
        return _capitalised(fact.subject)
    if kind == "define":
        return _capitalised(fact.detail)
    return fact.subject


def _distractors(kind: QuestionKind, fact: Fact, right: str, every: Iterable[Fact]) -> list[tuple[float, str]]:
    """(novelty, option text) for every option that may stand as a wrong answer to this fact's question."""
    source_kind = "define" if kind in ("define", "term") else kind
    note = fact.note
    asked = normalise(fact.subject)
    found: list[tuple[float, str]] = []
    for other in every:
        if other.kind != source_kind or other.note.language != note.language or other.note.doc_id == note.doc_id:
            continue
        if related(note, other.note, loosely=kind in ("ask", "mistake")) or (
                kind == "define" and other.measures != fact.measures):
            continue
        text = _option(kind, other)
        subject = normalise(other.subject)
        if asked in normalise(text) or subject in normalise(right) or asked in subject or subject in asked:
            continue  # an option naming the asked-about term (or the other way round) is not clearly wrong
        if _flat(text) in _flat(note.text):
            continue  # a term the cited note itself uses ("leveraged products" in the herding note) looks plausible
        foreign = novelty(text, note.text)
        if foreign < MIN_NOVELTY or support(text, fact.sentence) >= UNSUPPORTED:
            continue
        found.append((foreign, text))
    return found


def related(one: Note, other: Note, *, loosely: bool = False) -> bool:
    """Notes that share a tag, or where one names the other's main subject (its first tag: "short selling" in the
    margin note), are about overlapping things; neither supplies the other's wrong options. ``loosely`` (for
    self-check questions and mistakes, which are fuzzier than definitions) also counts ANY tag of one named in the
    other: review found "Should I build or top up my emergency fund?" offered as wrong for asset allocation, a note
    that weighs the need for cash (a tag of the emergency-fund note)."""
    if {_flat(t) for t in one.tags} & {_flat(t) for t in other.tags}:
        return True
    tags = slice(None) if loosely else slice(0, 1)
    return _names(one, other.tags[tags]) or _names(other, one.tags[tags])


def _names(note: Note, tags: Sequence[str]) -> bool:
    return any(len(_flat(tag)) >= 2 and _flat(tag) in _flat(note.text) for tag in tags)


@functools.lru_cache(maxsize=1024)  # each note's text is normalised once, not once per pair of facts
def _flat(text: str) -> str:
    return normalise(text).replace("-", " ")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _wording(kind: QuestionKind, fact: Fact) -> str:
    title, term = fact.note.title, fact.subject
    if fact.note.language == "zh":
        return {
            "define": f"根据《{title}》，“{term}”{'用来衡量什么' if fact.measures else '是指什么'}？",
            "term": f"《{title}》中，哪个术语{'用来衡量' if fact.measures else '是指'}：{fact.detail}？",
            "mistake": f"《{title}》把下面哪一项列为常见误区？",
            "ask": f"《{title}》列出了投资者可以问自己的问题。下面哪一个在它的清单上？",
        }[kind]
    # "Stock Connect" and "ESG investing" keep their capitals; "Diversification" is lower-cased mid-sentence.
    proper = any(word[:1].isupper() for word in term.split()[1:]) or term.split()[0].isupper()
    shown = term if proper else term[:1].lower() + term[1:]
    verb = "are" if fact.plural else "is"
    shown = f"{fact.article} {shown}" if fact.article else shown
    return {
        "define": f"According to the note \"{title}\", what {verb} {shown}?",
        "term": f"Which term does the note \"{title}\" define as: {fact.detail}?",
        "mistake": f"Which of these does the note \"{title}\" describe as a common mistake?",
        "ask": f"The note \"{title}\" lists questions to ask yourself. Which of these is on its list?",
    }[kind]
