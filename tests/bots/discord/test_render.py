"""Rendering for Discord: embeds and content within Discord's limits, everything foreign escaped."""

from __future__ import annotations

import discord

from advisor.types import RISK_LEVELS, Answer, Citation, RiskLabel
from bots.chat.messages import Outgoing
from bots.discord import render

DISCLAIMER = "Automated educational assistant, not a licensed adviser. Not investment advice."


def answer(text: str = "An ETF is a fund traded on an exchange. [1]", level: str = "R3",
           citations: int = 1, suitability: str = "") -> Answer:
    cited = tuple(Citation(f"d{n}", f"Note {n}", f"note{n}.md", "2026-11-20", "q") for n in range(citations))
    return Answer(text, RiskLabel(level, "equity funds: market risk"), DISCLAIMER, "en",  # type: ignore[arg-type]
                  citations=cited, suitability=suitability)


def test_core_bold_survives_and_everything_else_is_escaped() -> None:
    shown = render.light_markup("**Saved.** quota_per_hour *5* for @everyone")
    assert shown == "**Saved.** quota\\_per\\_hour \\*5\\* for @\u200beveryone"


def test_risk_levels_have_distinct_colours_from_green_to_red() -> None:
    colours = [render.RISK_COLOURS[level] for level in RISK_LEVELS]
    assert len(set(colours)) == 5
    assert colours[0].g > colours[0].r and colours[-1].r > colours[-1].g  # R1 green, R5 red


def test_an_answer_embed_has_citations_risk_suitability_and_the_disclaimer() -> None:
    (embed,) = render.answer_embeds(answer(citations=2, suitability="This topic is rated R3."))
    assert embed.colour == render.RISK_COLOURS["R3"]
    fields = {field.name: field.value for field in embed.fields}
    assert fields["Sources"] == "1. Note 0 (note0.md, 2026-11-20)\n2. Note 1 (note1.md, 2026-11-20)"
    assert fields["Risk"] == "**R3**: equity funds: market risk"
    assert fields["Suitability"] == "This topic is rated R3."
    assert embed.footer.text == DISCLAIMER


def test_a_huge_answer_is_cut_into_embeds_and_messages_within_every_limit() -> None:
    text = "\n\n".join(f"Paragraph {n}: " + "diversification spreads risk " * 30 for n in range(80))
    embeds = render.answer_embeds(answer(text, citations=60))
    messages = render.pack(embeds)
    assert len(messages) > 1
    for group in messages:
        assert len(group) <= render.EMBEDS_PER_MESSAGE and sum(len(e) for e in group) <= render.EMBED_TOTAL_LIMIT
    for embed in embeds:
        assert len(embed.description or "") <= render.DESCRIPTION_LIMIT
        assert len(embed.fields) <= render.FIELDS_PER_EMBED
        assert all(len(field.value or "") <= render.FIELD_LIMIT for field in embed.fields)
    assert "".join((e.description or "").replace("\n", "") for e in embeds) == text.replace("\n", "")
    cited = "\n".join(f.value or "" for e in embeds for f in e.fields if (f.name or "").startswith("Sources"))
    assert cited.count("\n") == 59  # all 60 citations, numbered, none lost
    assert embeds[-1].footer.text == DISCLAIMER  # the disclaimer closes the answer


def test_content_is_split_at_paragraphs_under_2000() -> None:
    paragraphs = [f"Paragraph {n}. " + "x" * 700 for n in range(6)]
    pieces = render.split_text("\n\n".join(paragraphs))
    assert all(len(piece) <= render.CONTENT_LIMIT for piece in pieces)
    assert [p for piece in pieces for p in piece.split("\n\n")] == paragraphs  # no paragraph cut in two


def test_a_cut_never_splits_an_escape() -> None:
    pieces = render.split_text("a" * 1999 + "\\_" + "b" * 10)
    assert pieces[0] == "a" * 1999 and pieces[1].startswith("\\_")


def test_without_embeds_the_answer_is_text_with_the_same_parts() -> None:
    texts, groups = render.contents(Outgoing(answer=answer()), embeds_allowed=False)
    assert groups == [] and len(texts) == 1
    assert "**Sources**\n1. Note 0" in texts[0] and "**Risk R3**" in texts[0] and texts[0].endswith(
        f"*{discord.utils.escape_markdown(DISCLAIMER)}*")


def test_charts_and_documents_are_attachments() -> None:
    files = render.files(Outgoing("chart", image=b"\x89PNG", file=("portfolio.csv", b"symbol\n")))
    assert [f.filename for f in files] == ["chart.png", "portfolio.csv"]
