"""/quiz in the chat core: rounds of multiple-choice questions from the research notes, answered with buttons.

A round is ``ROUND`` questions. Each question's buttons carry the id of a waiting row in the ``QuizStore`` (and
the question's id), so
only the member who asked can answer (others are told whose quiz it is), a question expires after ``EXPIRY``, and
a double click counts once. A wrong answer shows the cited sentence and note. When a round is complete the
``on_completed(chat_key, user_key)`` hook runs (contribution points connect there) and, with the member's
consent, quiz results may raise the knowledge answer of their risk profile (never lower it).

Platform-free like the rest of the router.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from advisor.audit import PROFILE
from advisor.audit.record import record
from advisor.compliance import CJK
from advisor.quiz.generate import QuizQuestion, about
from advisor.quiz.knowledge import Raised, knowledge_label, quiz_knowledge, raise_knowledge
from advisor.quiz.notes import Note
from advisor.quiz.progress import Pending, QuizStore
from advisor.types import Language
from bots.chat.auditing import audit_chat
from bots.chat.messages import Button, Incoming, Outgoing
from bots.chat.privacy import Stored

if TYPE_CHECKING:
    from advisor.audit import AuditLog
    from advisor.profiles import ProfileStore

log = logging.getLogger(__name__)

ROUND = 3  # questions in one quiz: short enough for a group, long enough to count as "completed"
EXPIRY = timedelta(minutes=10)
LETTERS = "ABCDEFGH"
CONSENT = "consent"
USAGE = ("/quiz — three questions from our research notes; /quiz TOPIC (e.g. /quiz bonds, /quiz 杠杆); "
         "/quiz progress — your record (privately); /quiz consent on|off — let quiz results raise the knowledge "
         "answer of your risk profile.")


@dataclass
class QuizCommands:
    store: QuizStore
    questions: Callable[[], Sequence[QuizQuestion]]  # called once, on first use (generation takes a second or two)
    profiles: ProfileStore | None = None
    audit: AuditLog | None = None
    on_completed: Callable[[str, str], None] | None = None  # (chat_key, user_key): a round completed in a group
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    chat_language: Callable[[str], Language | None] = lambda chat_key: None  # the chat's /settings language

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._bank: dict[str, QuizQuestion] | None = None

    def bank(self) -> dict[str, QuizQuestion]:
        with self._lock:
            if self._bank is None:
                self._bank = {q.id: q for q in self.questions()}
            return self._bank

    # -- commands ---------------------------------------------------------------------------------

    def quiz(self, msg: Incoming, args: str) -> list[Outgoing]:
        word, _, rest = args.partition(" ")
        if word.lower() == "progress":
            return [self._progress(msg.user_key)]
        if word.lower() == CONSENT:
            return [self._consent(msg, rest.strip().lower() != "off")]
        if word.lower() == "help":
            return [Outgoing(USAGE)]
        return [self._ask(msg, args.strip()[:64], position=0, right_so_far=0)]

    def _ask(self, msg: Incoming, topic: str, position: int, right_so_far: int) -> Outgoing:
        language: Language = "zh" if CJK.search(topic) else (
            self.chat_language(msg.chat_key) or msg.language or "en")
        candidates = [q for q in self.bank().values() if q.language == language and about_question(q, topic)]
        if not candidates:
            shown = "Chinese" if language == "zh" else "English"
            return Outgoing(f"I have no quiz questions about “{topic}” in {shown}. Try /quiz with a topic such "
                            "as diversification, bonds, options, ETF or 杠杆, or just /quiz.")
        asked = self.store.progress(msg.user_key).asked_ids
        fresh = [q for q in candidates if q.id not in asked] or candidates  # all done: start over
        # Each member meets the questions in their own fixed order (a hash), so two members in a group do not get
        # the same question at once, and a member's next question never depends on timing.
        question = min(fresh, key=lambda q: hashlib.sha256(f"{msg.user_key}|{q.id}".encode()).hexdigest())
        pending_id = self.store.ask(msg.chat_key, msg.user_key, msg.display_name, question.id, topic, position,
                                    right_so_far, self.clock())
        text = TEXTS[question.language]
        minutes = int(EXPIRY.total_seconds() // 60)
        lines = [text["ask"].format(n=position + 1, of=ROUND, name=msg.display_name, question=question.question)]
        lines += [f"{LETTERS[i]}) {option}" for i, option in enumerate(question.options)]
        lines.append(text["source"].format(title=question.citation.title, name=msg.display_name, minutes=minutes))
        buttons = tuple(Button(LETTERS[i], action=f"quiz:{pending_id}:{question.id}:{i}")  # ~30 of Telegram's 64 bytes
                        for i in range(len(question.options)))
        return Outgoing("\n".join(lines), buttons=buttons)

    # -- buttons ----------------------------------------------------------------------------------

    def on_button(self, msg: Incoming, rest: str) -> list[Outgoing]:
        if rest == CONSENT:
            return [self._consent(msg, True)]
        try:
            raw_id, question_id, raw_choice = rest.split(":")
            pending_id, choice = int(raw_id), int(raw_choice)
        except ValueError:
            return [Outgoing("That button has expired. Send /quiz for a new question.", private=True)]
        pending = self.store.pending(pending_id)
        # The question id in the button guards against a reused row id (SQLite hands out a deleted row's id again):
        # an old button never answers a newer question.
        if pending is None or pending.question_id != question_id:
            return [Outgoing("That question was answered already or has expired. Send /quiz for a new one.")]
        if pending.user_key != msg.user_key:
            return [Outgoing(f"This quiz is {pending.asker}'s; send /quiz for your own.")]
        question = self.bank().get(pending.question_id)
        if question is None or self.clock() - pending.asked_at > EXPIRY:
            self.store.drop(pending.id)
            return [Outgoing("That question has expired. Send /quiz for a new one.")]
        if not 0 <= choice < len(question.options):
            return [Outgoing("That answer is not one of the options. Send /quiz for a new question.")]
        correct = choice == question.answer
        if not self.store.answer(pending, question.citation.doc_id, correct, self.clock()):
            return [Outgoing("That question was answered already. Send /quiz for a new one.")]
        replies = [Outgoing(_verdict(question, choice))]
        right = pending.right_so_far + correct
        if pending.position + 1 < ROUND:
            return [*replies, self._ask(msg, pending.topic, pending.position + 1, right)]
        return replies + self._completed(msg, pending, right)

    def _completed(self, msg: Incoming, pending: Pending, right: int) -> list[Outgoing]:
        asked = self.bank().get(pending.question_id)
        language = asked.language if asked is not None else "en"
        replies = [Outgoing(TEXTS[language]["done"].format(name=msg.display_name, right=right, of=ROUND),
                            reply=False)]
        # Points are a group's. The chat kind says so on every platform; a chat key does not (a Discord DM has a
        # channel id of its own, not the member's).
        if self.on_completed is not None and msg.chat_kind == "group":
            try:
                self.on_completed(pending.chat_key, pending.user_key)
            except Exception:  # points must never break the quiz
                log.exception("quiz on_completed hook failed")
        profile = self.profiles.get(msg.user_key) if self.profiles is not None else None
        raised = raise_knowledge(profile, self.store.progress(msg.user_key)) if profile is not None else None
        if raised is None or self.profiles is None:
            return replies
        if self.store.consented(msg.user_key):
            return [*replies, self._save(msg, self.profiles, raised)]
        replies.append(Outgoing("Your quiz record shows more investment knowledge than your risk profile says. "
                                "Shall I use your quiz results in your risk profile? (It can only raise the "
                                "knowledge answer; /quiz consent off withdraws.)",
                                buttons=(Button("Use my quiz results in my risk profile",
                                                action=f"quiz:{CONSENT}"),), reply=False, private=True,
                                private_fallback="I sent you a private note about your quiz results."))
        return replies

    # -- the knowledge dimension ------------------------------------------------------------------

    def _consent(self, msg: Incoming, given: bool) -> Outgoing:
        self.store.consent(msg.user_key, given, self.clock())
        if not given:
            return Outgoing("Done: quiz results no longer change your risk profile. What they changed before stays "
                            "until you retake /profile.", private=True)
        profile = self.profiles.get(msg.user_key) if self.profiles is not None else None
        if profile is None or self.profiles is None:
            return Outgoing("Noted. You have no risk profile yet, so nothing changes now; /profile takes the "
                            "questionnaire, and later quiz rounds may then raise its knowledge answer.", private=True)
        progress = self.store.progress(msg.user_key)
        raised = raise_knowledge(profile, progress)
        if raised is None:
            shown = knowledge_label(quiz_knowledge(progress))
            return Outgoing(f"Noted. Your profile already says as much as your quiz record shows (“{shown}”), so "
                            f"nothing changes; your level stays {profile.level}.", private=True)
        return self._save(msg, self.profiles, raised)

    def _save(self, msg: Incoming, profiles: ProfileStore, raised: Raised) -> Outgoing:
        profiles.save(raised.after)
        record(self.audit, PROFILE, user=msg.user_key, chat=audit_chat(msg), data={"level": raised.after.level})
        label = knowledge_label(raised.after.answers["knowledge"])
        return Outgoing(f"Your quiz results raised your profile's knowledge answer to “{label}”. Your level is "
                        f"**{raised.after.level}** (was {raised.before.level}). /forget deletes it.", private=True)

    def _progress(self, user_key: str) -> Outgoing:
        progress = self.store.progress(user_key)
        if not progress.answered:
            return Outgoing("You have not answered any quiz questions yet. Send /quiz to start.", private=True)
        notes = len(progress.right_by_note)
        consent = "on" if self.store.consented(user_key) else "off"
        return Outgoing(f"Quiz record: {progress.correct} of {progress.answered} answers right, on {notes} note(s). "
                        f"Using quiz results in your risk profile: {consent}.", private=True)


def about_question(question: QuizQuestion, topic: str) -> bool:
    """Whether the question is on ``topic`` (its note's title, file name or tags): see ``generate.about``."""
    note = Note(question.citation.doc_id, question.citation.title, question.language, question.topics, "")
    return about(note, topic or None)


# The round's texts in the question's language: a Chinese question is asked and explained in Chinese.
TEXTS: dict[str, dict[str, str]] = {
    "en": {"ask": "**Quiz {n}/{of}** for {name}: {question}",
           "source": "Source: “{title}”. Only {name} can answer; {minutes} minutes.",
           "right": "✅ {letter} is right.",
           "wrong": "❌ Not quite: the answer is {right}\nFrom “{title}”: “{quote}”",
           "done": "Quiz done, {name}: {right}/{of} right. /quiz for another round."},
    "zh": {"ask": "**测验 {n}/{of}**（{name}）：{question}",
           "source": "出处：《{title}》。只有 {name} 可以作答；{minutes} 分钟内有效。",
           "right": "✅ {letter} 正确。",
           "wrong": "❌ 不对：正确答案是 {right}\n出自《{title}》：“{quote}”",
           "done": "测验完成，{name}：答对 {right}/{of} 题。发送 /quiz 再来一轮。"},
}


def _verdict(question: QuizQuestion, choice: int) -> str:
    text = TEXTS[question.language]
    if choice == question.answer:
        return text["right"].format(letter=LETTERS[choice])
    right = f"{LETTERS[question.answer]}) {question.options[question.answer]}"
    return text["wrong"].format(right=right, title=question.citation.title, quote=question.citation.quote)


@dataclass
class QuizData:
    """What /privacy shows and /forget erases for quizzes: all of it (answers, waiting questions, consent).
    A risk profile the quiz raised is the profile's data and goes with it."""

    store: QuizStore

    def describe(self, user_key: str) -> Stored:
        progress = self.store.progress(user_key)
        lines = [f"Quiz record: {progress.answered} answer(s), {progress.correct} right."] if progress.answered else []
        waiting = self.store.waiting(user_key)
        lines += [f"{waiting} quiz question(s) waiting for your answer."] if waiting else []
        lines += ["Your consent to use quiz results in your risk profile."] if self.store.consented(user_key) else []
        return Stored(lines)

    def erase(self, user_key: str) -> int:
        return self.store.erase(user_key)
