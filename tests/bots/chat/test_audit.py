"""The audit log as transcripts: members and admins talk to the router, and the compliance record shows what the
bot told whom, by pseudonym, without the words themselves. Offline, on a SQLite file."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from advisor.advisor import Advisor
from advisor.audit import AuditLog, AuditUnavailable, Entry
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.messages import Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

MEMBER = "4242017"  # a platform id distinctive enough to search the whole table for
CHAT = "telegram:-100"


KEY = Fernet.generate_key()


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog.open(f"sqlite:///{tmp_path / 'rt.db'}", KEY)  # the app's database and secret key


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path, audit: AuditLog) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", KEY)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, ChatSettingsStore(profiles.engine),
                  FixedCollections({"research"}), moderation=ModerationCommands(ModerationStore(profiles.engine),
                                                                                audit=audit), audit=audit)


def say(router: Router, text: str = "", *, user: str = MEMBER, kind: str = "group", **extra: Any) -> list[Outgoing]:
    return router.handle(Incoming("telegram", "-100" if kind == "group" else user, kind, user,  # type: ignore[arg-type]
                                  "Member", text, **extra))


def entries(audit: AuditLog) -> list[Entry]:
    return [Entry(*row) for row in audit.rows()]


def data(entry: Entry) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(entry.data)
    return loaded


def table_text(audit: AuditLog) -> str:
    """Every stored cell of the audit table, as one text to search."""
    with audit.engine.connect() as conn:
        return "\n".join(" ".join(str(cell) for cell in row) for row in conn.execute(text("SELECT * FROM audit_log")))


def test_an_answer_is_recorded_by_its_question_hash_never_its_text(router: Router, audit: AuditLog) -> None:
    answer, _note = say(router, "/ask what is diversification?")
    assert answer.answer is not None
    (entry,) = entries(audit)
    recorded = data(entry)
    assert entry.kind == "answer" and entry.chat == CHAT and entry.user == audit.pseudonym(f"telegram:{MEMBER}")
    assert recorded["question_sha256"] == hashlib.sha256(b"what is diversification?").hexdigest()
    assert recorded["intent"] == answer.answer.intent and recorded["risk"] == answer.answer.risk.level
    assert recorded["citations"] == [c.doc_id for c in answer.answer.citations] and "diversification.md" in \
        recorded["citations"]
    assert recorded["refused"] is False and recorded["abstained"] is False
    assert recorded["disclaimer"] == hashlib.sha256(answer.answer.disclaimer.encode()).hexdigest()[:12]
    assert "diversification?" not in table_text(audit)  # the question's words are nowhere in the record


def test_a_refusal_is_recorded_as_refused(router: Router, audit: AuditLog) -> None:
    (refusal,) = say(router, "Should I buy TSLA?", kind="private")
    assert refusal.answer is not None and refusal.answer.refused
    (entry,) = entries(audit)
    assert data(entry)["refused"] is True and data(entry)["intent"] == "personal_advice"
    assert entry.chat is None  # a private chat's id is the member's own id: never recorded


def test_forget_leaves_only_a_pseudonymous_tombstone(router: Router, audit: AuditLog) -> None:
    replies = say(router, "/profile", kind="private")
    for _ in range(8):
        replies = say(router, kind="private", action=replies[0].buttons[0].action)
    profile = router.profiles.get(f"telegram:{MEMBER}")
    assert profile is not None
    say(router, "how do margin calls work?", kind="private")
    say(router, "/ask what is an ETF?")
    (done,) = say(router, "/forget", kind="private")
    assert "deleted your risk profile" in done.text
    kinds = [entry.kind for entry in entries(audit)]
    assert kinds == ["profile", "answer", "answer", "forget"]
    tombstone = entries(audit)[-1]
    assert (tombstone.user, tombstone.chat, tombstone.data) == (audit.pseudonym(f"telegram:{MEMBER}"), None, "{}")
    assert data(entries(audit)[0]) == {"level": profile.level}  # the level only: never the questionnaire's answers
    assert MEMBER not in table_text(audit)  # no raw platform id anywhere in the table
    assert audit.verify().ok


def test_setting_changes_and_a_moderation_warning_are_recorded(router: Router, audit: AuditLog) -> None:
    assert "Saved" in say(router, "/settings quota 5", is_admin=True)[0].text
    assert "Saved" in say(router, "/modpolicy hype warn", is_admin=True)[0].text
    assert "Only group admins" in say(router, "/settings quota 9", is_admin=False)[0].text  # refused: not recorded
    (warning,) = say(router, "This fund is guaranteed to double your money, risk-free!", message_id="77")
    assert "promises of returns" in warning.text
    setting, policy, moderation = entries(audit)
    assert (setting.kind, data(setting)) == ("setting", {"command": "settings", "setting": "quota", "value": "5"})
    assert data(policy) == {"command": "modpolicy", "setting": "hype", "value": "warn"} and policy.chat == CHAT
    assert moderation.kind == "moderation" and moderation.chat == CHAT
    assert data(moderation) == {"verdict": "warn", "categories": ["promissory"], "message": "77", "edited": False}
    assert "guaranteed" not in table_text(audit)  # the post's words are not recorded
    report = audit.verify()
    assert report.ok and report.entries == 3


def test_a_failing_audit_log_never_breaks_the_chat(router: Router, audit: AuditLog,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    def unavailable(*_args: object, **_kwargs: object) -> Entry:
        raise AuditUnavailable("the audit log stayed locked for 61 s; answer entry not recorded")

    audit.append = unavailable  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="advisor.audit.record"):
        answer, _note = say(router, "/ask what is diversification?")
    assert answer.answer is not None and answer.answer.citations  # the member got their answer
    assert "could not record the answer entry" in caplog.text  # an operator can see that an entry is missing
