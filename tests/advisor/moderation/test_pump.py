"""Coordinated pumps: near-duplicate posts about one symbol from several accounts, and the pump script."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from advisor.moderation import Moderator, Post
from advisor.moderation.pump import minhash, similarity

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def say(moderator: Moderator, user: str, text: str, minutes: float = 0, chat: str = "club") -> tuple[str, ...]:
    return moderator.check(Post(f"{user}-{minutes}", chat, user, text, NOON + timedelta(minutes=minutes))).categories


SHILL = "$ZXQ is about to explode, load up now before the big move, this is the one everyone will talk about"


def test_minhash_estimates_jaccard_similarity() -> None:
    same = minhash(SHILL)
    assert similarity(same, minhash(SHILL)) == 1.0
    assert similarity(same, minhash(SHILL + "!!")) >= 0.8
    assert similarity(same, minhash("What do people think of bond ladders for retirement income?")) < 0.2


def test_three_accounts_posting_near_duplicates_about_one_symbol_is_a_pump() -> None:
    moderator = Moderator()
    assert "pump" not in say(moderator, "a", SHILL, 0)
    assert "pump" not in say(moderator, "b", SHILL.replace("load up", "load  up") + " !!", 2)
    third = moderator.check(Post("c1", "club", "c", SHILL + " 🚀", NOON + timedelta(minutes=4)))
    assert "pump" in third.categories and third.alert_admins
    assert any("ZXQ" in reason and "3 accounts" in reason for reason in third.reasons)


def test_two_accounts_or_one_account_three_times_is_not_a_pump() -> None:
    moderator = Moderator()
    say(moderator, "a", SHILL, 0)
    assert "pump" not in say(moderator, "b", SHILL, 1)
    solo = Moderator()
    assert all("pump" not in say(solo, "a", SHILL, m) for m in (0, 1, 2))


def test_unrelated_text_about_the_same_symbol_or_outside_ten_minutes_is_not_a_pump() -> None:
    moderator = Moderator()
    say(moderator, "a", "$ZXQ reported earnings today, revenue was flat", 0)
    say(moderator, "b", "Does anyone know what $ZXQ actually sells?", 1)
    assert "pump" not in say(moderator, "c", "I read the $ZXQ annual report, debt looks high", 2)
    slow = Moderator()
    say(slow, "a", SHILL, 0)
    say(slow, "b", SHILL, 11)
    assert "pump" not in say(slow, "c", SHILL, 22)


def test_countdowns_reveals_and_exchange_time_posts() -> None:
    moderator = Moderator()
    assert "pump" in say(moderator, "x", "Next big pump: Sunday 18:00 GMT on Binance, target +300%", 0)
    assert "pump" in say(moderator, "x", "30 minutes left until the pump!", 10)
    assert "pump" in say(moderator, "x", "The coin is: QWE", 40)
    assert "pump" in say(moderator, "x", "倒计时10分钟，币种是ABC", 41, chat="cn")
    assert "pump" in say(moderator, "x", "QWE", 42)  # a bare ticker right after a countdown is the reveal
    quiet = Moderator()
    assert "pump" not in say(quiet, "y", "QWE", 0)  # the same word in a chat with no countdown is nothing
    assert "pump" not in say(quiet, "y", "Take-profit target 1 hit, period 12 hours 52 minutes", 1)
