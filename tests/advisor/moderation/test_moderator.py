"""A group chat, message by message, through the moderation pipeline: what each kind of post gets, and why."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest

from advisor.moderation import Decision, Moderator, Policy, Post

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
_ids = count(1)


def post(text: str, user: str = "alice", *, at: datetime = NOON, chat: str = "club", **extra: object) -> Post:
    return Post(str(next(_ids)), chat, user, text, at, **extra)  # type: ignore[arg-type]


def check(text: str, **extra: object) -> Decision:
    return Moderator().check(post(text, **extra))


@pytest.mark.parametrize(("text", "category", "verdict"), [
    ("This fund is guaranteed to double your money", "promissory", "warn"),
    ("It's risk-free, you can't lose", "promissory", "warn"),
    ("这只基金稳赚不赔，保本保收益", "promissory", "warn"),
    ("guaranteed 300% returns, DM me", "promissory", "warn"),      # a number inside the promise
    ("We guarantee you a 15% monthly profit", "promissory", "warn"),
    ("20% monthly return guaranteed", "promissory", "warn"),
    ("保证月收益30%", "promissory", "warn"),
    ("稳 赚 的机会", "promissory", "warn"),                        # spaced Chinese
    ("ｇｕａｒａｎｔｅｅｄ returns every month", "promissory", "warn"),  # full width
    ("guar\u200banteed profits here", "promissory", "warn"),      # zero-width space
    ("gu\u0430r\u0430nteed income", "promissory", "warn"),         # Cyrillic look-alikes
    ("Got insider info: this one is going to the moon", "hype", "hold"),
    ("内幕消息，这只牛股明天涨停", "hype", "hold"),
    ("Everyone buy at 10:00 sharp", "coordination", "delete"),
    ("统一听指令，全仓杀入，买后发交易截图", "coordination", "delete"),
    ("Join my VIP signal group, paid signals every day", "scam", "delete"),
    ("DM me to earn 300 dollars a day", "scam", "delete"),
    ("Send USDT to my wallet and I will trade for you", "scam", "delete"),
    ("跟着老师操作，老师带你赚，加微信进群", "scam", "delete"),
    ("喊单群收费会员，私聊我", "scam", "delete"),
])
def test_each_category_in_english_and_chinese_including_obfuscated(text: str, category: str, verdict: str) -> None:
    decision = check(text)
    assert category in decision.categories, decision
    assert decision.verdict == verdict or decision.verdict == "delete"
    assert decision.reasons  # every flag says why


@pytest.mark.parametrize("text", [
    "What is the difference between an index fund and an ETF?",
    "指数基金和主动基金有什么区别？",
    "I lost money last year; how do I think about risk?",
    "Здравствуйте! Подскажите, как работает диверсификация портфеля?",   # Russian question, no spam words
    "Bonjour à tous, quelqu'un a lu le rapport annuel de cette société ?",  # French
    "¿Alguien sabe cómo funcionan los bonos del tesoro?",                # Spanish
    "インデックスファンドについて教えてください",                            # Japanese
    "Nobody can guarantee 10% returns, whatever the ads say",            # a warning, not a promise
    "Bonds yield 5%, not guaranteed though",
    "What is a guaranteed investment certificate paying 4%?",
])
def test_ordinary_questions_in_any_language_pass(text: str) -> None:
    assert check(text).verdict == "ok"


def test_admins_are_exempt_and_disabled_chats_check_nothing() -> None:
    assert check("Guaranteed returns! Everyone buy at 10:00", is_admin=True).verdict == "ok"
    off = Moderator(lambda chat: Policy(enabled=False))
    assert off.check(post("Guaranteed returns! Everyone buy at 10:00")).verdict == "ok"


def test_new_members_may_not_post_links_or_media_for_24_hours() -> None:
    moderator = Moderator()
    fresh = NOON - timedelta(hours=2)
    decision = moderator.check(post("Nice chart here https://example.com/chart", "newbie", joined_at=fresh))
    assert decision.verdict == "delete" and decision.categories == ("new_member_link",)
    assert moderator.check(post("look", "newbie", joined_at=fresh, has_media=True)).categories == ("new_member_link",)
    invite = moderator.check(post("join us t.me/+AbCdEf123", "newbie", joined_at=fresh))
    assert "scam" in invite.categories  # an invite link from a new member
    shortened = moderator.check(post("see bit.ly/3xYz", "newbie", joined_at=fresh))
    assert "scam" in shortened.categories
    veteran = NOON - timedelta(days=30)
    assert moderator.check(post("https://example.com/chart", "old", joined_at=veteran)).verdict == "ok"
    assert moderator.check(post("https://example.com/chart", "unknown")).verdict == "ok"  # joined_at None


def test_flood_is_more_than_five_messages_in_ten_seconds_and_edits_do_not_count() -> None:
    moderator = Moderator()
    decisions = [moderator.check(post(f"hi {n}", "bob", at=NOON + timedelta(seconds=n))) for n in range(6)]
    assert [d.verdict for d in decisions] == ["ok"] * 5 + ["delete"]
    assert decisions[-1].categories == ("flood",)
    later = moderator.check(post("calm now", "bob", at=NOON + timedelta(seconds=40)))
    assert later.verdict == "ok"
    first = post("typo", "carol", at=NOON)
    moderator.check(first)
    for n in range(6):  # six edits of one message are not six messages
        edit = Post(first.id, first.chat, "carol", f"typo fixed {n}", NOON + timedelta(seconds=n), edited=True)
        assert moderator.check(edit).verdict == "ok"


def test_an_edit_that_adds_a_scam_is_caught() -> None:
    moderator = Moderator()
    original = post("Morning all", "dave")
    assert moderator.check(original).verdict == "ok"
    edited = Post(original.id, original.chat, "dave", "Morning all, DM me to earn 500$ daily", NOON, edited=True)
    assert moderator.check(edited).verdict == "delete"


def test_three_warnings_mean_a_one_hour_mute_and_policies_can_change_it() -> None:
    moderator = Moderator()
    mutes = [moderator.check(post("guaranteed profit", "erin", at=NOON + timedelta(minutes=n))).mute_minutes
             for n in range(3)]
    assert mutes == [0, 0, 60]
    strict = Moderator(lambda chat: Policy(warn_limit=2, mute_minutes=15))
    assert [strict.check(post("risk-free", "fay", at=NOON + timedelta(minutes=n))).mute_minutes
            for n in range(2)] == [0, 15]


def test_policy_overrides_change_the_action_per_chat() -> None:
    policies = {"strict": Policy().with_actions(promissory="delete"), "relaxed": Policy().with_actions(hype="warn")}
    moderator = Moderator(lambda chat: policies.get(chat, Policy()))
    assert moderator.check(post("guaranteed returns", chat="strict")).verdict == "delete"
    assert moderator.check(post("guaranteed returns", chat="other")).verdict == "warn"
    assert moderator.check(post("this is going to the moon", chat="relaxed")).verdict == "warn"
    assert Policy().action_for("no-such-category") == "hold"


def test_huge_forwarded_captions_and_bursts_do_not_crash() -> None:
    moderator = Moderator()
    huge = "lorem ipsum " * 200_000 + " guaranteed returns"
    assert moderator.check(post(huge)).verdict == "ok"  # only the first 8,192 characters are read
    assert moderator.check(post("稳赚" + "啊" * 100_000, forwarded=True, has_media=True)).verdict == "warn"
    assert moderator.check(post("")).verdict == "ok"
    assert moderator.check(post("\u200b\u200b\u200b")).verdict == "ok"
    for n in range(2000):
        moderator.check(post(f"burst {n}", f"user{n % 50}", at=NOON + timedelta(milliseconds=n)))


def test_decision_json_has_exactly_the_contract_keys() -> None:
    payload = check("guaranteed returns").to_json("m1")
    assert set(payload) == {"id", "verdict", "categories", "reasons"}
    assert payload["id"] == "m1" and payload["verdict"] == "warn" and payload["categories"] == ["promissory"]


def test_a_post_with_two_equally_long_phrases_quotes_the_same_one_in_every_run() -> None:
    """"registration fee" and "use my referral" are scam phrases of one length; which one the reason quoted used
    to follow PYTHONHASHSEED (set order). Two interpreters with different seeds must now agree."""
    script = ("from datetime import UTC, datetime\n"
              "from advisor.moderation import Moderator, Post\n"
              "text = 'Use my referral, no registration fee'\n"
              "print(Moderator().check(Post('1', 'c', 'u', text, datetime(2026, 3, 2, tzinfo=UTC))).reasons[0])")
    root = Path(__file__).resolve().parents[3]
    quoted = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2", "3")}
    assert len(quoted) == 1, quoted
    assert quoted.pop().startswith("paid signals or private dealing:")
