"""Group safety on Telegram, end to end: the real PTB Application against the fake Bot API, the real router with
moderation. Members post, join and edit; the bot warns, deletes (deleteMessage), mutes (restrictChatMember) and,
when Telegram refuses for want of rights, alerts the admins instead."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bots.chat.router import Router
from bots.telegram.bot import TelegramFrontend
from tests.bots.telegram.fake_telegram import FakeTelegram
from tests.bots.telegram.test_telegram import ALICE, GROUP, entities, in_chat, private_message, wait_for

NEWCOMER = 555
PROMISE = "This fund is guaranteed to double your money, risk-free!"
SCAM = "free signals here https://bit.ly/x1y2z3"
CHAT = {"id": GROUP, "title": "Investors", "type": "supergroup"}
_ids = itertools.count(2000)


def member(user: int) -> dict[str, Any]:
    return {"id": user, "is_bot": False, "first_name": f"Member{user}", "language_code": "en"}


def post(text: str = "", user: int = ALICE, message_id: int | None = None, **extra: Any) -> dict[str, Any]:
    """A group message as Telegram sends it; ``extra`` adds fields (photo, caption, forward_origin ...)."""
    message = {"message_id": message_id or next(_ids), "date": int(time.time()), "chat": CHAT, "from": member(user),
               **({"text": text, "entities": entities(text)} if text else {}), **extra}
    return {"message": message}


def joined_service_message(user: int) -> dict[str, Any]:
    return post(user=user, new_chat_members=[member(user)])


def chat_member_update(user: int, old: str, new: str) -> dict[str, Any]:
    def state(status: str) -> dict[str, Any]:
        extra = {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                 "can_manage_video_chats": True, "can_restrict_members": True, "can_promote_members": False,
                 "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
                 "can_edit_stories": False, "can_delete_stories": False} if status == "administrator" else {}
        return {"status": status, "user": member(user), **extra}
    return {"chat_member": {"chat": CHAT, "from": member(ALICE), "date": int(time.time()),
                            "old_chat_member": state(old), "new_chat_member": state(new)}}


async def settle(fake: FakeTelegram) -> None:
    """A private /help as a marker: once it is answered, everything pushed before it has been handled."""
    marker = len(in_chat(fake, 999))
    fake.push(private_message("/help", user=999))
    for _ in range(300):
        if len(in_chat(fake, 999)) > marker:
            await asyncio.sleep(0.3)  # updates run concurrently: give the others a moment to finish
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the marker was never answered")


def joined_at(router: Router, user: int) -> datetime | None:
    assert router.moderation is not None
    return router.moderation.store.joined_at(f"telegram:{GROUP}", f"telegram:{user}", datetime.now(UTC))


async def test_a_promise_of_returns_gets_a_warning_and_no_lookup_per_message(fake: FakeTelegram,
                                                                            bot: TelegramFrontend) -> None:
    fake.push(post(PROMISE, message_id=301))
    fake.push(post("what do you all think of index funds?"))
    fake.push(post("nice weather for investing"))
    (warning,) = await wait_for(fake)
    await settle(fake)
    assert "promises of returns are not allowed here" in warning["text"]
    assert warning["reply_parameters"]["message_id"] == 301 and len(in_chat(fake, GROUP)) == 1
    # Three messages, one getChatAdministrators for the chat (cached), no getChatMember, nothing deleted.
    assert len(fake.sent("getChatAdministrators")) == 1 and fake.sent("getChatMember") == []
    assert fake.sent("deleteMessage") == []


async def test_admins_are_exempt_from_moderation(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.admins.add(ALICE)
    fake.push(post(PROMISE))
    fake.push(post(PROMISE, user=ALICE + 1))
    await settle(fake)
    (warning,) = in_chat(fake, GROUP)  # only the member is warned
    assert "promises of returns" in warning["text"]
    assert len(fake.sent("getChatAdministrators")) == 1 and fake.sent("getChatMember") == []


async def test_a_scam_link_from_a_new_member_is_deleted(fake: FakeTelegram, bot: TelegramFrontend,
                                                        router: Router) -> None:
    fake.push(joined_service_message(NEWCOMER))
    await settle(fake)
    assert joined_at(router, NEWCOMER) is not None
    fake.push(post(SCAM, user=NEWCOMER, message_id=402))
    (deleted,) = await wait_for(fake, "deleteMessage")
    assert deleted == {"chat_id": str(GROUP), "message_id": "402"}
    await settle(fake)
    (notice,) = in_chat(fake, GROUP)
    assert notice["text"].startswith("A message was removed") and "reply_parameters" not in notice
    assert "bit.ly" not in notice["text"]  # a removed post is never repeated


async def test_without_the_right_to_delete_the_admins_are_alerted(fake: FakeTelegram, bot: TelegramFrontend,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bots.telegram")
    fake.fail_next("deleteMessage", 400, "Bad Request: message can't be deleted")
    fake.push(joined_service_message(NEWCOMER))
    await settle(fake)
    fake.push(post(SCAM, user=NEWCOMER))
    await wait_for(fake, "deleteMessage")
    await settle(fake)
    (alert,) = in_chat(fake, GROUP)
    assert alert["text"].startswith("Admins: a message here may break") and "don't have the right" in alert["text"]
    assert "bit.ly" not in caplog.text and "can't be deleted" in caplog.text  # Telegram's reason, not the post


async def test_the_third_warning_mutes_for_an_hour(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    for text in (PROMISE, "Honestly, it's a sure thing: zero risk.", "Guaranteed profit, you can't lose."):
        fake.push(post(text, user=777))
        await settle(fake)  # one at a time: the ladder counts them in order
    before = time.time()
    (mute,) = await wait_for(fake, "restrictChatMember")
    assert mute["chat_id"] == str(GROUP) and mute["user_id"] == "777"
    assert mute["permissions"]["can_send_messages"] is False
    assert 59 * 60 <= int(mute["until_date"]) - before <= 61 * 60
    texts = [sent["text"] for sent in in_chat(fake, GROUP)]
    assert "warning 3 of 3" in texts[-2] and "can't post for 60 minutes" in texts[-1]


async def test_a_refused_mute_becomes_an_alert(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.fail_next("restrictChatMember", 400, "Bad Request: not enough rights to restrict/unrestrict chat member")
    for text in (PROMISE, "Honestly, it's a sure thing: zero risk.", "Guaranteed profit, you can't lose."):
        fake.push(post(text, user=778))
        await settle(fake)
    assert len(fake.sent("restrictChatMember")) == 1
    last = in_chat(fake, GROUP)[-1]["text"]
    assert last.startswith("Admins: Member778 has reached the warning limit") and "can't post" not in last


async def test_an_edit_that_adds_a_scam_link_is_deleted(fake: FakeTelegram, bot: TelegramFrontend,
                                                          router: Router) -> None:
    fake.push(chat_member_update(NEWCOMER, "left", "member"))  # the join as an admin bot sees it
    fake.push(post("hello everyone, happy to be here", user=NEWCOMER, message_id=70))
    await settle(fake)
    assert joined_at(router, NEWCOMER) is not None and fake.sent("deleteMessage") == []
    edited = post("hello everyone, join my group t.me/+AbCdEf", user=NEWCOMER, message_id=70)["message"]
    fake.push({"edited_message": {**edited, "edit_date": int(time.time())}})
    (deleted,) = await wait_for(fake, "deleteMessage")
    assert deleted["message_id"] == "70"


async def test_media_from_a_new_member_is_deleted_caption_or_not(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    fake.push(joined_service_message(NEWCOMER))
    await settle(fake)
    fake.push(post(user=NEWCOMER, message_id=81, photo=photo))
    fake.push(post(user=NEWCOMER, message_id=82, photo=photo, caption="my gains this week"))
    await wait_for(fake, "deleteMessage", 2)
    assert sorted(d["message_id"] for d in fake.sent("deleteMessage")) == ["81", "82"]
    assert "getFile" not in [call.method for call in fake.calls]  # nothing was downloaded


async def test_a_promotion_refreshes_the_admin_list(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(post("good morning"))
    await settle(fake)
    fake.admins.add(ALICE)
    fake.push(chat_member_update(ALICE, "member", "administrator"))
    await settle(fake)
    fake.push(post(PROMISE))
    await settle(fake)
    assert in_chat(fake, GROUP) == [] and len(fake.sent("getChatAdministrators")) == 2


async def test_the_review_queue_buttons_check_the_presser(fake: FakeTelegram, bot: TelegramFrontend) -> None:
    fake.push(post("Insider tip: $QRTX is about to explode, load up now before the news", user=600, message_id=90))
    await settle(fake)
    assert fake.sent("deleteMessage")  # held: removed from the group until an admin decides
    fake.admins.add(ALICE)
    fake.push(post("/modqueue"))
    await settle(fake)
    (queue,) = [sent for sent in in_chat(fake, GROUP) if "reply_markup" in sent]
    assert "Held for review" in queue["text"]
    keyboard = queue["reply_markup"]["inline_keyboard"]
    approve = next(row[0] for row in keyboard if row[0]["callback_data"].startswith("mod:approve:"))
    for presser in (ALICE + 1, ALICE):  # a member first (refused), then the admin
        fake.push({"callback_query": {"id": f"q{presser}", "from": member(presser), "chat_instance": "ci",
                                      "data": approve["callback_data"],
                                      "message": {"message_id": 5000, "date": int(time.time()), "chat": CHAT,
                                                  "from": {"id": 7000001, "is_bot": True, "first_name": "R"},
                                                  "text": "Held for review"}}})
        await settle(fake)
    looked_up = [int(call["user_id"]) for call in fake.sent("getChatMember")]
    assert ALICE + 1 in looked_up and ALICE in looked_up
    edits = [call["text"] for call in fake.sent("editMessageText")]
    assert "Only group admins" in edits[0] and "Approved by the admins" in edits[1]

