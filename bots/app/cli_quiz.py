"""`roundtable quiz generate`: the multiple-choice questions the chat's /quiz asks, generated from research notes.

With ``--json`` it prints exactly ``{"questions": [{"id", "language", "question", "options", "answer",
"citation": {"doc_id", "title", "quote"}}]}``; ``quote`` is the note's sentence, verbatim, that makes
``options[answer]`` right. Without ``--collection`` the bundled notes are read from disk (no database needed);
with it, the collection's chunks are read from the research store and grouped back into notes by document id.
The same notes always give the same questions.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, guarded, load_settings, open_research, out

quiz_app = typer.Typer(help="Quiz questions generated from the research notes.", no_args_is_help=True)


@quiz_app.command("generate")
@guarded
def quiz_generate(
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Only notes about this (title, tag or file "
                                                                   "name), e.g. bonds or 杠杆.")] = None,
    language: Annotated[Literal["en", "zh"] | None, typer.Option("--language", "-l",
                                                                 help="Only questions in en or zh.")] = None,
    collection: Annotated[str | None, typer.Option("--collection", "-c", help="A collection in the research "
                                                   "store instead of the bundled notes.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Generate the quiz questions (deterministic: the same notes give the same questions and ids)."""
    from advisor.quiz.generate import generate
    from advisor.quiz.notes import bundled_notes, notes_from_chunks
    from knowledge.errors import CollectionNotFoundError

    if collection is None:
        notes = bundled_notes()
    else:
        research = open_research(load_settings())
        store = research.store(collection)
        if not store.exists():
            raise CollectionNotFoundError(collection, research.collection_names())
        notes = notes_from_chunks(store.chunks_with_metadata())
    questions = generate(notes, language=language, topic=topic)
    if as_json:
        sys.stdout.write(json.dumps({"questions": [q.to_json() for q in questions]}, ensure_ascii=False) + "\n")
        return
    for question in questions:
        out.print(f"[bold]{question.id}[/bold] {escape(question.question)}", highlight=False)
        for index, option in enumerate(question.options):
            out.print(f"  {'*' if index == question.answer else ' '} {option}", markup=False, highlight=False)
    out.print(f"{len(questions)} question(s).")
