"""Render an ``Answer`` for the terminal (rich markup). Chat front-ends render the same fields their own way."""

from __future__ import annotations

import re

from rich.markup import escape

from advisor.catalogue import message
from advisor.types import Answer


def text_markup(text: str) -> str:
    """The chat core's light markup (``**bold**`` only) as rich markup; everything else is shown as typed."""
    return re.sub(r"\*\*(.+?)\*\*", r"[bold]\1[/bold]", escape(text))


def answer_markup(answer: Answer) -> str:
    lines = [escape(answer.text), ""]
    if answer.citations:
        lines.append(f"[bold]{message('sources', answer.language)}[/bold]")
        for number, citation in enumerate(answer.citations, start=1):
            dated = f", {escape(citation.date)}" if citation.date else ""
            lines.append(f"  [{number}] {escape(citation.title)} [dim]({escape(citation.source)}{dated})[/dim]")
    colour = {"R1": "green", "R2": "green", "R3": "yellow", "R4": "red", "R5": "bold red"}[answer.risk.level]
    lines.append(f"[{colour}]{message('risk', answer.language)} {escape(str(answer.risk))}[/{colour}]")
    if answer.suitability:
        lines.append(escape(answer.suitability))
    lines.append(f"[dim]{escape(answer.disclaimer)}[/dim]")
    return "\n".join(lines)
