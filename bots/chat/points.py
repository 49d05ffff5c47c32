"""Contribution points in the chat core: helpful marks (a reaction, a reply "/helpful" or "+1"), /points, /top,
and the hook the quiz calls when a member completes one. The counting rules are in ``advisor.community.points``.

Marks are quiet: a reaction gets no reply (the group would drown in thanks), a "/helpful" gets a one-line
acknowledgement. Points are shown to the group only as /top's short list of names; why a mark counted less is
explained to the member who asks with /points, never about someone else.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from advisor.community import points as rules
from advisor.community.points import Mark, Standing, earnings, is_new_giver, ranked, with_strikes
from advisor.community.pointstore import PointsStore
from bots.chat.messages import Incoming, Outgoing
from bots.chat.privacy import Stored

if TYPE_CHECKING:
    from bots.chat.modstore import ModerationStore

log = logging.getLogger(__name__)

# Reactions that mean "this helped" (others, such as 😂 or 👎, are ignored). Telegram and Discord send the emoji
# itself; a heart may come with or without its variation selector.
HELPFUL_REACTIONS = frozenset({"👍", "❤", "❤️", "🔥", "🙏", "👏", "💯", "⭐", "🌟"})
TOP_SHOWN = 10
# A chat's table is recounted from all its marks (about 1 s per 30,000 marks on a busy 2-core machine), so /top
# and /points reuse it for this long; a mark or quiz recorded by this instance recounts at the next read, one
# recorded by another instance shows up within this.
TABLE_TTL = 60.0
HOW = (f"A post marked helpful by another member earns {rules.HELPFUL:g} points (a reaction such as 👍, or "
       f"replying /helpful), a completed quiz {rules.QUIZ:g}; a moderation strike takes {rules.STRIKE:g}. At most "
       f"{rules.DAILY_CAP:g} a day, one mark a day from each member counts, and marks from new accounts (at "
       f"{rules.NEW_WEIGHT:.0%}) or from a small circle that mostly marks itself (at {rules.CIRCLE_WEIGHT:.0%}) "
       "count less.")


def handle_of(msg: Incoming) -> str:
    """How the group names the member: their @handle, else their display name."""
    return f"@{msg.username}" if msg.username else msg.display_name


class PointsCommands:
    def __init__(self, store: PointsStore, moderation: ModerationStore | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.moderation = moderation  # join times (new accounts) and strikes; None: neither is known
        self.clock = clock
        self._lock = threading.Lock()
        self._tables: OrderedDict[str, tuple[dict[str, Standing], int, float]] = OrderedDict()

    # -- what the router passes on ------------------------------------------------------------------------

    def observe(self, msg: Incoming) -> list[Outgoing]:
        """A group post that passed moderation: remember its author (for reactions); a reply "+1" is a mark."""
        if msg.chat_kind != "group" or msg.edited:
            return []
        try:
            if msg.message_id:
                self.store.posted(msg.chat_key, msg.message_id, msg.user_key, handle_of(msg), msg.received_at)
            if msg.text.strip().lower() == "+1" and msg.reply_to_user_id and not msg.reply_to_bot:
                self._mark_reply(msg)
        except Exception:  # points must never stop the chat
            log.exception("could not record a post for points in %s", msg.chat_key)
        return []

    def reaction(self, msg: Incoming) -> list[Outgoing]:
        """A reaction on a group post: a helpful one marks the post's author. Never answered."""
        if msg.chat_kind != "group" or msg.reaction not in HELPFUL_REACTIONS or not msg.message_id:
            return []
        try:
            # Only posts the bot saw count, even when the platform names the author (Discord): the bot's own
            # answers, posts older than a week and posts from before the bot joined credit nobody.
            author = self.store.author(msg.chat_key, msg.message_id, msg.received_at)
            if author is not None:
                self._mark(msg, author[0], author[1], msg.message_id)
        except Exception:
            log.exception("could not record a reaction for points in %s", msg.chat_key)
        return []

    def quiz_completed(self, chat_key: str, user_key: str, at: datetime | None = None) -> None:
        """The quiz's hook: the member completed a quiz in the chat. Points are a group's: a quiz in a private
        chat (whose key is the member's own) earns none."""
        if chat_key == user_key:
            return
        try:
            self.store.quiz_completed(chat_key, user_key, at or datetime.now(UTC))
        except Exception:
            log.exception("could not record a completed quiz for points in %s", chat_key)

    # -- commands -----------------------------------------------------------------------------------------

    def helpful(self, msg: Incoming, args: str) -> list[Outgoing]:
        """/helpful, sent as a reply to a member's post."""
        if msg.chat_kind != "group":
            return [Outgoing("Use /helpful in a group, as a reply to the post that helped you.")]
        if not msg.reply_to_user_id:
            return [Outgoing("Reply to the post that helped you with /helpful (or react to it with 👍).")]
        if msg.reply_to_bot:
            return [Outgoing("Thanks! To rate my answers, use the 👍/👎 buttons under them; /helpful is for "
                             "members' posts.")]
        if msg.reply_to_user_id == msg.user_id:
            return [Outgoing("Marks from yourself don't count; thanks for helping, though.")]
        counted = self._mark_reply(msg)
        return [Outgoing("Marked as helpful, thank you." if counted else "You already marked that post.")]

    def points(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing("Points are counted per group: send /points in the group you want to know about.")]
        table = self.table(msg.chat_key)
        mine = table.get(msg.user_key) or Standing(msg.user_key, 0.0)
        self._name(msg.chat_key, msg.user_key, handle_of(msg))
        place = next((n for n, s in enumerate(ranked(table), 1) if s.user_key == msg.user_key), None)
        lines = [f"**Your points here: {mine.points:g}**" + (f" (#{place} in this chat)" if place else "")]
        lines.append(f"{mine.marks} helpful mark(s) counted in full, {mine.discounted} counted less, "
                     f"{mine.quizzes} quiz(zes) completed, {mine.strikes} moderation strike(s)"
                     + (f"; {mine.capped:g} point(s) over the daily cap" if mine.capped else "") + ".")
        lines.append(HOW)
        return [Outgoing("\n".join(lines), private=True,
                         private_fallback="I sent your points privately: open a chat with me to see them.")]

    def top(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing("/top lists a group's most helpful members: send it in the group.")]
        leaders = ranked(self.table(msg.chat_key), TOP_SHOWN)
        if not leaders:
            return [Outgoing("Nobody has points here yet. React with 👍 to a post that helped you, or reply "
                             "/helpful to it.")]
        names = self.store.names(msg.chat_key)
        lines = ["**This chat's helpers**"]
        lines += [f"{n}. {names.get(s.user_key) or 'a member'}: {s.points:g}" for n, s in enumerate(leaders, 1)]
        lines += ["", "Points thank members whom others found helpful; they say nothing about anyone's "
                  "investment skill, and none of this is investment advice. /points shows how they count."]
        return [Outgoing("\n".join(lines))]

    def table(self, chat_key: str) -> dict[str, Standing]:
        """Every member's standing in the chat. Earnings are recounted when this instance's store changed, or
        after ``TABLE_TTL`` seconds (another instance's marks); strikes are read every time."""
        changes = self.store.changes
        with self._lock:
            cached = self._tables.get(chat_key)
        if cached is not None and cached[1] == changes and self.clock() - cached[2] < TABLE_TTL:
            earned = cached[0]
        else:
            earned = earnings(self.store.marks(chat_key), self.store.quizzes(chat_key))
            with self._lock:
                self._tables[chat_key] = (earned, changes, self.clock())
                self._tables.move_to_end(chat_key)
                if len(self._tables) > 1000:
                    self._tables.popitem(last=False)
        return with_strikes(earned, self.strikes(chat_key))

    def strikes(self, chat_key: str) -> dict[str, int]:
        """Each member's moderation strikes in the chat, all time (warnings and rejected posts): points, unlike the
        warn ladder, never forget them."""
        return self.moderation.strikes_by_member(chat_key) if self.moderation is not None else {}

    # -- marks --------------------------------------------------------------------------------------------

    def _mark_reply(self, msg: Incoming) -> bool:
        receiver = f"{msg.platform}:{msg.reply_to_user_id}"
        name = ""
        if msg.reply_to_message_id:
            author = self.store.author(msg.chat_key, msg.reply_to_message_id, msg.received_at)
            name = author[1] if author is not None and author[0] == receiver else ""
        # Without the post's id, the reply itself stands for it: one mark per reply.
        return self._mark(msg, receiver, name, msg.reply_to_message_id or f"reply:{msg.message_id}")

    def _mark(self, msg: Incoming, receiver: str, name: str, message_id: str) -> bool:
        joined = msg.joined_at
        if joined is None and self.moderation is not None:
            joined = self.moderation.joined_at(msg.chat_key, msg.user_key, msg.received_at)
        mark = Mark(msg.user_key, receiver, message_id, msg.received_at, is_new_giver(joined, msg.received_at))
        counted = self.store.mark(msg.chat_key, mark)
        if counted:
            self._name(msg.chat_key, receiver, name)
        return counted

    def _name(self, chat_key: str, user_key: str, name: str) -> None:
        try:
            self.store.name(chat_key, user_key, name)
        except Exception:
            log.exception("could not store a member's name for /top in %s", chat_key)


@dataclass
class PointsData:
    """/privacy and /forget for contribution points. /forget erases all of it, marks the member GAVE included
    (they say whom the member found helpful), so members they marked lose those points. Moderation strikes are
    the moderation log's and stay (see ``ModerationData``): points lost to strikes do not come back."""

    store: PointsStore

    def describe(self, user_key: str) -> Stored:
        held = self.store.member(user_key)
        stored = Stored()
        if held.received or held.quizzes:
            stored.lines.append(f"Contribution points in {held.chats} chat(s): {held.received} helpful mark(s) "
                                f"received and {held.quizzes} completed quiz(zes), with when.")
        if held.given:
            stored.lines.append(f"{held.given} helpful mark(s) you gave other members (whom, which post, when); "
                                "/forget deletes them, and the points they gave.")
        if held.posts:
            stored.lines.append(f"Which {held.posts} recent group post(s) are yours (ids and your name, never the "
                                "text), for a week, so reactions to them can be credited.")
        return stored

    def erase(self, user_key: str) -> int:
        return self.store.forget(user_key)
