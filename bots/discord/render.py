"""Render ``Outgoing`` for Discord: answers as embeds, everything else as content, all within Discord's limits.

Discord refuses (400) a message over its limits rather than truncating it, so every piece is cut here:
2,000 characters of content, 4,096 of embed description, 25 fields of 1,024, a 2,048 footer, 6,000
characters over all the embeds of one message and 10 embeds per message. Text written by members or by the
corpus is escaped (markdown and @everyone/@here); only the core's ``**bold**`` stays markup. Mentions are
also disarmed by ``NO_MENTIONS`` on every send, so an escaped-but-missed ping still notifies no one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import discord

from advisor.catalogue import message
from advisor.types import Answer, Language, RiskLevel
from bots.chat.messages import Outgoing
from bots.chat.splitting import split

CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # summed over all embeds of one message
EMBEDS_PER_MESSAGE = 10

NO_MENTIONS = discord.AllowedMentions.none()

# R1 (lowest risk) green through R5 (highest) red: the colour bar reads as the risk at a glance; the
# "Risk" field says the same in words for colour-blind members and screen readers.
RISK_COLOURS: dict[RiskLevel, discord.Colour] = {
    "R1": discord.Colour(0x2E7D32), "R2": discord.Colour(0x9E9D24), "R3": discord.Colour(0xF9A825),
    "R4": discord.Colour(0xEF6C00), "R5": discord.Colour(0xC62828),
}
SUITABILITY: dict[Language, str] = {"en": "Suitability", "zh": "适合性"}
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def escape(text: str) -> str:
    """Someone else's text, shown literally: no markdown, no @everyone/@here."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def light_markup(text: str) -> str:
    """The core's light markup (``**bold**`` only) as Discord markdown, with everything else escaped."""
    out: list[str] = []
    last = 0
    for match in _BOLD.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"**{escape(match.group(1))}**")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


# -- splitting ----------------------------------------------------------------------------------------


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraphs, then lines, then words, then anywhere."""
    pieces = split(text, limit, ("\n\n", "\n", " "), _hard_cut)
    return [piece for piece in pieces if piece.strip()]


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut anywhere, but never just after a backslash: a split escape would turn into markup."""
    pieces = []
    while len(text) > limit:
        cut = limit
        while cut > 1 and text[cut - 1] == "\\":
            cut -= 1
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


# -- answers -----------------------------------------------------------------------------------------


def _fields(answer: Answer) -> list[tuple[str, str]]:
    """(name, value) pairs: numbered citations, the risk with its reason, the suitability note."""
    fields: list[tuple[str, str]] = []
    if answer.citations:
        lines = []
        for number, citation in enumerate(answer.citations, start=1):
            dated = f", {escape(citation.date)}" if citation.date else ""
            lines.append(f"{number}. {escape(citation.title)} ({escape(citation.source)}{dated})")
        for index, value in enumerate(split_text("\n".join(lines), FIELD_LIMIT)):
            name = message("sources", answer.language)
            fields.append((name if index == 0 else f"{name} ({index + 1})", value))
    risk = message("risk", answer.language)
    for index, value in enumerate(split_text(f"**{answer.risk.level}**: {escape(answer.risk.reason)}",
                                             FIELD_LIMIT)):
        fields.append((risk if index == 0 else f"{risk} ({index + 1})", value))
    if answer.suitability:
        label = SUITABILITY[answer.language]
        for index, value in enumerate(split_text(escape(answer.suitability), FIELD_LIMIT)):
            fields.append((label if index == 0 else f"{label} ({index + 1})", value))
    return fields


def answer_embeds(answer: Answer) -> list[discord.Embed]:
    """The answer as embeds in the risk colour: its text, then the fields, the disclaimer in the last footer.

    A long answer continues in further embeds; ``pack`` then groups them into messages."""
    colour = RISK_COLOURS[answer.risk.level]
    embeds = [discord.Embed(description=piece, colour=colour)
              for piece in split_text(escape(answer.text), DESCRIPTION_LIMIT)] or [discord.Embed(colour=colour)]
    footer, *overflow = split_text(answer.disclaimer, FOOTER_LIMIT)  # Answer guarantees a disclaimer
    fields = _fields(answer) + [("\u200b", rest) for rest in overflow]  # a blank name: the footer goes on
    current = embeds[-1]
    for name, value in fields:
        if len(current.fields) == FIELDS_PER_EMBED or \
                len(current) + len(name) + len(value) + len(footer) > EMBED_TOTAL_LIMIT:
            current = discord.Embed(colour=colour)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    if len(current) + len(footer) > EMBED_TOTAL_LIMIT:
        current = discord.Embed(colour=colour)
        embeds.append(current)
    current.set_footer(text=footer)
    return embeds


def pack(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages: at most 10 per message and 6,000 characters over them all."""
    messages: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not messages or len(messages[-1]) == EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL_LIMIT:
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += len(embed)
    return messages


def answer_text(answer: Answer) -> str:
    """The answer as plain content, for channels where the bot may not send embeds."""
    parts = [escape(answer.text)]
    if answer.citations:
        lines = [f"**{message('sources', answer.language)}**"]
        for number, citation in enumerate(answer.citations, start=1):
            dated = f", {escape(citation.date)}" if citation.date else ""
            lines.append(f"{number}. {escape(citation.title)} ({escape(citation.source)}{dated})")
        parts.append("\n".join(lines))
    parts.append(f"**{message('risk', answer.language)} {answer.risk.level}**: {escape(answer.risk.reason)}")
    if answer.suitability:
        parts.append(escape(answer.suitability))
    parts.append(f"*{escape(answer.disclaimer)}*")
    return "\n\n".join(parts)


# -- everything a reply sends --------------------------------------------------------------------------


def files(reply: Outgoing) -> list[discord.File]:
    """The chart and the document of a reply, as attachments (fresh objects: a File is read once)."""
    attached = []
    if reply.image is not None:
        attached.append(discord.File(io.BytesIO(reply.image), filename="chart.png"))
    if reply.file is not None:
        name, content = reply.file
        attached.append(discord.File(io.BytesIO(content), filename=name))
    return attached


def contents(reply: Outgoing, *, embeds_allowed: bool) -> tuple[list[str], list[list[discord.Embed]]]:
    """The content pieces and the embed groups of one reply; each becomes (at least) one message."""
    if reply.answer is not None:
        if embeds_allowed:
            return [], pack(answer_embeds(reply.answer))
        return split_text(answer_text(reply.answer)), []
    return split_text(light_markup(reply.text)), []
