"""Contribution points as transcripts: members post, react, reply /helpful or "+1", and ask /points and /top. A ring
of accounts farming reactions ends up far below a member whom others really found helpful."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from advisor.community.pointstore import PointsStore
from bots.chat.community import Community
from bots.chat.messages import Incoming, Outgoing
from bots.chat.points import PointsCommands
from bots.chat.router import Router
from knowledge.retrieval import Retriever
from tests.helpers import community_router

CHAT = "telegram:-100"
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    return community_router(notes_retriever, tmp_path, lambda engine, moderation: Community(
        points=PointsCommands(PointsStore(engine), moderation)))


def say(router: Router, user: str, text: str = "", *, kind: str = "group", at: datetime = MONDAY,
        **extra: Any) -> list[Outgoing]:
    extra.setdefault("username", f"user{user}")
    return router.handle(Incoming("telegram", "-100" if kind == "group" else user, kind,  # type: ignore[arg-type]
                                  user, f"Member {user}", text, received_at=at, **extra))


def react(router: Router, user: str, post: str, emoji: str = "👍", at: datetime = MONDAY, **extra: Any) -> None:
    assert say(router, user, reaction=emoji, message_id=post, at=at, **extra) == []  # reactions are never answered


def points_of(router: Router, user: str) -> float:
    assert router.community.points is not None
    standing = router.community.points.table(CHAT).get(f"telegram:{user}")
    return standing.points if standing is not None else 0.0


def test_a_helpful_reaction_credits_the_posts_author(router: Router) -> None:
    say(router, "1", "An index fund spreads your money over many companies.", message_id="10")
    react(router, "2", "10")
    react(router, "3", "10", "😂")  # not a helpful reaction
    react(router, "1", "10")  # your own post: never counts
    react(router, "4", "99")  # a post the bot never saw: nobody to credit...
    react(router, "5", "98", reply_to_user_id="7")  # ...even when the platform names its author (the bot's own?)
    assert points_of(router, "1") == 10 and points_of(router, "7") == 0
    [top] = say(router, "2", "/top")
    assert "1. @user1: 10" in top.text and "2." not in top.text
    assert "none of this is investment advice" in top.text


def test_helpful_and_plus_one_replies(router: Router) -> None:
    say(router, "1", "Bonds pay interest; their prices fall when rates rise.", message_id="10")
    reply = {"reply_to_user_id": "1", "reply_to_message_id": "10"}
    assert say(router, "2", "/helpful", message_id="11", **reply)[0].text == "Marked as helpful, thank you."
    assert say(router, "2", "/helpful", message_id="12", **reply)[0].text == "You already marked that post."
    assert "yourself don't count" in say(router, "1", "/helpful", message_id="13", **reply)[0].text
    assert "Reply to the post" in say(router, "2", "/helpful", message_id="14")[0].text
    assert "in a group" in say(router, "2", "/helpful", kind="private")[0].text
    assert "👍/👎 buttons" in say(router, "2", "/helpful", reply_to_bot=True, reply_to_user_id="999")[0].text
    assert say(router, "3", "+1", message_id="15", **reply) == []  # quiet, but counted
    assert points_of(router, "1") == 20
    [mine] = say(router, "1", "/points")
    assert mine.private and "Your points here: 20** (#1 in this chat)" in mine.text
    assert "2 helpful mark(s) counted in full" in mine.text and "count less" in mine.text
    assert "in the group" in say(router, "1", "/points", kind="private")[0].text


def test_new_accounts_count_less_and_strikes_take_points(router: Router) -> None:
    router.member_joined(CHAT, "9", MONDAY - timedelta(hours=2))  # joined two hours ago: a new account
    say(router, "1", "Diversification lowers the risk of one company's bad news.", message_id="10")
    react(router, "9", "10")
    assert points_of(router, "1") == 2  # a fifth of a mark
    for giver in "2345":
        react(router, giver, "10")
    assert points_of(router, "1") == 42
    warned = say(router, "1", "This fund is guaranteed to double your money, risk-free!", message_id="11")
    assert "promises of returns" in warned[0].text  # a moderation strike...
    assert points_of(router, "1") == 22  # ...costs 20 points
    [mine] = say(router, "1", "/points")
    assert "1 moderation strike(s)" in mine.text and "4 helpful mark(s) counted in full, 1 counted less" in mine.text


def test_a_ring_farming_reactions_ranks_far_below_a_real_helper(router: Router) -> None:
    ring = ["21", "22", "23", "24"]
    for day in range(3):
        at = MONDAY + timedelta(days=day)
        for author in ring:  # each ring account posts three times a day; the others react to every post
            for n in range(3):
                post = f"{author}-{day}-{n}"
                say(router, author, "gm", message_id=post, at=at)
                for giver in ring:
                    if giver != author:
                        react(router, giver, post, "🔥", at=at)
        say(router, "1", "A stop order becomes a market order when the price is touched.", message_id=f"h{day}", at=at)
        for giver in ("31", "32"):  # two different members thank the helper each day
            react(router, giver, f"h{day}", at=at)
    # At face value each ring account got 3 givers x 3 posts x 3 days = 27 reactions (270 points, 150 after the
    # daily cap); counted: the circle is one voice, one mark a day at the circle's weight: 3 days x 10 x 0.2 = 6.
    assert points_of(router, "21") == 6
    assert points_of(router, "1") == 60
    [top] = say(router, "31", "/top")
    assert top.text.splitlines()[1] == "1. @user1: 60"


def test_quiz_hook_privacy_and_forget(router: Router) -> None:
    assert router.community.points is not None
    say(router, "1", "ETFs trade on an exchange like shares.", message_id="10")
    react(router, "2", "10")
    router.community.points.quiz_completed(CHAT, "telegram:1", MONDAY)
    router.community.points.quiz_completed("telegram:1", "telegram:1", MONDAY)  # in the private chat: no group's points
    assert points_of(router, "1") == 15
    [privacy] = say(router, "1", "/privacy", kind="private")
    assert "Contribution points in 1 chat(s): 1 helpful mark(s) received and 1 completed quiz(zes)" in privacy.text
    assert "recent group post(s) are yours" in privacy.text
    [giver] = say(router, "2", "/privacy", kind="private")
    assert "1 helpful mark(s) you gave" in giver.text
    say(router, "2", "/forget", kind="private")  # the giver leaves: their mark, and its points, go with them
    assert points_of(router, "1") == 5
    say(router, "1", "/forget", kind="private")
    assert points_of(router, "1") == 0
    assert "Nobody has points here yet" in say(router, "2", "/top")[0].text
    assert "Contribution points" not in say(router, "1", "/privacy", kind="private")[0].text
