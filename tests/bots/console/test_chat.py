"""The terminal chat gives the router clean text: its own mention removed, other bots' commands dropped."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from bots.console.chat import ConsoleChat


def typed(text: str) -> Any:
    chat = ConsoleChat(router=None, console=Console())  # type: ignore[arg-type]  # translation needs no router
    return chat.incoming(text)


@pytest.mark.parametrize(("text", "clean", "addressed"), [
    ("@roundtable how do margin calls work?", "how do margin calls work?", True),
    ("so, @RoundTable: what is a bond?", "so, : what is a bond?", True),
    ("@roundtable_fan how do margin calls work?", "@roundtable_fan how do margin calls work?", False),
    ("write to me@roundtable.org", "write to me@roundtable.org", False),
    ("/ask@roundtable what is an ETF?", "/ask what is an ETF?", True),
    ("/ask what is an ETF?", "/ask what is an ETF?", False),
])
def test_mentions_and_command_targets(text: str, clean: str, addressed: bool) -> None:
    msg = typed(text)
    assert (msg.text, msg.mentions_bot, msg.language) == (clean, addressed, None)


def test_another_bots_command_is_not_routed() -> None:
    assert typed("/ask@otherbot what is an ETF?") is None


def test_the_person_at_the_terminal_is_the_admin_and_others_are_members() -> None:
    chat = ConsoleChat(router=None, console=Console())  # type: ignore[arg-type]
    own = chat.incoming("guaranteed returns!")
    chat.speaker = "bob"  # what /as bob does
    member = chat.incoming("guaranteed returns!")
    assert own is not None and own.is_admin is True
    assert member is not None and member.is_admin is False and member.user_id == "bob"
