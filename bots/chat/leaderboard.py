"""Track records in the chat core: public calls noticed in group posts, and /leaderboard.

The router passes every group post that moderation let stand to ``observe`` (a held or deleted post is not a
call); the daily job (jobs/records.py) values shared portfolios and grades calls; /leaderboard reads one
summary row per member.

Who is left out: members with a pump or scam decision in THIS chat's moderation log (a warning, hold, deletion,
mute or rejection) that an admin did not overturn by approving the post. The log outlives /forget, so a flagged
member cannot get back on the board by erasing their data.

/forget and track records (``RecordsData``): a record is erased, not kept under a pseudonym. Its only use is
showing it to the group under the member's handle; a pseudonymous record could not be shown, would still be
derived from their holdings (the shared weights) and their posts, and would keep a link the member asked us to
cut. Erasing lets a member drop a poor record, but they start again with no record at all (unranked for
``MIN_DAYS``, shrunk for months), and the moderation flags that keep pumpers off the board stay.
"""

from __future__ import annotations

import logging
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine

from advisor.community.calls import detect_call
from advisor.community.keeper import BENCHMARK
from advisor.community.leaderboard import Board, build_board, render_board
from advisor.community.records import RecordStore
from bots.chat.messages import Incoming, Outgoing
from bots.chat.modstore import LogRow, ModerationStore
from bots.chat.points import handle_of
from bots.chat.privacy import Stored

log = logging.getLogger(__name__)

FLAG_CATEGORIES = ("pump", "scam")  # advisor.moderation.types PUMP and SCAM
FLAG_KINDS = ("warn", "hold", "delete", "mute", "reject")  # the bot's or an admin's decision against a post


def flagged_members(engine: Engine, chat_key: str, moderation: ModerationStore | None = None) -> set[str]:
    """Members of ``chat_key`` with a pump or scam decision not overturned by an admin's approval (the
    moderation log's table must exist: ``LeaderboardCommands`` makes sure of it once)."""
    if moderation is not None:
        moderation.flush()  # the bot's verdicts are buffered for up to a second
    where = (LogRow.chat_key == chat_key) & (LogRow.categories.like("%pump%") | LogRow.categories.like("%scam%"))
    with engine.connect() as connection:
        rows = connection.execute(select(LogRow.user_key, LogRow.kind, LogRow.message_id, LogRow.categories)
                                  .where(where)).all()
    approved = {(user, message) for user, kind, message, _ in rows if kind == "approve"}
    return {user for user, kind, message, categories in rows
            if kind in FLAG_KINDS and set(categories.split(",")) & set(FLAG_CATEGORIES)
            and (user, message) not in approved}


class LeaderboardCommands:
    def __init__(self, store: RecordStore, moderation: ModerationStore | None = None,
                 benchmark: str = BENCHMARK) -> None:
        self.store = store
        self.moderation = moderation
        self.benchmark = benchmark
        # Once, not per /leaderboard: a database without moderation has no log yet, and an empty one flags nobody.
        cast(Table, LogRow.__table__).create(store.engine, checkfirst=True)

    def observe(self, msg: Incoming) -> None:
        """A group post moderation let stand: record it when it is a public call. Never raises (the chat goes
        on when the record store is down)."""
        if msg.chat_kind != "group" or msg.edited or msg.action or msg.reaction or msg.text.startswith("/"):
            return
        try:
            call = detect_call(msg.text)
            if call is not None and self.store.add_call(msg.chat_key, msg.user_key, handle_of(msg), call,
                                                        msg.received_at):
                log.info("public call recorded in %s (%s)", msg.chat_key, call.symbol)
        except Exception:
            log.exception("could not record a call in %s", msg.chat_key)

    def board(self, chat_key: str, top: int = 10) -> Board:
        excluded = flagged_members(self.store.engine, chat_key, self.moderation)
        return build_board(chat_key, self.store.summaries(chat_key), excluded, self.benchmark, top)

    def leaderboard(self, msg: Incoming, _: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing("The leaderboard belongs to a group: send /leaderboard there.")]
        return [Outgoing(render_board(self.board(msg.chat_key)))]


class RecordsData:
    """/privacy and /forget for track records (see the module docstring for why /forget erases them)."""

    def __init__(self, store: RecordStore) -> None:
        self.store = store

    def describe(self, user_key: str) -> Stored:
        records, points, calls = self.store.member_counts(user_key)
        if not records and not points and not calls:
            return Stored()
        return Stored([f"Track record in {records} group(s): {points} daily value(s) of your shared portfolio's "
                       f"index and {calls} public call(s) you posted (symbol, direction, time, and whether it was "
                       "right), shown on the group's /leaderboard under your handle."])

    def erase(self, user_key: str) -> int:
        return self.store.forget_member(user_key)
