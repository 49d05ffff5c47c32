"""👍/👎 on every advisor answer: the buttons, the votes, and a 👎's optional reason.

The router asks ``buttons`` for each answer it sends; a press comes back as "fb:u:REF" or "fb:d:REF" (REF: 16
hex digits, see ``advisor.community.feedback.answer_ref``), a reason as "fb:r:REF:REASON". Anyone who sees an
answer may rate it (in a group, every member); each member has one vote per answer and the latest wins. A 👍 is
counted without a reply; a 👎 is answered privately, as a new message (never an edit of the answer), with the
reasons to choose from; choosing one is optional. Every vote and reason is an
audit entry of kind "feedback" (the answer's reference and question hash, the vote, the reason: never text).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.audit import FEEDBACK
from advisor.audit.record import record, text_hash
from advisor.community.feedback import REASONS, AnswerInfo, FeedbackStore, Vote, answer_ref
from bots.chat.auditing import audit_chat
from bots.chat.messages import Button, Incoming, Outgoing
from bots.chat.privacy import Stored

if TYPE_CHECKING:
    from advisor.audit import AuditLog
    from advisor.types import Answer

log = logging.getLogger(__name__)

UP, DOWN = "👍", "👎"
EXPIRED = "That button has expired."


class FeedbackCommands:
    def __init__(self, store: FeedbackStore, audit: AuditLog | None = None) -> None:
        self.store = store
        self.audit = audit

    def buttons(self, msg: Incoming, question: str, answer: Answer) -> tuple[Button, ...]:
        """The 👍/👎 buttons for an answer to ``question`` asked in ``msg``; none when the answer could not be
        remembered (the answer itself is never held back for its buttons)."""
        ref = answer_ref(msg.chat_key, msg.user_key, question, msg.received_at)
        info = AnswerInfo(ref, audit_chat(msg), text_hash(question), answer.intent, answer.risk.level)
        try:
            self.store.answered(info, msg.received_at)
        except Exception:
            log.exception("could not store an answer's reference for feedback; sending it without buttons")
            return ()
        return Button(UP, action=f"fb:u:{ref}", anyone=True), Button(DOWN, action=f"fb:d:{ref}", anyone=True)

    def on_button(self, msg: Incoming, rest: str) -> list[Outgoing]:
        what, _, ref = rest.partition(":")
        if what in ("u", "d"):
            vote: Vote = "up" if what == "u" else "down"
            info = self.store.vote(ref, msg.user_key, vote, msg.received_at)
            if info is None:
                return [Outgoing(EXPIRED, private=True, new_message=True)]  # never written over the old answer
            self._record(msg, info, vote, None)
            if vote == "up":
                return []  # counted quietly: a thank-you for every 👍 would flood private chats (or the group)
            reasons = tuple(Button(label, action=f"fb:r:{ref}:{key}") for key, label in REASONS.items())
            return [Outgoing("Thanks for telling me. What was wrong with the answer? (Optional: choose one, or "
                             "ignore this.)", buttons=reasons, private=True, new_message=True,
                             private_fallback="Thanks for the 👎: noted.")]
        if what == "r":  # pressed on the reason prompt: its message may be edited
            ref, _, reason = ref.partition(":")
            info = self.store.reason(ref, msg.user_key, reason)
            if info is None:
                return [Outgoing(EXPIRED, private=True)]
            self._record(msg, info, "down", reason)
            return [Outgoing(f"Noted: {REASONS[reason]}. The team reviews this feedback.", private=True)]
        return [Outgoing(EXPIRED, private=True, new_message=True)]

    def _record(self, msg: Incoming, info: AnswerInfo, vote: Vote, reason: str | None) -> None:
        record(self.audit, FEEDBACK, user=msg.user_key, chat=info.chat_key,
               data={"answer": info.ref, "question_sha256": info.question_sha256, "vote": vote, "reason": reason,
                     "intent": info.intent, "risk": info.risk})


@dataclass
class FeedbackData:
    """/privacy and /forget for feedback: the member's votes go; the audit log's pseudonymous feedback entries
    stay, like every audit entry (``AuditData`` says so)."""

    store: FeedbackStore

    def describe(self, user_key: str) -> Stored:
        votes = self.store.member(user_key)
        return Stored([f"{votes} 👍/👎 vote(s) on my answers (and any reason you chose)."] if votes else [])

    def erase(self, user_key: str) -> int:
        return self.store.forget(user_key)
