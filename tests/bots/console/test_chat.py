"""The terminal chat gives the router clean text: its own mention removed, other bots' commands dropped."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from bots.chat.messages import Incoming, Outgoing
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


class Spy:
    """A router stand-in: records what arrives, answers reactions with a note for the post's author."""

    def __init__(self) -> None:
        self.seen: list[Incoming] = []

    def handle(self, msg: Incoming) -> list[Outgoing]:
        self.seen.append(msg)
        if msg.reaction:
            return [Outgoing(f"{msg.user_id} marked your post helpful.", recipient=msg.reply_to_user_id)]
        return []


def test_mentions_name_members_and_a_reaction_reaches_the_router_with_the_posts_author() -> None:
    spy, screen = Spy(), Console(record=True, width=200)
    chat = ConsoleChat(router=spy, console=screen)  # type: ignore[arg-type]
    chat.line("/as Bob")
    chat.line("bonds before stocks, for me")
    chat.line("/as carol")
    chat.line("agree with @bob and @dave, not with me@bob.org")
    post, reply = spy.seen
    assert (post.message_id, post.user_id, post.username, post.mentioned) == ("1", "Bob", "Bob", ())
    assert (reply.message_id, reply.mentioned) == ("2", ("Bob", "dave"))  # a known speaker whatever the case
    chat.line("/react 🙏")  # carol reacts to the latest post by someone else: Bob's
    reaction = spy.seen[-1]
    assert (reaction.reaction, reaction.message_id, reaction.reply_to_user_id, reaction.user_id, reaction.text) == (
        "🙏", "1", "Bob", "carol", "")
    assert "roundtable (private to Bob)> carol marked your post helpful." in screen.export_text()


def test_a_reaction_needs_a_group_post_to_react_to() -> None:
    spy, screen = Spy(), Console(record=True, width=200)
    chat = ConsoleChat(router=spy, console=screen)  # type: ignore[arg-type]
    chat.line("my own post")
    chat.line("/react 👍")  # only the speaker's own post: nothing by anyone else
    chat.line("/react 👍 @nobody")
    assert [m.reaction for m in spy.seen] == [""] and "(no group post to react to)" in screen.export_text()
