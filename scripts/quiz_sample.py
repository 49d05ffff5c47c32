"""Print a reviewable sample of the generated quiz questions: ``python scripts/quiz_sample.py [N] [SEED]``.

The sample is drawn with a seeded random generator over the questions on the bundled notes, so a review can name
what it read (e.g. "30 questions, seed 14") and anyone can print the same ones again. The right option is starred;
the quote that supports it follows.
"""

from __future__ import annotations

import random
import sys

from advisor.quiz.generate import generate
from advisor.quiz.notes import bundled_notes


def main(size: int = 30, seed: int = 14) -> None:
    questions = generate(bundled_notes())
    picked = random.Random(seed).sample(questions, min(size, len(questions)))
    print(f"{len(picked)} of {len(questions)} questions, seed {seed}\n")
    for number, question in enumerate(picked, 1):
        print(f"{number}. [{question.id}, {question.language}, {question.kind}] {question.question}")
        for index, option in enumerate(question.options):
            print(f"   {'*' if index == question.answer else ' '} {option}")
        print(f"   quote ({question.citation.doc_id}): {question.citation.quote}\n")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
