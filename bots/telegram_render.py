"""Render Outgoing messages as Telegram HTML: everything escaped, split under Telegram's 4,096 limit."""

from __future__ import annotations

import html
import re

from advisor.catalogue import message
from advisor.types import Answer

LIMIT = 4096


def light_markup_to_html(text: str) -> str:
    """Escape ``text`` for Telegram HTML, then turn the core's ``**bold**`` into <b>."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text, quote=False))


def answer_html(answer: Answer) -> str:
    parts = [html.escape(answer.text, quote=False)]
    if answer.citations:
        lines = [f"<b>{message('sources', answer.language)}</b>"]
        for number, citation in enumerate(answer.citations, start=1):
            dated = f", {html.escape(citation.date)}" if citation.date else ""
            lines.append(f"{number}. {html.escape(citation.title)} ({html.escape(citation.source)}{dated})")
        parts.append("\n".join(lines))
    parts.append(f"<b>{message('risk', answer.language)} {html.escape(str(answer.risk))}</b>")
    if answer.suitability:
        parts.append(html.escape(answer.suitability))
    parts.append(f"<i>{html.escape(answer.disclaimer)}</i>")
    return "\n\n".join(parts)


def split_message(text: str, limit: int = LIMIT) -> list[str]:
    """Split on paragraph boundaries (then lines, then hard cuts) so no piece exceeds ``limit``.

    Pieces never cut inside an HTML tag or entity: a hard cut backs off to the last ``<`` or ``&``.
    """
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        for line in paragraph.split("\n"):
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                pieces.append(current)
            while len(line) > limit:
                cut = limit
                for marker in ("<", "&"):
                    position = line.rfind(marker, 0, limit)
                    if position > 0 and (">" not in line[position:limit] if marker == "<" else ";" not in
                                         line[position:limit]):
                        cut = min(cut, position)
                pieces.append(line[:cut])
                line = line[cut:]
            current = line
    if current:
        pieces.append(current)
    return pieces or [""]
