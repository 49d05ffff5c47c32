"""Telegram misbehaving, end to end through the fake Bot API server: slow answers and unreadable updates."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from bots.chat.router import Router
from bots.telegram.bot import TelegramFrontend
from tests.bots.telegram.fake_telegram import FakeTelegram
from tests.bots.telegram.test_telegram import GROUP, eventually, group_message, private_message, wait_for

TIMEOUT = 1.0  # the bot's read timeout here; the fake's slow answers take three times as long


@pytest.fixture
async def impatient(fake: FakeTelegram, router: Router) -> AsyncIterator[TelegramFrontend]:
    frontend = TelegramFrontend(router, fake.token, api_url=fake.url, read_timeout=TIMEOUT)
    await frontend.start()
    yield frontend
    await frontend.stop()


async def test_a_send_that_times_out_is_not_sent_again(fake: FakeTelegram, impatient: TelegramFrontend,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    fake.delay_next("sendMessage", 3 * TIMEOUT)  # Telegram received it, but answers too late
    fake.push(private_message("/privacy"))
    assert await eventually(lambda: "may not have been delivered" in caplog.text)
    await asyncio.sleep(1.0)  # a retry (0.5 s backoff) or an apology would have been sent by now
    (only,) = fake.sent()
    assert "/forget deletes your data" in only["text"]
    assert "something went wrong" not in caplog.text.lower()


async def test_an_idempotent_call_that_times_out_is_retried(fake: FakeTelegram, impatient: TelegramFrontend,
                                                            router: Router) -> None:
    fake.admins.add(222)
    fake.delay_next("getChatMember", 3 * TIMEOUT)  # looking up a member twice is harmless
    fake.push(group_message("/settings quota 6", user=222))
    (saved,) = await wait_for(fake)
    assert "Saved" in saved["text"] and router.chat_settings.get(f"telegram:{GROUP}").quota_per_hour == 6
    assert len(fake.sent("getChatMember")) == 2


async def test_an_unreadable_update_is_logged_and_skipped(fake: FakeTelegram, impatient: TelegramFrontend,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    fake.push(private_message("/help"))
    # A message PTB cannot build (no date, no chat), between two good ones in the same getUpdates answer.
    fake.push({"message": {"message_id": 5, "text": "my secret portfolio details"}})
    fake.push(private_message("/privacy"))
    sent = await wait_for(fake, count=2)
    assert sorted("/forget deletes your data" in s["text"] for s in sent) == [False, True]
    (skipped,) = [r for r in caplog.records if "could not parse" in r.getMessage()]
    assert skipped.levelname == "WARNING" and "update 2" in skipped.getMessage()
    assert "secret portfolio" not in caplog.text  # the id is logged, never the member's message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    fake.push(private_message("/start"))  # polling carries on past it
    await wait_for(fake, count=3)
    started = time.monotonic()
    assert await eventually(lambda: len(fake.sent()) == 3) and time.monotonic() - started < 1
