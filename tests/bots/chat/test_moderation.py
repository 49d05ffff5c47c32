"""Group safety as transcripts: members post in a group, the real Moderator judges every message, and the router
warns, removes, holds for review and mutes through ``Outgoing.enforce``; admins work the review queue and the
policy. Everything offline, on SQLite."""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.messages import Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import LogEntry, ModerationStore, QueueItem
from bots.chat.router import Router, needs_admin, needs_admin_action
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHAT = "telegram:-100"
PROMISE = "This fund is guaranteed to double your money, risk-free!"


class Group:
    """One Telegram group: ``say`` posts as a member, with a fresh message id each time (or the given one)."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.ids = itertools.count(1)

    def say(self, user: str, text: str, *, at: datetime = T0, admin: bool | None = None, kind: str = "group",
            message_id: str | None = None, **extra: object) -> list[Outgoing]:
        return self.router.handle(Incoming(
            "telegram", "-100" if kind == "group" else user, kind, user, f"Member {user}", text,  # type: ignore[arg-type]
            is_admin=admin, received_at=at, message_id=message_id or str(next(self.ids)), **extra))  # type: ignore[arg-type]

    def press(self, user: str, action: str, *, admin: bool | None, at: datetime = T0) -> list[Outgoing]:
        return self.router.handle(Incoming("telegram", "-100", "group", user, f"Member {user}", "", is_admin=admin,
                                           received_at=at, action=action))


def make_router(notes_retriever: Callable[[str], Retriever], tmp_path: Path,
                store: ModerationStore | None = None) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, ChatSettingsStore(profiles.engine),
                  FixedCollections({"research"}),
                  moderation=ModerationCommands(store or ModerationStore(profiles.engine)))


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    return make_router(notes_retriever, tmp_path)


@pytest.fixture
def group(router: Router) -> Group:
    return Group(router)


def store_of(router: Router) -> ModerationStore:
    assert router.moderation is not None
    return router.moderation.store


def test_a_promise_of_returns_gets_a_calm_warning_naming_the_rule(group: Group) -> None:
    (warning,) = group.say("7", PROMISE)
    assert "promises of returns are not allowed here" in warning.text
    assert warning.reply and warning.enforce is None  # a reply to the post; the post stays
    assert "Member 7" not in warning.text and "double" not in warning.text  # no name-calling, no quoting
    assert [e.kind for e in store_of(group.router).history(CHAT)] == ["warn"]


def test_the_third_warning_mutes_for_an_hour(group: Group) -> None:
    first = group.say("7", PROMISE)
    second = group.say("7", "Honestly, it's a sure thing: zero risk.", at=T0 + timedelta(minutes=5))
    assert "warning 1 of 3" in first[0].text and "warning 2 of 3" in second[0].text
    assert all(reply.enforce is None for reply in first + second)
    warning, mute = group.say("7", "Guaranteed profit, you can't lose.", at=T0 + timedelta(minutes=9))
    assert "promises of returns" in warning.text
    assert mute.enforce is not None and mute.enforce.kind == "mute"
    assert (mute.enforce.user_id, mute.enforce.minutes) == ("7", 60)
    assert "60 minutes" in mute.text and "mute" in mute.enforce.fallback  # admins are asked when the bot can't
    assert [e.kind for e in store_of(group.router).history(CHAT)] == ["warn", "warn", "warn", "mute"]
    # The mute restarts the ladder: the next warning is number one again.
    (again,) = group.say("7", "Guaranteed return, trust me.", at=T0 + timedelta(hours=2))
    assert "warning 1 of 3" in again.text


def test_a_link_from_a_new_member_is_deleted_and_never_answered(group: Group) -> None:
    group.router.member_joined(CHAT, "9", T0 - timedelta(hours=1))
    group.router.member_joined(CHAT, "8", T0 - timedelta(days=3))
    assert group.say("8", "The regulator's page on ETFs: https://www.sec.gov/etfs") == []
    (removed,) = group.say("9", "@RoundtableBot free signals here https://bit.ly/x1y2z3", message_id="55",
                           mentions_bot=True)
    assert removed.enforce is not None and removed.enforce.kind == "delete" and removed.enforce.message_id == "55"
    assert "removed" in removed.text and "bit.ly" not in removed.text and removed.answer is None
    assert removed.enforce.fallback.startswith("Admins:")  # when the bot may not delete, the admins are told


def test_a_flood_is_removed_with_one_notice_not_one_per_message(group: Group) -> None:
    replies = [reply for n in range(12) for reply in group.say("6", f"hello {n}", at=T0 + timedelta(seconds=n / 3))]
    assert len(replies) == 7 and all(r.enforce is not None and r.enforce.kind == "delete" for r in replies)
    assert [bool(r.text) for r in replies] == [True] + [False] * 6  # the 6th to 12th go, one notice
    assert all(not r.enforce.fallback for r in replies[1:] if r.enforce)
    later = group.say("6", "hello again", at=T0 + timedelta(seconds=90))
    assert later == []  # the burst is over


def test_coordinated_pump_is_held_and_reviewed_by_admins(group: Group) -> None:
    pump = "$QRTX is the one everybody should be looking at this week, volume is picking up fast {}"
    replies = [group.say(user, pump.format(n), at=T0 + timedelta(minutes=n))
               for n, user in enumerate(["21", "22", "23"])]
    held = replies[-1]
    assert held[0].enforce is not None and held[0].enforce.kind == "delete"
    assert "held for the admins to review" in held[0].text and "/modqueue" in held[0].text
    assert "QRTX" not in held[0].text  # the notice never repeats what was held
    # A hype post is held too (the default policy): a second item for the queue.
    group.say("24", "Insider tip: big news on ABCD tomorrow", at=T0 + timedelta(minutes=4))

    assert "Only group admins" in group.say("21", "/modqueue", admin=False)[0].text
    (queue,) = group.say("1", "/modqueue", admin=True, at=T0 + timedelta(minutes=5))
    assert "**Held for review**" in queue.text and "QRTX" in queue.text and "Member 24" in queue.text
    actions = [button.action for button in queue.buttons]
    newest, older = (int(a.rsplit(":", 1)[1]) for a in actions[::2][:2])
    assert actions[:2] == [f"mod:approve:{newest}", f"mod:reject:{newest}"]  # newest first

    assert "Only group admins" in group.press("21", f"mod:approve:{older}", admin=False)[0].text
    (approved,) = group.press("1", f"mod:approve:{older}", admin=True)
    assert approved.text.startswith("**Approved by the admins**") and "QRTX" in approved.text
    assert "already approved" in group.press("2", f"mod:reject:{older}", admin=True)[0].text  # a stale button
    (rejected,) = group.press("1", f"mod:reject:{newest}", admin=True)
    assert "stays removed" in rejected.text
    assert "no longer" in group.press("1", "mod:approve:9999", admin=True)[0].text

    store = store_of(group.router)
    decided = [store.item(older), store.item(newest)]
    assert [(i.status, i.decided_by) for i in decided if i] == [("approved", "telegram:1"), ("rejected", "telegram:1")]
    assert store.strikes(CHAT, "telegram:24", T0 + timedelta(minutes=6)) == 1  # the rejection is a strike
    kinds = [(e.kind, e.actor, e.user_key) for e in store.history(CHAT) if e.actor != "bot"]
    assert kinds == [("approve", "telegram:1", "telegram:23"), ("reject", "telegram:1", "telegram:24")]
    assert "Nothing is waiting" in group.say("1", "/modqueue", admin=True)[0].text


def test_a_rejection_that_completes_the_ladder_mutes_the_author(group: Group) -> None:
    group.say("1", "/modpolicy warns 2 30", admin=True)
    group.say("24", PROMISE)  # warning 1 of 2
    group.say("24", "Insider tip: big news on ABCD tomorrow", at=T0 + timedelta(minutes=1))  # held
    (queue,) = group.say("1", "/modqueue", admin=True, at=T0 + timedelta(minutes=2))
    rejected, mute = group.press("1", queue.buttons[1].action, admin=True, at=T0 + timedelta(minutes=3))
    assert "stays removed" in rejected.text
    assert mute.enforce is not None and (mute.enforce.kind, mute.enforce.user_id, mute.enforce.minutes) == (
        "mute", "24", 30)


def test_admins_are_exempt_even_in_chatter_once_known(group: Group) -> None:
    assert group.say("1", PROMISE, admin=True) == []
    assert group.say("1", PROMISE, admin=None) == []  # seen as admin a moment ago: still exempt
    assert group.say("2", PROMISE, admin=None)  # a member the front-end could not look up: moderated


def test_an_edit_is_checked_again_and_never_answered_again(group: Group) -> None:
    group.router.member_joined(CHAT, "9", T0 - timedelta(hours=2))
    assert group.say("9", "hello everyone, happy to be here", message_id="70") == []
    (removed,) = group.say("9", "hello everyone, join my group t.me/+AbCdEf", message_id="70", edited=True,
                           at=T0 + timedelta(minutes=1))
    assert removed.enforce is not None and removed.enforce.message_id == "70"
    # An edited question to the bot is not answered a second time.
    assert group.say("3", "/ask what is diversification?", message_id="71", edited=True) == []


def test_private_chats_are_never_moderated(group: Group) -> None:
    replies = group.say("7", "Is a guaranteed return fund risk-free?", kind="private")
    assert replies and all(reply.enforce is None and "not allowed" not in reply.text for reply in replies)
    assert store_of(group.router).history("telegram:7") == []


def test_admins_change_the_policy_and_members_may_only_look(group: Group) -> None:
    assert "promissory: warn" in group.say("2", "/modpolicy")[0].text
    assert "Only group admins" in group.say("2", "/modpolicy promissory hold", admin=False)[0].text
    assert "didn't understand" in group.say("1", "/modpolicy promissory ban", admin=True)[0].text
    assert "from 1 to 20" in group.say("1", "/modpolicy warns 0 30", admin=True)[0].text
    saved = group.say("1", "/modpolicy promissory hold", admin=True)[0].text
    assert saved.startswith("Saved.") and "promissory: hold" in saved
    (held,) = group.say("7", PROMISE)
    assert held.enforce is not None and "held for the admins" in held.text
    assert "2 warnings in a day mean a 15-minute mute" in group.say("1", "/modpolicy warns 2 15", admin=True)[0].text
    group.say("1", "/modpolicy off", admin=True)
    assert group.say("7", PROMISE) == []
    assert needs_admin("/modpolicy off") and needs_admin("/modqueue") and not needs_admin("/modpolicy")
    assert needs_admin_action("mod:approve:3") and not needs_admin_action("portfolio:clear")


def test_the_policy_is_persisted_and_read_through_a_cache(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'mod.db'}")
    now = [0.0]
    first, second = ModerationStore(engine, clock=lambda: now[0]), ModerationStore(engine, clock=lambda: now[0])
    assert second.policy(CHAT).warn_limit == 3  # cached from here on
    from advisor.moderation import Policy

    first.save_policy(CHAT, Policy(warn_limit=5).with_actions(hype="delete"), "telegram:1")
    assert second.policy(CHAT).warn_limit == 3  # another instance sees the change when its cache expires...
    now[0] = 31.0
    assert second.policy(CHAT).warn_limit == 5 and second.policy(CHAT).action_for("hype") == "delete"


class Locked:
    """A moderation database another process holds an exclusive lock on until ``release``."""

    def __init__(self, path: Path) -> None:
        self.store = ModerationStore(create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05}))
        self.holder = sqlite3.connect(path, isolation_level=None)
        self.holder.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self.holder.in_transaction:
            self.holder.execute("ROLLBACK")


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Locked]:
    lock = Locked(tmp_path / "mod.db")
    yield lock
    lock.release()
    lock.holder.close()


def test_a_locked_database_does_not_stop_the_chat(notes_retriever: Callable[[str], Retriever], tmp_path: Path,
                                                  locked: Locked, caplog: pytest.LogCaptureFixture) -> None:
    group = Group(make_router(notes_retriever, tmp_path, locked.store))
    group.router.member_joined(CHAT, "9", T0)  # not recorded; the member is then treated as not new
    with caplog.at_level(logging.ERROR):
        replies = group.say("7", "/ask is a guaranteed return fund risk-free?", message_id="300")
        held = group.say("8", "Insider tip: big news on ABCD tomorrow", message_id="301")
    assert "promises of returns" in replies[0].text  # moderation still decided, on the default policy
    assert any(reply.answer is not None for reply in replies[1:])  # and the question was still answered
    assert held[0].enforce is not None  # a hold still removes the post
    assert "could not read the moderation policy" in caplog.text and "could not count warnings" in caplog.text
    # Nothing decided while the database was locked is lost: it is written once the lock goes.
    locked.release()
    assert [(e.kind, e.message_id) for e in locked.store.history(CHAT)] == [("warn", "300"), ("hold", "301")]
    assert [item.message_id for item in locked.store.pending(CHAT, 5)[0]] == ["301"]


def test_two_instances_share_the_queue_the_ladder_and_join_times(database_url: str) -> None:
    """Moderation state on SQLite and PostgreSQL: what one instance decides, the other sees."""
    one, two = ModerationStore(create_engine(database_url)), ModerationStore(create_engine(database_url))
    one.joined(CHAT, "telegram:9", T0)
    assert two.joined_at(CHAT, "telegram:9", T0) == T0 and two.joined_at(CHAT, "telegram:8", T0) is None
    assert ModerationStore(create_engine(database_url)).joined_at(CHAT, "telegram:9", T0 + timedelta(days=40)) is None
    one.enqueue(QueueItem(0, CHAT, "41", "telegram:9", "9", "Member 9", "Insider tip on ABCD", ("hype",),
                          ('hype or insider language: "insider tip"',), T0))
    one.record(LogEntry(CHAT, "telegram:9", "warn", "bot", "40", ("promissory",), T0))
    one.flush()  # what a timer does within FLUSH_SECONDS of the first buffered row
    (item,), total = two.pending(CHAT, 5)
    assert total == 1 and item.categories == ("hype",)
    assert two.strikes(CHAT, "telegram:9", T0 + timedelta(minutes=1)) == 1
    decided = two.decide(item.id, "rejected", "telegram:1", T0 + timedelta(minutes=2))
    assert decided is not None and decided.status == "rejected"
    assert one.decide(item.id, "approved", "telegram:2", T0 + timedelta(minutes=3)) is None  # decided once
    assert one.strikes(CHAT, "telegram:9", T0 + timedelta(minutes=3)) == 2  # the warning and the rejection
    assert one.strikes(CHAT, "telegram:9", T0 + timedelta(days=2)) == 0  # a day later the ladder is clean
    assert [e.kind for e in one.history(CHAT)] == ["warn", "reject"]
