"""`roundtable points CHAT [--json]`: every member's contribution points in a chat, and what they come from.

CHAT is read as `roundtable report` reads it (a chat key, or a bare id with --platform). Members are listed by
points, most first; a member with strikes but no points is listed too (an operator wants to see them). --json
prints one object: ``{"chat", "members": [{"rank", "user", "name", "points", "marks", "discounted", "quizzes",
"strikes", "capped"}]}`` (``user``: the member's key; ``name``: as /top shows it, "" when unknown; ``marks``:
helpful marks counted in full; ``discounted``: marks that counted less or not at all; ``capped``: points lost to
the daily cap). A chat with no marks or quizzes at all is an error (exit 1) naming the chats that have some.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from bots.app.cli_brief import ChatArg, PlatformOpt, chat_key
from bots.app.cli_common import JsonOpt, guarded, load_settings, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from advisor.community.points import Standing


def rows(standings: list[Standing], names: dict[str, str]) -> list[dict[str, Any]]:
    order = sorted(standings, key=lambda s: (-s.points, -s.strikes, s.user_key))
    return [{"rank": rank, "user": s.user_key, "name": names.get(s.user_key, ""), "points": s.points,
             "marks": s.marks, "discounted": s.discounted, "quizzes": s.quizzes, "strikes": s.strikes,
             "capped": s.capped} for rank, s in enumerate(order, 1)]


@guarded
def points(chat: ChatArg, platform: PlatformOpt = None, as_json: JsonOpt = False) -> None:
    """A chat's contribution points: helpful marks (full and discounted), quizzes, strikes, per member."""
    from advisor.community.pointstore import PointsStore
    from advisor.db import app_engine
    from bots.chat.modstore import ModerationStore
    from bots.chat.points import PointsCommands

    key = chat_key(chat, platform)
    engine = app_engine(load_settings().sqlalchemy_url)
    store = PointsStore(engine)
    if not store.has_chat(key):
        others = store.chats()
        hint = f" Chats with points: {', '.join(others[:5])}." if others else " No chat has any yet."
        raise UserError(f"No helpful marks or quizzes were ever recorded in {key}.{hint}")
    table = PointsCommands(store, ModerationStore(engine)).table(key)
    listed = rows(list(table.values()), store.names(key))
    if as_json:
        print(json.dumps({"chat": key, "members": listed}, ensure_ascii=False))
        return
    shown = Table(title=f"Contribution points in {escape(key)}")
    for column in ("#", "member", "points", "marks", "discounted", "quizzes", "strikes", "capped"):
        shown.add_column(column, justify="left" if column == "member" else "right")
    for row in listed:
        member = f"{row['name']} ({row['user']})" if row["name"] else row["user"]
        shown.add_row(str(row["rank"]), escape(member), f"{row['points']:g}", str(row["marks"]),
                      str(row["discounted"]), str(row["quizzes"]), str(row["strikes"]), f"{row['capped']:g}")
    out.print(shown)
    out.print("Marks count less from accounts under 24 h old in the chat and inside small circles that mostly "
              "mark each other; one mark a day per pair counts; earnings are capped per day.")
