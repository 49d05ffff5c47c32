"""/quiz as transcripts: a round of three questions with buttons in a group, only the asker may answer, a wrong
answer shows the cited sentence, questions expire, a completed round calls the points hook, and with consent the
quiz record raises the knowledge answer of the member's risk profile (a PROFILE audit entry, level only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.audit import PROFILE, AuditLog
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from advisor.quiz.generate import QuizQuestion, generate
from advisor.quiz.notes import bundled_notes
from advisor.quiz.progress import QuizStore
from advisor.suitability import Profile
from bots.chat.community import Community
from bots.chat.messages import Incoming, Outgoing
from bots.chat.quiz import QuizCommands
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
NEWCOMER = {"horizon": 2, "loss": 2, "reaction": 2, "experience": 1, "knowledge": 0, "income": 0, "reserve": 1,
            "objective": 1}


@pytest.fixture(scope="module")
def bank() -> list[QuizQuestion]:
    return generate(bundled_notes())


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def setup(notes_retriever: Callable[[str], Retriever], tmp_path: Path,
          bank: list[QuizQuestion]) -> tuple[Router, QuizCommands, Clock, list[tuple[str, str]]]:
    key = Fernet.generate_key()
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", key)
    completed: list[tuple[str, str]] = []
    clock = Clock()
    audit = AuditLog.open(f"sqlite:///{tmp_path / 'rt.db'}", key)
    quiz = QuizCommands(QuizStore(profiles.engine), lambda: bank, profiles, audit,
                        on_completed=lambda chat, user: completed.append((chat, user)), clock=clock)
    router = Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                    ChatSettingsStore(profiles.engine), FixedCollections({"research"}), audit=audit,
                    community=Community(quiz=quiz))
    return router, quiz, clock, completed


def say(router: Router, text: str, *, user: str = "5", action: str | None = None,
        kind: str = "group") -> list[Outgoing]:
    return router.handle(Incoming("telegram", "-100" if kind == "group" else user, kind, user,  # type: ignore[arg-type]
                                  f"Member {user}", text, action=action, received_at=T0))


def question_of(quiz: QuizCommands, reply: Outgoing) -> QuizQuestion:
    pending_id = int(reply.buttons[0].action.split(":")[1])
    pending = quiz.store.pending(pending_id)
    assert pending is not None
    return quiz.bank()[pending.question_id]


def press(router: Router, reply: Outgoing, choice: int, user: str = "5") -> list[Outgoing]:
    return say(router, "", user=user, action=reply.buttons[choice].action)


def test_a_round_of_three_questions_with_a_wrong_answer_explained(setup) -> None:  # type: ignore[no-untyped-def]
    router, quiz, _, completed = setup
    (first,) = say(router, "/quiz bonds")
    assert first.text.startswith("**Quiz 1/3** for Member 5:")
    assert "Source: “Bonds and Interest Rate Risk”" in first.text
    assert [b.label for b in first.buttons] == ["A", "B", "C", "D"]
    assert all(len(b.action.encode()) <= 64 for b in first.buttons)
    question = question_of(quiz, first)
    verdict, second = press(router, first, question.answer)
    assert verdict.text == f"✅ {'ABCD'[question.answer]} is right."
    assert second.text.startswith("**Quiz 2/3**")
    question = question_of(quiz, second)
    wrong = (question.answer + 1) % 4
    verdict, third = press(router, second, wrong)
    assert verdict.text.startswith(f"❌ Not quite: the answer is {'ABCD'[question.answer]})")
    assert f"From “{question.citation.title}”: “{question.citation.quote}”" in verdict.text
    assert question_of(quiz, third).citation.doc_id == "bonds-and-interest-rate-risk.md"  # the topic holds
    replies = press(router, third, question_of(quiz, third).answer)
    assert replies[1].text == "Quiz done, Member 5: 2/3 right. /quiz for another round."
    assert completed == [("telegram:-100", "telegram:5")]
    assert quiz.store.progress("telegram:5").answered == 3
    # The next round starts with questions the member has not seen yet.
    (again,) = say(router, "/quiz bonds")
    assert question_of(quiz, again).id not in {question.id}


def test_a_round_in_a_private_chat_earns_no_group_points(setup) -> None:  # type: ignore[no-untyped-def]
    router, _, _, completed = setup
    (reply,) = say(router, "/quiz bonds", kind="private")
    for _ in range(3):
        reply = say(router, "", action=reply.buttons[0].action, kind="private")[-1]
    assert reply.text.startswith("Quiz done, Member 5:") and completed == []


def test_only_the_asker_may_answer_and_only_once(setup) -> None:  # type: ignore[no-untyped-def]
    router, quiz, _, completed = setup
    (asked,) = say(router, "/quiz")
    assert press(router, asked, 0, user="6")[0].text == "This quiz is Member 5's; send /quiz for your own."
    assert quiz.store.progress("telegram:6").answered == 0
    press(router, asked, 0)
    assert "answered already or has expired" in press(router, asked, 1)[0].text  # a double click counts once
    assert quiz.store.progress("telegram:5").answered == 1 and completed == []


def test_a_chinese_round_is_asked_and_explained_in_chinese(setup) -> None:  # type: ignore[no-untyped-def]
    router, quiz, _, _ = setup
    (first,) = say(router, "/quiz 杠杆")
    assert first.text.startswith("**测验 1/3**（Member 5）：") and "出处：《" in first.text
    question = question_of(quiz, first)
    assert question.language == "zh"
    verdict, _second = press(router, first, (question.answer + 1) % 4)
    assert verdict.text.startswith(f"❌ 不对：正确答案是 {'ABCD'[question.answer]})")
    assert f"出自《{question.citation.title}》：“{question.citation.quote}”" in verdict.text


def test_a_question_expires_after_ten_minutes(setup) -> None:  # type: ignore[no-untyped-def]
    router, quiz, clock, _ = setup
    (asked,) = say(router, "/quiz 杠杆")
    assert "“杠杆”" in asked.text or "杠杆" in asked.text  # a Chinese topic asks a Chinese question
    clock.now = T0 + timedelta(minutes=11)
    assert press(router, asked, 0)[0].text == "That question has expired. Send /quiz for a new one."
    assert quiz.store.progress("telegram:5").answered == 0
    assert "no quiz questions about “astrology”" in say(router, "/quiz astrology")[0].text


def test_with_consent_the_quiz_record_raises_the_knowledge_answer(setup) -> None:  # type: ignore[no-untyped-def]
    router, quiz, _, _ = setup
    # Without a profile, consent is noted and nothing changes.
    assert "no risk profile yet, so nothing changes" in say(router, "/quiz consent", user="7", kind="private")[0].text
    assert router.profiles.get("telegram:7") is None
    router.profiles.save(Profile.from_answers("telegram:5", NEWCOMER))
    before = router.profiles.get("telegram:5")
    assert before is not None and before.level == "C2"
    offers: list[Outgoing] = []
    for _ in range(4):  # four rounds, all right: 12 right answers
        (reply,) = say(router, "/quiz")
        for _ in range(3):
            replies = press(router, reply, question_of(quiz, reply).answer)
            reply = replies[-1]
        offers += [r for r in replies if r.buttons]
    assert quiz.store.progress("telegram:5").correct == 12
    (offer, *_) = offers  # a private invitation, not a change
    assert offer.private and offer.buttons[0].label == "Use my quiz results in my risk profile"
    assert router.profiles.get("telegram:5") == before
    (done,) = say(router, "", action=offer.buttons[0].action)
    after = router.profiles.get("telegram:5")
    assert after is not None and after.answers["knowledge"] >= 1 and after.level == "C3"  # 39 -> 44 points
    assert done.private and f"Your level is **{after.level}** (was C2)" in done.text
    from advisor.audit.log import entries

    rows = list(router.audit.rows(entries.c.kind == PROFILE))  # type: ignore[union-attr]
    assert len(rows) == 1 and f'"level":"{after.level}"' in str(rows[0]).replace(" ", "")
    assert "Using quiz results in your risk profile: on" in say(router, "/quiz progress")[0].text


def test_forget_erases_quiz_progress_and_consent(setup) -> None:  # type: ignore[no-untyped-def]
    router, quiz, _, _ = setup
    (asked,) = say(router, "/quiz")
    press(router, asked, 0)
    say(router, "/quiz consent", kind="private")
    assert "Quiz record: 1 answer(s)" in say(router, "/privacy", kind="private")[0].text
    say(router, "/forget", kind="private")
    assert quiz.store.progress("telegram:5").answered == 0 and not quiz.store.consented("telegram:5")
    assert quiz.store.waiting("telegram:5") == 0
