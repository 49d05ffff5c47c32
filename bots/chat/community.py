"""The community features (issue 14) behind one seam of the router: portfolio sharing and follows, track records
and /leaderboard, quizzes, contribution points, and 👍/👎 feedback on answers.

Each feature is optional and lives in its own module; ``Community`` only says where the router's events go:
its commands, its buttons (by action prefix), the group posts that stand after moderation, reactions, the
buttons under an answer, and the personal data /privacy and /forget walk. A feature that is not set up adds
nothing, so a router without a ``Community`` behaves as it did before these features existed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bots.chat.messages import Button, Incoming, Outgoing

if TYPE_CHECKING:
    from advisor.types import Answer
    from bots.chat.feedback import FeedbackCommands
    from bots.chat.leaderboard import LeaderboardCommands
    from bots.chat.points import PointsCommands
    from bots.chat.privacy import PersonalData
    from bots.chat.quiz import QuizCommands
    from bots.chat.sharing import SharingCommands

Handler = Callable[[Incoming, str], list[Outgoing]]


@dataclass
class Community:
    sharing: SharingCommands | None = None
    records: LeaderboardCommands | None = None
    quiz: QuizCommands | None = None
    points: PointsCommands | None = None
    feedback: FeedbackCommands | None = None

    def commands(self) -> dict[str, Handler]:
        """Slash commands by name (the router's COMMANDS has their help text)."""
        handlers: dict[str, Handler] = {}
        if self.sharing is not None:
            handlers |= {"follow": self.sharing.follow, "unfollow": self.sharing.unfollow}
        if self.records is not None:
            handlers["leaderboard"] = self.records.leaderboard
        if self.quiz is not None:
            handlers["quiz"] = self.quiz.quiz
        if self.points is not None:
            handlers |= {"points": self.points.points, "top": self.points.top, "helpful": self.points.helpful}
        return handlers

    def on_button(self, kind: str, msg: Incoming, rest: str) -> list[Outgoing] | None:
        """A pressed button whose action starts with ``kind:``; None when no feature owns that prefix."""
        owners: dict[str, Handler | None] = {
            "share": self.sharing.on_button if self.sharing else None,
            "quiz": self.quiz.on_button if self.quiz else None,
            "fb": self.feedback.on_button if self.feedback else None,
        }
        handler = owners.get(kind)
        return handler(msg, rest) if handler is not None else None

    def observe(self, msg: Incoming) -> list[Outgoing]:
        """A group post that stands (not removed by moderation, not an edit): a public call joins the member's
        track record; its author is remembered so a later reaction can credit them."""
        if self.records is not None:
            self.records.observe(msg)
        return self.points.observe(msg) if self.points is not None else []

    def reaction(self, msg: Incoming) -> list[Outgoing]:
        return self.points.reaction(msg) if self.points is not None else []

    def answer_buttons(self, msg: Incoming, question: str, answer: Answer) -> tuple[Button, ...]:
        """The 👍/👎 under an advisor answer."""
        return self.feedback.buttons(msg, question, answer) if self.feedback is not None else ()

    def portfolio(self, msg: Incoming, args: str, private_book: Handler) -> list[Outgoing]:
        """/portfolio: share, unshare and view go to sharing; the rest to the member's private book, after which
        a shared portfolio whose holdings changed is republished (its followers told)."""
        return self.sharing.portfolio(msg, args, private_book) if self.sharing else private_book(msg, args)

    def holdings_changed(self, msg: Incoming) -> list[Outgoing]:
        return self.sharing.holdings_changed(msg) if self.sharing is not None else []

    def forgetting(self, user_key: str) -> list[Outgoing]:
        """Notes for other members before /forget erases the member's data: followers of a shared portfolio."""
        return self.sharing.forgetting(user_key) if self.sharing is not None else []

    def personal_data(self) -> list[PersonalData]:
        from bots.chat.feedback import FeedbackData  # these modules import privacy, which imports nothing here
        from bots.chat.leaderboard import RecordsData
        from bots.chat.points import PointsData
        from bots.chat.quiz import QuizData

        sources: list[PersonalData] = []
        sources += [self.sharing.personal_data] if self.sharing is not None else []
        sources += [RecordsData(self.records.store)] if self.records is not None else []
        sources += [QuizData(self.quiz.store)] if self.quiz is not None else []
        sources += [PointsData(self.points.store)] if self.points is not None else []
        sources += [FeedbackData(self.feedback.store)] if self.feedback is not None else []
        return sources

    def chat_removed(self, chat_key: str) -> None:
        if self.sharing is not None:
            self.sharing.store.removed(chat_key)

    def chat_migrated(self, old_key: str, new_key: str) -> None:
        if self.sharing is not None:
            self.sharing.store.move(old_key, new_key)
