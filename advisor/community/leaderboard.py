"""The leaderboard: members ranked by their risk-adjusted record, never by followers or volume.

Score = the annualised Sharpe ratio of the record's daily returns (risk-free rate taken as 0, said in the
text), multiplied by n / (n + ``SHRINK_DAYS``): a short lucky streak is pulled toward 0, and it takes about
three months of daily returns for a record to count half its Sharpe. Only members sharing a portfolio now, with
at least ``MIN_DAYS`` daily returns, are ranked; members the chat's moderation flagged for pump or scam
behaviour are never listed (the caller passes them in ``excluded``). Call hit rates are shown only from
``MIN_CALLS`` graded calls: below that a rate says more about luck than skill.

Every figure comes from the stored record (market data), with its period; the text carries the disclaimer.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from advisor.community.records import Summary
from advisor.types import RiskLevel

TRADING_DAYS = 252  # daily figures are annualised with this many trading days a year
SHRINK_DAYS = 63  # about a quarter of trading days: a record this long counts half its Sharpe
MIN_DAYS = 20  # daily returns before a portfolio is ranked
MIN_CALLS = 10  # graded calls before a hit rate is shown
TOP = 10  # entries shown in chat (the CLI may ask for more)
DISCLAIMER = ("Past performance does not guarantee future results. Returns are those of the shared weights, "
              "before costs, not of anyone's real account, and a ranking is not a recommendation to copy anyone. "
              "Not investment advice; you may lose money, including your principal. I am an automated assistant, "
              "not a licensed adviser.")


@dataclass(frozen=True)
class Entry:
    rank: int | None  # None: listed for calls only (not sharing a portfolio now, or too short a history)
    handle: str
    risk: RiskLevel | None
    score: float | None
    sharpe: float | None
    total_return: float | None  # since the record started, a fraction
    benchmark_return: float | None  # the benchmark over the same days
    volatility: float | None  # annualised
    max_drawdown: float | None
    days: int  # daily returns in the record
    since: str | None  # the record's first day, ISO
    calls5: int
    hit_rate5: float | None  # None below MIN_CALLS graded calls
    calls20: int
    hit_rate20: float | None


@dataclass(frozen=True)
class Board:
    chat_key: str
    benchmark: str
    ranked: list[Entry]  # best first
    callers: list[Entry]  # members with enough graded calls but no ranked portfolio
    too_short: int  # members sharing whose history is still under MIN_DAYS
    excluded: int  # members left out for pump or scam flags

    def to_json(self) -> dict[str, Any]:
        return {"chat": self.chat_key, "benchmark": self.benchmark, "ranked": [asdict(e) for e in self.ranked],
                "callers": [asdict(e) for e in self.callers], "not_ranked_yet": self.too_short,
                "excluded_flagged": self.excluded,
                "method": {"score": "annualised Sharpe of daily returns (risk-free 0) x n/(n+k)", "k": SHRINK_DAYS,
                           "min_days": MIN_DAYS, "min_calls": MIN_CALLS},
                "disclaimer": DISCLAIMER}


def _rate(hits: int, calls: int) -> float | None:
    return hits / calls if calls >= MIN_CALLS else None


def _entry(s: Summary, rank: int | None) -> Entry:
    common = dict(handle=s.handle, risk=s.risk, days=s.n, since=s.first_day.isoformat() if s.first_day else None,
                  calls5=s.calls5, hit_rate5=_rate(s.hits5, s.calls5), calls20=s.calls20,
                  hit_rate20=_rate(s.hits20, s.calls20))
    if s.n < 2 or rank is None:
        return Entry(rank, score=None, sharpe=None, total_return=None, benchmark_return=None, volatility=None,
                     max_drawdown=None, **common)  # type: ignore[arg-type]
    sharpe, volatility = sharpe_of(s.n, s.sum_r, s.sum_r2)
    return Entry(rank, score=_shrunk(sharpe, s.n), sharpe=sharpe, total_return=s.level - 1.0,
                 benchmark_return=s.bench_level - 1.0, volatility=volatility, max_drawdown=s.max_drawdown,
                 **common)  # type: ignore[arg-type]


def sharpe_of(n: int, sum_r: float, sum_r2: float) -> tuple[float, float]:
    """(annualised Sharpe with a zero risk-free rate, annualised volatility) from running sums of n returns."""
    mean = sum_r / n
    variance = max(0.0, (sum_r2 - n * mean * mean) / (n - 1))
    daily = math.sqrt(variance)
    return (mean / daily * math.sqrt(TRADING_DAYS) if daily > 1e-12 else 0.0), daily * math.sqrt(TRADING_DAYS)


def build_board(chat_key: str, summaries: Sequence[Summary], excluded: Collection[str], benchmark: str,
                top: int = TOP) -> Board:
    listed = [s for s in summaries if s.user_key not in excluded]
    eligible = [s for s in listed if s.active and s.n >= MIN_DAYS]
    # Only the top entries are sorted fully; every eligible record is scored once.
    best = heapq.nsmallest(top, ((-_score(s), s.handle.casefold(), i) for i, s in enumerate(eligible)))
    ranked = [_entry(eligible[i], rank) for rank, (_, _, i) in enumerate(best, start=1)]
    shown = {eligible[i].user_key for _, _, i in best}
    callers = sorted((s for s in listed if s.user_key not in shown and s.calls5 >= MIN_CALLS
                      and not (s.active and s.n >= MIN_DAYS)),
                     key=lambda s: (-(s.hits5 / s.calls5), -s.calls5, s.handle.casefold()))
    return Board(chat_key, benchmark, ranked, [_entry(s, None) for s in callers[:top]],
                 too_short=sum(1 for s in listed if s.active and s.n < MIN_DAYS),
                 excluded=sum(1 for s in summaries if s.user_key in excluded))


def _score(s: Summary) -> float:
    return _shrunk(sharpe_of(s.n, s.sum_r, s.sum_r2)[0], s.n)


def _shrunk(sharpe: float, n: int) -> float:
    """The score: the Sharpe ratio pulled toward 0 for short records (half of it at ``SHRINK_DAYS`` returns)."""
    return sharpe * n / (n + SHRINK_DAYS)


def _pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def _calls(e: Entry) -> str:
    parts = [f"{label} {_pct(rate, signed=False)} of {n}" for label, rate, n in
             (("5d", e.hit_rate5, e.calls5), ("20d", e.hit_rate20, e.calls20)) if rate is not None]
    return f"calls right after {', '.join(parts)}" if parts else ""


def render_board(board: Board) -> str:
    lines = ["**Leaderboard: track records, not follower counts**",
             f"Ranked by risk-adjusted return (Sharpe ratio of daily returns, risk-free rate 0, shrunk toward 0 "
             f"for histories shorter than a few months). Return since the record began vs {board.benchmark} over "
             "the same days; volatility annualised; max fall from a peak."]
    if not board.ranked:
        lines.append(f"Nobody is ranked yet: a shared portfolio needs {MIN_DAYS} trading days of history.")
    for e in board.ranked:
        calls = _calls(e)
        lines.append(f"{e.rank}. {e.handle} · risk {e.risk or 'unrated'} · score {e.score:.2f} · "
                     f"{_pct(e.total_return)} vs {board.benchmark} {_pct(e.benchmark_return)} since {e.since} "
                     f"({e.days} days) · volatility {_pct(e.volatility, False)} · max fall "
                     f"{_pct(e.max_drawdown, False)}" + (f" · {calls}" if calls else ""))
    if board.callers:
        lines.append(f"**Public calls** (graded after 5 and 20 trading days; shown from {MIN_CALLS} graded calls)")
        lines += [f"• {e.handle} · {_calls(e)}" for e in board.callers]
    if board.too_short:
        lines.append(f"{board.too_short} more shared portfolio(s) have under {MIN_DAYS} trading days of history.")
    if board.excluded:
        lines.append("Members flagged by moderation for pump or scam behaviour are not listed.")
    lines.append(DISCLAIMER)
    return "\n".join(lines)
