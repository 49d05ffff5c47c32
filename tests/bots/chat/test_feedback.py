"""👍/👎 on answers as transcripts: every answer carries the buttons, any member may rate it once (the latest vote
wins), a 👎 asks privately for an optional reason, and the audit log and the manager report show the votes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.audit import FEEDBACK, AuditLog, Entry
from advisor.audit.record import text_hash
from advisor.community.feedback import FeedbackStore
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from advisor.report.html import render_html
from advisor.report.summary import build_report
from bots.chat.community import Community
from bots.chat.feedback import FeedbackCommands
from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

KEY = Fernet.generate_key()
CHAT = "telegram:-100"
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog.open(f"sqlite:///{tmp_path / 'rt.db'}", KEY)


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path, audit: AuditLog) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", KEY)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, ChatSettingsStore(profiles.engine),
                  FixedCollections({"research"}), audit=audit,
                  community=Community(feedback=FeedbackCommands(FeedbackStore(profiles.engine), audit=audit)))


def say(router: Router, user: str, text: str = "", *, kind: str = "group", **extra: Any) -> list[Outgoing]:
    extra.setdefault("received_at", AT)
    return router.handle(Incoming("telegram", "-100" if kind == "group" else user, kind,  # type: ignore[arg-type]
                                  user, f"Member {user}", text, **extra))


def feedback_entries(audit: AuditLog) -> list[dict[str, Any]]:
    return [json.loads(Entry(*row).data) for row in audit.rows() if Entry(*row).kind == FEEDBACK]


def test_every_answer_has_thumbs_and_votes_are_recorded_without_text(router: Router, audit: AuditLog) -> None:
    answer, note = say(router, "1", "/ask what is diversification?")
    assert answer.answer is not None and [b.label for b in answer.buttons] == ["👍", "👎"]
    assert note.private and not note.buttons  # the private suitability note keeps its own (confirm) buttons only
    up, down = (button.action for button in answer.buttons)
    assert up.startswith("fb:u:") and down.startswith("fb:d:") and len(up.encode()) <= 64

    assert say(router, "2", action=up) == []  # another member rates the answer: counted quietly
    [ask_reason] = say(router, "3", action=down)
    assert ask_reason.private and "Optional" in ask_reason.text
    assert ask_reason.new_message  # a new private message: the answer the buttons sit under stays as it is
    assert [b.label for b in ask_reason.buttons] == ["wrong or out of date", "unclear", "off-topic", "not useful"]
    [noted] = say(router, "3", action=ask_reason.buttons[1].action)
    assert "Noted: unclear" in noted.text
    ref = up.split(":")[2]
    question = text_hash("what is diversification?")
    assert feedback_entries(audit) == [
        {"answer": ref, "question_sha256": question, "vote": "up", "reason": None, "intent": "education", "risk": "R2"},
        {"answer": ref, "question_sha256": question, "vote": "down", "reason": None, "intent": "education",
         "risk": "R2"},
        {"answer": ref, "question_sha256": question, "vote": "down", "reason": "unclear", "intent": "education",
         "risk": "R2"}]


def test_one_vote_per_member_the_latest_wins_and_the_report_counts_it(router: Router) -> None:
    [answer] = say(router, "1", "what is an ETF?", kind="private")  # a private answer has the buttons too
    assert [b.label for b in answer.buttons][-2:] == ["👍", "👎"]
    [group_answer, _] = say(router, "1", "/ask what is a bond?")
    up, down = (button.action for button in group_answer.buttons)
    say(router, "2", action=up)
    say(router, "2", action=down)  # changed their mind: one vote, now 👎
    say(router, "3", action=down)
    say(router, "3", action=f"fb:r:{down.split(':')[2]}:wrong")
    say(router, "4", action=up)
    assert router.community.feedback is not None
    votes = list(router.community.feedback.store.votes(CHAT, AT - timedelta(days=7), AT + timedelta(hours=1)))
    report = build_report(CHAT, AT - timedelta(days=7), AT + timedelta(hours=1), feedback=votes)
    assert report.to_json()["feedback"] == {"total": 3, "up": 1, "down": 2, "reasons": {"none": 1, "wrong": 1},
                                            "by_intent": {"education": {"up": 1, "down": 2}}}
    assert not report.empty
    page = render_html(report)
    assert 'id="feedback"' in page and "Feedback on answers (3 votes, 33% helpful)" in page
    assert "reason: wrong" in page


def test_stale_and_foreign_buttons(router: Router) -> None:
    assert say(router, "2", action="fb:u:0123456789abcdef")[0].text == "That button has expired."
    [answer, _] = say(router, "1", "/ask what is a bond?")
    ref = answer.buttons[0].action.split(":")[2]
    # A reason without a 👎 from that member, or a reason that is not offered, changes nothing.
    assert say(router, "2", action=f"fb:r:{ref}:wrong")[0].text == "That button has expired."
    say(router, "2", action=f"fb:d:{ref}")
    assert say(router, "2", action=f"fb:r:{ref}:rude")[0].text == "That button has expired."
    assert say(router, "2", action="fb:x")[0].text == "That button has expired."


def test_privacy_lists_votes_and_forget_erases_them(router: Router) -> None:
    [answer, _] = say(router, "1", "/ask what is a bond?")
    say(router, "2", action=answer.buttons[1].action)
    assert "1 👍/👎 vote(s) on my answers" in say(router, "2", "/privacy", kind="private")[0].text
    say(router, "2", "/forget", kind="private")
    assert "vote(s)" not in say(router, "2", "/privacy", kind="private")[0].text
    assert router.community.feedback is not None
    assert list(router.community.feedback.store.votes(CHAT, AT - timedelta(days=1), AT + timedelta(days=1))) == []


def test_the_g6_confirmation_keeps_its_place_before_the_thumbs(router: Router) -> None:
    replies = say(router, "1", "/profile", kind="private")
    for _ in range(8):  # the second choice everywhere: a C2 profile
        replies = say(router, "1", kind="private", action=replies[0].buttons[1].action)
    assert "**C2**" in replies[0].text
    [warned] = say(router, "1", "how do margin calls work?", kind="private")
    assert [b.action.split(":")[0] + ":" + b.action.split(":")[1] for b in warned.buttons] == [
        "confirm:R5", "fb:u", "fb:d"]
