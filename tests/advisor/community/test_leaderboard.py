"""The leaderboard ranks records by risk-adjusted return with shrinkage, shows risk and the disclaimer, hides hit
rates below the minimum sample and leaves flagged members out."""

from __future__ import annotations

import math
from datetime import date

from advisor.community.leaderboard import DISCLAIMER, MIN_CALLS, MIN_DAYS, build_board, render_board, sharpe_of
from advisor.community.records import Summary
from advisor.types import RiskLevel

CHAT = "telegram:-100"


def record(user: str, returns: list[float], *, risk: RiskLevel | None = "R3", active: bool = True, calls: int = 0,
           hits: int = 0) -> Summary:
    level = math.prod(1 + r for r in returns)
    return Summary(CHAT, f"telegram:{user}", f"@{user}", active, risk, date(2026, 1, 5) if returns else None,
                   date(2026, 6, 1) if returns else None, level, len(returns), sum(returns),
                   sum(r * r for r in returns), 0.05, 1.03, calls, hits, 0, 0)


STEADY = [0.001 + 0.004 * (-1) ** i for i in range(200)]  # small gains, modest swings, a long history
LUCKY = [0.01 + 0.03 * (-1) ** i for i in range(25)]  # a short run of big, wild gains


def test_a_short_lucky_streak_is_shrunk_below_a_long_steady_record() -> None:
    steady, lucky = record("steady", STEADY), record("lucky", LUCKY)
    raw_steady, _ = sharpe_of(steady.n, steady.sum_r, steady.sum_r2)
    raw_lucky, _ = sharpe_of(lucky.n, lucky.sum_r, lucky.sum_r2)
    assert raw_lucky > raw_steady  # unshrunk, the streak would win
    board = build_board(CHAT, [lucky, steady], excluded=set(), benchmark="SPY")
    assert [e.handle for e in board.ranked] == ["@steady", "@lucky"]
    assert board.ranked[0].score is not None and board.ranked[0].score < raw_steady


def test_each_entry_shows_risk_return_volatility_drawdown_and_the_disclaimer() -> None:
    board = build_board(CHAT, [record("amy", STEADY, risk="R4")], excluded=set(), benchmark="SPY")
    text = render_board(board)
    line = text.splitlines()[2]
    assert line.startswith("1. @amy · risk R4 · score ")
    assert "vs SPY +3.0% since 2026-01-05 (200 days)" in line and "max fall 5.0%" in line
    assert "volatility 6.4%" in line  # 0.4% a day, annualised
    assert DISCLAIMER in text and "Past performance does not guarantee future results" in text


def test_short_histories_and_members_not_sharing_are_not_ranked() -> None:
    board = build_board(CHAT, [record("new", STEADY[:MIN_DAYS - 1]), record("gone", STEADY, active=False)],
                        excluded=set(), benchmark="SPY")
    assert board.ranked == [] and board.too_short == 1
    assert f"needs {MIN_DAYS} trading days" in render_board(board)


def test_hit_rates_appear_only_from_the_minimum_sample() -> None:
    few = record("few", STEADY, calls=MIN_CALLS - 1, hits=MIN_CALLS - 1)
    enough = record("enough", STEADY, calls=MIN_CALLS, hits=7)
    caller = record("caller", [], active=False, calls=12, hits=9)
    board = build_board(CHAT, [few, enough, caller], excluded=set(), benchmark="SPY")
    by_handle = {e.handle: e for e in board.ranked + board.callers}
    assert by_handle["@few"].hit_rate5 is None
    assert by_handle["@enough"].hit_rate5 == 0.7
    assert [e.handle for e in board.callers] == ["@caller"] and by_handle["@caller"].rank is None
    text = render_board(board)
    assert "calls right after 5d 70.0% of 10" in text and "• @caller · calls right after 5d 75.0% of 12" in text
    assert "@few" in text and "of 9" not in text


def test_flagged_members_are_left_out_and_the_board_says_so() -> None:
    board = build_board(CHAT, [record("pumper", LUCKY * 4), record("amy", STEADY)], excluded={"telegram:pumper"},
                        benchmark="SPY")
    assert [e.handle for e in board.ranked] == ["@amy"] and board.excluded == 1
    text = render_board(board)
    assert "@pumper" not in text and "pump or scam" in text
    assert board.to_json()["excluded_flagged"] == 1
