"""`roundtable leaderboard CHAT [--json]`: a chat's track-record leaderboard, as /leaderboard shows it.

CHAT is read as `roundtable report` reads it (a chat key, or a bare id with --platform). --json prints
``Board.to_json()``: {"chat", "benchmark", "ranked": [entry...], "callers": [entry...], "not_ranked_yet",
"excluded_flagged", "method", "disclaimer"}, where an entry is {"rank", "handle", "risk", "score", "sharpe",
"total_return", "benchmark_return", "volatility", "max_drawdown", "days", "since", "calls5", "hit_rate5",
"calls20", "hit_rate20"} (fractions, not percentages; a hit rate is null below the minimum sample). Members
flagged for pump or scam behaviour in the chat are left out here too. Reads the database only: no market data.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from bots.app.cli_brief import ChatArg, PlatformOpt, chat_key
from bots.app.cli_common import JsonOpt, guarded, load_settings, out
from bots.app.cli_report import REPORT_CONTEXT
from knowledge.errors import UserError

LEADERBOARD_CONTEXT = REPORT_CONTEXT  # Telegram group ids are negative: "-100123" is an argument


@guarded
def leaderboard(
    chat: ChatArg,
    platform: PlatformOpt = None,
    as_json: JsonOpt = False,
    top: Annotated[int, typer.Option(min=1, max=1000, help="How many ranked entries to show.")] = 10,
) -> None:
    """A chat's members ranked by risk-adjusted track record (not by followers), with the disclaimer."""
    from advisor.community.records import RecordStore
    from advisor.db import app_engine
    from bots.chat.leaderboard import LeaderboardCommands

    key = chat_key(chat, platform)
    engine = app_engine(load_settings().sqlalchemy_url)
    store = RecordStore(engine)
    if not store.has_chat(key):  # nothing at all, rather than an empty board: most likely a mistyped chat id
        raise UserError(f"No track records in {key} yet: none is kept until a member shares a portfolio there "
                        "(/portfolio share) or posts a call, and the daily job has run after the US close.")
    board = LeaderboardCommands(store).board(key, top)
    if as_json:
        print(json.dumps(board.to_json(), ensure_ascii=False))
        return
    from advisor.community.leaderboard import render_board

    out.print(escape(render_board(board).replace("**", "")))
