"""Community features on Telegram (issue 14): who a message names and answers, reactions reaching the router, and
private notes to other members, on the real PTB Application against the fake Bot API."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from typing import Any

import pytest
from telegram import Message, MessageReactionUpdated

from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import COMMANDS, Router
from bots.telegram.bot import COMMANDS_ZH, ZH_DESCRIPTIONS, TelegramFrontend
from bots.telegram.translate import BotIdentity, incoming, reactions
from tests.bots.telegram.fake_telegram import BOT, FakeTelegram
from tests.bots.telegram.test_telegram import ALICE, GROUP, SAMPLES, eventually, group_message, private_message
from tests.helpers import Spy

ME = BotIdentity(BOT["id"], BOT["username"])
BOB, CAROL = 4242, 5151
REACTED = SAMPLES["message_reaction_updated"]  # a real update: a member adds 🌭 to message 35 of a supergroup
ANONYMOUS = SAMPLES["message_reaction_updated_anonymous"]  # a real one: the group itself (anonymous admin) un-reacts


def read(update: dict[str, Any]) -> Incoming:
    msg = incoming(Message.de_json(update["message"], None), ME)
    assert msg is not None
    return msg


def reaction_change(old: list[str], new: list[str], user: int = BOB, message_id: int = 77) -> dict[str, Any]:
    """A message_reaction update: the member's emoji on a post went from ``old`` to ``new``."""
    return {"message_reaction": {
        "chat": {"id": GROUP, "title": "Investors", "type": "supergroup"}, "message_id": message_id,
        "user": {"id": user, "is_bot": False, "first_name": "Bob", "username": "bob_invests"},
        "date": int(time.time()), "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
        "new_reaction": [{"type": "emoji", "emoji": e} for e in new]}}


# -- what the router is told about a message ------------------------------------------------------------------


def test_a_reply_names_the_post_and_its_author_and_text_mentions_name_members() -> None:
    update = group_message("Carol, /follow her portfolio?")
    update["message"]["from"]["username"] = "alice_r"
    update["message"]["entities"] = [{"type": "text_mention", "offset": 0, "length": 5,
                                      "user": {"id": CAROL, "is_bot": False, "first_name": "Carol"}}]
    update["message"]["reply_to_message"] = {"message_id": 61, "date": 1, "chat": update["message"]["chat"],
                                             "from": {"id": BOB, "is_bot": False, "first_name": "Bob"}, "text": "hi"}
    msg = read(update)
    assert (msg.username, msg.mentioned) == ("alice_r", (str(CAROL),))
    assert (msg.reply_to_user_id, msg.reply_to_message_id) == (str(BOB), "61")
    assert msg.reply_to_bot is False


def test_a_plain_message_names_nobody_and_an_at_handle_stays_text() -> None:
    msg = read(group_message("what does @carol_fund hold?"))  # a "mention" entity carries no id: text only
    assert (msg.username, msg.mentioned, msg.reply_to_user_id, msg.reply_to_message_id) == ("", (), "", "")
    assert "@carol_fund" in msg.text


def test_the_bot_itself_is_addressed_not_listed_among_the_mentioned() -> None:
    update = group_message("Roundtable what is a fund?")
    update["message"]["entities"] = [{"type": "text_mention", "offset": 0, "length": 10,
                                      "user": {"id": ME.id, "is_bot": True, "first_name": "Roundtable"}}]
    msg = read(update)
    assert msg.mentions_bot and msg.mentioned == ()


def test_a_message_in_a_forum_topic_is_no_reply_to_the_topics_opening() -> None:
    update = group_message("morning all")
    opening = {"message_id": 5, "date": 1, "chat": update["message"]["chat"], "forum_topic_created":
               {"name": "Bonds", "icon_color": 7322096}, "from": {"id": BOB, "is_bot": False, "first_name": "Bob"}}
    update["message"].update(is_topic_message=True, message_thread_id=5, reply_to_message=opening)
    assert (read(update).reply_to_user_id, read(update).reply_to_message_id) == ("", "")


def test_only_newly_added_emoji_count_and_an_anonymous_reaction_names_nobody() -> None:
    (added,) = reactions(MessageReactionUpdated.de_json(REACTED["message_reaction"], None))
    assert (added.reaction, added.message_id, added.user_id, added.username) == ("🌭", "35", "1459074222",
                                                                                  "shdwchn10")
    assert (added.chat_id, added.chat_kind, added.text, added.reply_to_user_id) == ("-1002184233434", "group", "",
                                                                                     "")
    assert reactions(MessageReactionUpdated.de_json(ANONYMOUS["message_reaction"], None)) == []
    changed = reaction_change(["👍"], ["👍", "🔥"])["message_reaction"]
    assert [m.reaction for m in reactions(MessageReactionUpdated.de_json(changed, None))] == ["🔥"]
    taken_back = reaction_change(["👍", "🔥"], ["👍"])["message_reaction"]
    assert reactions(MessageReactionUpdated.de_json(taken_back, None)) == []


# -- end to end -----------------------------------------------------------------------------------------------


async def test_reactions_are_asked_for_and_reach_the_router(fake: FakeTelegram, bot: TelegramFrontend,
                                                            router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy()
    monkeypatch.setattr(router, "handle", spy)
    assert await eventually(lambda: "message_reaction" in fake.last_poll.get("allowed_updates", []))
    fake.push(copy.deepcopy(ANONYMOUS))
    fake.push(copy.deepcopy(REACTED))
    fake.push(reaction_change(["👍"], ["👍", "🔥"]))
    assert await eventually(lambda: len(spy.seen) >= 2)
    await asyncio.sleep(0.5)  # the anonymous one, had it been let through, would have arrived by now
    assert sorted((m.reaction, m.message_id, m.user_id) for m in spy.seen) == [
        ("🌭", "35", "1459074222"), ("🔥", "77", str(BOB))]
    assert all(m.text == "" and m.action is None for m in spy.seen)
    assert fake.sent() == []  # the router said nothing, so nothing was sent


async def test_a_note_for_another_member_goes_to_them_privately_and_a_refusal_loses_nothing_else(
        fake: FakeTelegram, bot: TelegramFrontend, router: Router, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    fake.never_started.add(BOB)  # Bob never pressed Start: Telegram refuses to write to him first

    def answers(msg: Incoming) -> list[Outgoing]:
        return [Outgoing("Alice's portfolio changed: **bonds 40% -> 20%**. Following is not advice.", recipient=r,
                         private=True) for r in (str(BOB), str(CAROL))] + [Outgoing("Added 10 TLT.")]

    monkeypatch.setattr(router, "handle", Spy(answers))
    caplog.set_level(logging.INFO, logger="bots.telegram.sending")
    fake.push(private_message("/portfolio add TLT 10"))
    sent = await asyncio.to_thread(fake.wait_for, "sendMessage", 3)
    await asyncio.sleep(0.3)
    to = {int(s["chat_id"]): s for s in sent}
    assert set(to) == {BOB, CAROL, ALICE} and len(sent) == 3  # Bob's was refused (403), not retried
    assert "<b>bonds 40% -&gt; 20%</b>" in to[CAROL]["text"] and "reply_parameters" not in to[CAROL]
    assert to[ALICE]["text"] == "Added 10 TLT." and "reply_parameters" in to[ALICE]
    assert f"private note to member {BOB}" in caplog.text and "dropped" in caplog.text
    assert not any("something went wrong" in s["text"] for s in sent)  # no apology for someone else's chat


async def test_what_the_router_says_about_a_reaction_is_sent_to_the_group_without_replying(
        fake: FakeTelegram, bot: TelegramFrontend, router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(router, "handle", Spy(lambda msg: [Outgoing("Thanks for marking a helpful post."),
                                                           Outgoing("You earned a point.", recipient=str(CAROL))]))
    fake.push(reaction_change([], ["👍"], message_id=88))
    sent = await asyncio.to_thread(fake.wait_for, "sendMessage", 2)
    assert {(int(s["chat_id"]), s["text"]) for s in sent} == {
        (GROUP, "Thanks for marking a helpful post."), (CAROL, "You earned a point.")}
    assert all("reply_parameters" not in s for s in sent)


def test_the_chinese_menu_follows_the_router_and_knows_the_community_commands() -> None:
    assert list(COMMANDS_ZH) == [name for name in COMMANDS if name in ZH_DESCRIPTIONS]
    assert {"follow", "unfollow", "leaderboard", "quiz", "points", "top", "helpful"} <= set(ZH_DESCRIPTIONS)


async def test_a_pressed_button_edits_its_message_even_when_notes_for_others_come_first(
        fake: FakeTelegram, bot: TelegramFrontend, router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    # e.g. confirming "clear my portfolio" unshares it: its followers are told, and the confirmation replaces the
    # question in place.
    spy = Spy(lambda msg: [Outgoing("Alice no longer shares her portfolio.", recipient=str(CAROL)),
                           Outgoing("Your portfolio is cleared.")])
    monkeypatch.setattr(router, "handle", spy)
    fake.push({"callback_query": {"id": "cb7", "chat_instance": "ci", "data": "pf:clear:yes",
                                  "from": {"id": ALICE, "is_bot": False, "first_name": "Alice", "username": "alice_r"},
                                  "message": {"message_id": 1001, "date": int(time.time()), "text": "Clear?",
                                              "chat": {"id": ALICE, "type": "private", "first_name": "Alice"}}}})
    (edited,) = await asyncio.to_thread(fake.wait_for, "editMessageText")
    (note,) = await asyncio.to_thread(fake.wait_for, "sendMessage")
    assert edited["text"] == "Your portfolio is cleared." and edited["message_id"] == "1001"
    assert (int(note["chat_id"]), note["text"]) == (CAROL, "Alice no longer shares her portfolio.")
    assert (spy.seen[0].action, spy.seen[0].username) == ("pf:clear:yes", "alice_r")


async def test_a_failure_handling_a_reaction_is_logged_not_apologised_for_in_the_group(
        fake: FakeTelegram, bot: TelegramFrontend, router: Router, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(msg: Incoming) -> list[Outgoing]:
        if msg.reaction:
            raise RuntimeError("the points store is down")
        return [Outgoing("Still here.")]

    monkeypatch.setattr(router, "handle", Spy(broken))
    fake.push(reaction_change([], ["👍"]))
    assert await eventually(lambda: "the points store is down" in caplog.text)
    fake.push(group_message("/help"))  # the next update is served as usual
    (sent,) = await asyncio.to_thread(fake.wait_for, "sendMessage")
    assert sent["text"] == "Still here." and len(fake.sent()) == 1  # and no apology came before it
