"""Counts and lexical overlap of the Chinese retrieval set (run from the repository root):

    python -m tests.data.zh_retrieval.stats

Overlap is the share of a question's characters (letters, digits and Chinese characters after the shared
normaliser; punctuation and spaces left out) that occur anywhere in its grade-3 note, averaged over questions.
Any Chinese text shares many common characters (的, 是, 吗 ...) with any 500-character note, so the script also
prints the same share against the notes the question was NOT graded for (the floor) and the share of character
bigrams, the unit BM25 indexes Chinese by. It reads only the set's own files: it runs no retrieval model.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from statistics import mean

from advisor.text import normalise
from knowledge.documents import SourceDocument, read_documents

HERE = Path(__file__).parent
RUNS = re.compile(r"\w+")  # runs of letters, digits and CJK characters; punctuation and spaces split runs


def load_questions(name: str = "questions.jsonl") -> list[dict[str, object]]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_notes() -> dict[str, str]:
    """doc_id -> normalised title and body, read with the project's loader (the ids retrieval returns)."""
    docs = [d for d in read_documents([HERE / "notes"]) if isinstance(d, SourceDocument)]
    return {d.doc_id: normalise(f"{d.title}\n{d.text}") for d in docs}


def units(text: str) -> tuple[list[str], list[str]]:
    """The characters and the adjacent-character bigrams (within a run) of normalised text."""
    runs = RUNS.findall(normalise(text))
    return [c for run in runs for c in run], [run[i : i + 2] for run in runs for i in range(len(run) - 1)]


NoteUnits = tuple[set[str], set[str]]


def note_units(text: str) -> NoteUnits:
    chars, bigrams = units(text)
    return set(chars), set(bigrams)


def share(question: str, note: NoteUnits) -> tuple[float, float]:
    """(character share, bigram share) of ``question`` found in a note's characters and bigrams."""
    chars, bigrams = units(question)
    char_share = sum(c in note[0] for c in chars) / len(chars) if chars else 0.0
    bigram_share = sum(b in note[1] for b in bigrams) / len(bigrams) if bigrams else 0.0
    return char_share, bigram_share


def overlap(questions: list[dict[str, object]], notes: dict[str, NoteUnits]) -> dict[str, float]:
    """Mean shares against the grade-3 note (the best one when a question has two) and against ungraded notes."""
    char3, bigram3, char_floor, bigram_floor = [], [], [], []
    for q in questions:
        text, relevant = str(q["question"]), dict(q["relevant"])  # type: ignore[call-overload]
        best = max(share(text, notes[doc]) for doc, grade in relevant.items() if grade == 3)
        char3.append(best[0])
        bigram3.append(best[1])
        others = [share(text, body) for doc, body in notes.items() if doc not in relevant]
        char_floor.append(mean(o[0] for o in others))
        bigram_floor.append(mean(o[1] for o in others))
    return {"questions": len(questions), "char_grade3": mean(char3), "char_ungraded": mean(char_floor),
            "bigram_grade3": mean(bigram3), "bigram_ungraded": mean(bigram_floor)}


def main() -> None:
    notes = {doc: note_units(body) for doc, body in load_notes().items()}
    questions = load_questions()
    cross = load_questions("crosslingual.jsonl")
    english = sum(bool(re.search(r"[A-Za-z]{2,}", str(q["question"]))) for q in questions)
    print(f"notes: {len(notes)}; questions: {len(questions)} ({english} with Latin letters); "
          f"crosslingual: {len(cross)}")
    for name, rows in (("questions", questions), ("crosslingual", cross)):
        print(f"{name} per split: {dict(sorted(Counter(str(q['split']) for q in rows).items()))}")
    grades = Counter(g for q in questions for g in dict(q["relevant"]).values())  # type: ignore[call-overload]
    print(f"judgements by grade: {dict(sorted(grades.items()))}")
    for split in ("all", "tune", "eval"):
        rows = [q for q in questions if split == "all" or q["split"] == split]
        o = overlap(rows, notes)
        print(f"{split:>4} ({o['questions']:.0f} q): characters in grade-3 note {o['char_grade3']:.1%} "
              f"(ungraded notes {o['char_ungraded']:.1%}); bigrams in grade-3 note {o['bigram_grade3']:.1%} "
              f"(ungraded notes {o['bigram_ungraded']:.1%})")


if __name__ == "__main__":
    main()
