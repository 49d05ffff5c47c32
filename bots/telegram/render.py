"""Render Outgoing messages as Telegram HTML: everything escaped, split under Telegram's 4,096 limit."""

from __future__ import annotations

import html
import re

from advisor.catalogue import message
from advisor.types import Answer
from bots.chat.splitting import split

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
    """Split on paragraph boundaries, then lines, then hard cuts, so no piece exceeds ``limit``."""
    return split(text, limit, ("\n\n", "\n"), _hard_cut)


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut at ``limit``, backing off so no cut falls inside an HTML tag or entity."""
    pieces = []
    while len(text) > limit:
        cut = limit
        tag, entity = text.rfind("<", 0, limit), text.rfind("&", 0, limit)
        if tag > text.rfind(">", 0, limit):
            cut = tag
        if entity > text.rfind(";", 0, limit):
            cut = min(cut, entity)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]
