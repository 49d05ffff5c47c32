"""What the router sees of a Telegram message: mentions and command targets come from entities."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message

from bots.telegram.translate import BotIdentity, incoming
from tests.bots.telegram.test_telegram import group_message, private_message

ME = BotIdentity(7000001, "RoundtableTestBot")


def read(update: dict[str, Any]) -> Any:
    return incoming(Message.de_json(update["message"], None), ME)


@pytest.mark.parametrize(("text", "clean", "addressed"), [
    ("@RoundtableTestBot what is an ETF?", "what is an ETF?", True),
    ("what is an ETF, @roundtabletestbot?", "what is an ETF?", True),
    ("@RoundtableTestBot, what is a bond?", "what is a bond?", True),
    ("hey @RoundtableTestBot: what's a bond", "hey: what's a bond", True),
    ("🚀🚀 @RoundtableTestBot what is a bond?", "🚀🚀 what is a bond?", True),  # offsets count UTF-16 units
    ("@roundtabletestbot_fan what's up", "@roundtabletestbot_fan what's up", False),  # someone else
    ("/ask@RoundtableTestBot what is an ETF?", "/ask what is an ETF?", True),
    ("/ask what is an ETF?", "/ask what is an ETF?", False),
    ("just chatting", "just chatting", False),
])
def test_mentions_and_commands(text: str, clean: str, addressed: bool) -> None:
    msg = read(group_message(text))
    assert (msg.text, msg.mentions_bot) == (clean, addressed)


def test_a_command_for_another_bot_never_reaches_the_router() -> None:
    assert read(group_message("/ask@OtherBot what is an ETF?")) is None
    assert read(private_message("/help@OtherBot")) is None


def test_the_name_without_a_mention_entity_is_not_a_mention() -> None:
    update = group_message("I read @RoundtableTestBot's notes")
    update["message"]["entities"] = []  # e.g. inside a code span or a link: Telegram marks no mention
    msg = read(update)
    assert msg.mentions_bot is False and msg.text == "I read @RoundtableTestBot's notes"


def test_a_text_mention_of_the_bot_by_id() -> None:
    update = group_message("Roundtable what is a fund?")
    update["message"]["entities"] = [{"type": "text_mention", "offset": 0, "length": 10,
                                      "user": {"id": ME.id, "is_bot": True, "first_name": "Roundtable"}}]
    msg = read(update)
    assert msg.mentions_bot is True and msg.text == "what is a fund?"
    update["message"]["entities"][0]["user"]["id"] = 42  # the same words naming someone else
    assert read(update).mentions_bot is False


def test_language_comes_from_the_members_app() -> None:
    update = group_message("hello")
    assert read(update).language == "en"
    update["message"]["from"]["language_code"] = "zh-hans"
    assert read(update).language == "zh"
    update["message"]["from"]["language_code"] = "de"
    assert read(update).language is None


def test_moderation_sees_ids_media_captions_forwards_and_edits() -> None:
    plain = read(group_message("hello all"))
    assert (plain.message_id, plain.forwarded, plain.has_media, plain.edited) == ("77", False, False, False)
    photo = group_message("")["message"]
    del photo["text"], photo["entities"]
    photo.update(photo=[{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}], caption="my gains 🚀",
                 forward_origin={"type": "hidden_user", "sender_user_name": "Someone", "date": 1700000000})
    captioned = read({"message": photo})
    assert captioned.text == "my gains 🚀" and captioned.has_media and captioned.forwarded
    edited = incoming(Message.de_json({**group_message("now with a link")["message"], "edit_date": 1800000000}, None),
                      ME, edited=True)
    assert edited is not None and edited.edited and edited.received_at.timestamp() == 1800000000


def test_a_caption_addressed_to_another_bot_is_not_for_the_router() -> None:
    photo = group_message("")["message"]
    del photo["text"], photo["entities"]
    photo.update(photo=[{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}],
                 caption="/ask@OtherBot what?", caption_entities=[{"type": "bot_command", "offset": 0, "length": 13}])
    assert read({"message": photo}) is None
