"""Console chats get their briefings printed in the terminal, with the chart saved as a file."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from bots.console.briefings import ConsoleBriefingSender


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=100, color_system=None), buffer


async def test_a_briefing_is_printed_with_its_markup_and_its_chart_saved(tmp_path: Path) -> None:
    console, buffer = terminal()
    sender = ConsoleBriefingSender(console, images=tmp_path / "charts")
    await sender.deliver("group", "**US stocks briefing**\nS&P 500: data unavailable [1]", b"\x89PNG fake")
    printed = buffer.getvalue()
    assert "roundtable (briefing to console:group)> US stocks briefing" in printed
    assert "data unavailable [1]" in printed  # brackets are text, not rich markup
    saved = list((tmp_path / "charts").glob("briefing-group-*.png"))
    assert len(saved) == 1 and saved[0].read_bytes() == b"\x89PNG fake"
    assert f"chart saved to {saved[0]}" in printed.replace("\n", "")


async def test_without_a_folder_the_chart_is_mentioned_not_saved() -> None:
    console, buffer = terminal()
    await ConsoleBriefingSender(console).deliver("group", "text", b"png")
    assert "nowhere to save it" in buffer.getvalue()
