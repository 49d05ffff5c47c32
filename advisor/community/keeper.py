"""The daily work behind track records: one point per shared portfolio, and grading public calls.

``RecordKeeper.run(now)`` is what the scheduled job (jobs/records.py) calls once a day after the US close:

1. every shared portfolio (from the sharing store, through the small ``SharedSource`` seam) is valued at each
   symbol's latest close, with ONE batched history request for all their symbols and the benchmark; the day of
   record is the benchmark's latest bar (a holiday adds nothing: that day is already recorded);
2. pending calls are graded: the BASE price is the first close made AFTER the post (a member cannot call a
   move that already happened that session), and the call is right after 5 (20) trading days when the close
   then moved the called way from the base (no move is not right). Trading days are the symbol's own bars.
   A call market data cannot grade within ``VOID_AFTER`` is dropped (a typo'd or delisted symbol).

Market data that fails stops that step only (logged); the next run catches up, as every step is idempotent.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from advisor.community.records import Observation, PendingCall, RecordStore
from advisor.community.types import SharedPortfolio
from advisor.market.data import Bar, MarketData, MarketDataError, PartialMarketDataError
from advisor.market.sessions import close_time

log = logging.getLogger(__name__)

BENCHMARK = "SPY"  # the broad index fund portfolio snapshots compare against (advisor/portfolio/service.py)
LOOKBACK = timedelta(days=10)  # history asked for the daily point: covers a long holiday weekend
HORIZONS = (5, 20)  # trading days after the base close at which a call is graded
VOID_AFTER = timedelta(days=90)  # a call still ungradable after this long is dropped


class SharedSource(Protocol):
    """What the keeper needs from the sharing store (``advisor.community.sharing.ShareStore``)."""

    def all_shared(self) -> Iterable[SharedPortfolio]: ...


@dataclass(frozen=True)
class RunResult:
    day: date | None  # the day of record (None: no benchmark data, nothing recorded)
    points: int  # daily points added
    unpriced: int  # shared portfolios with a symbol market data did not price
    graded: int  # call grades stored (a call graded at 5 and 20 days counts twice)
    dropped: int  # ungradable calls dropped
    errors: tuple[str, ...] = ()


class RecordKeeper:
    def __init__(self, store: RecordStore, source: SharedSource, market: MarketData, benchmark: str = BENCHMARK,
                 closes_at: Callable[[str, date], datetime] = close_time) -> None:
        self.store = store
        self.source = source
        self.market = market
        self.benchmark = benchmark
        self.closes_at = closes_at  # when a symbol's daily bar is complete (tests may pass their own)

    def run(self, now: datetime) -> RunResult:
        errors: list[str] = []
        day, points, unpriced = None, 0, 0
        try:
            day, points, unpriced = self.record_points(now)
        except MarketDataError as exc:
            log.warning("track records: no daily points today (%s)", exc)
            errors.append(str(exc))
        graded, dropped = 0, 0
        try:
            graded, dropped = self.grade_calls(now)
        except MarketDataError as exc:
            log.warning("track records: calls not graded today (%s)", exc)
            errors.append(str(exc))
        log.info("track records for %s: %d point(s), %d unpriced, %d grade(s), %d call(s) dropped", day, points,
                 unpriced, graded, dropped)
        return RunResult(day, points, unpriced, graded, dropped, tuple(errors))

    def record_points(self, now: datetime) -> tuple[date | None, int, int]:
        shared = list(self.source.all_shared())
        self.store.deactivate_missing((p.chat_key, p.user_key) for p in shared)
        symbols = sorted({symbol for p in shared for symbol in p.segment.weights} | {self.benchmark})
        bars = self._bars(symbols, now.date() - LOOKBACK, now)
        closes = day_closes(bars)
        bench = bars.get(self.benchmark)
        if not bench:
            return None, 0, 0
        day = bench[-1].day
        observations, unpriced = [], 0
        for portfolio in shared:
            index = portfolio.segment.level_at(closes)
            if index is None:
                unpriced += 1
                continue
            observations.append(Observation(portfolio.chat_key, portfolio.user_key, portfolio.handle,
                                            portfolio.shared_at, index, closes[self.benchmark], portfolio.risk))
        return day, self.store.record_day(day, observations), unpriced

    def grade_calls(self, now: datetime) -> tuple[int, int]:
        pending = self.store.pending_calls()
        if not pending:
            return 0, 0
        start = min(call.at for _, calls in pending for call in calls).date() - timedelta(days=1)
        bars = self._bars([symbol for symbol, _ in pending], start, now)
        grades: list[tuple[int, int, bool]] = []
        void: list[int] = []
        for symbol, calls in pending:
            series = bars.get(symbol, [])
            for call in calls:
                found = grade(call, series, functools.partial(self.closes_at, symbol))
                grades += [(call.id, horizon, right) for horizon, right in found]
                if not found and now - call.at > VOID_AFTER:
                    void.append(call.id)
        return self.store.grade(grades), self.store.drop_calls(void)

    def _bars(self, symbols: Sequence[str], start: date, now: datetime) -> dict[str, list[Bar]]:
        """Each symbol's complete daily bars up to ``now`` (a bar still being made today is left out)."""
        try:
            histories = self.market.history(symbols, start)
        except PartialMarketDataError as exc:
            log.warning("track records: %d symbol(s) failed (%s)", len(exc.failed), exc)
            histories = exc.found
        return {symbol: [bar for bar in history.bars if self.closes_at(symbol, bar.day) <= now]
                for symbol, history in histories.items()}


def grade(call: PendingCall, bars: Sequence[Bar], closes_at: Callable[[date], datetime]) -> list[tuple[int, bool]]:
    """The grades ``bars`` (one symbol's daily bars, oldest first) allow now: (horizon, right?) for each horizon
    reached and not graded yet."""
    base = next((i for i, bar in enumerate(bars) if closes_at(bar.day) >= call.at), None)
    if base is None:
        return []
    found = []
    for horizon in HORIZONS:
        if horizon == 5 and call.graded5:
            continue
        if base + horizon < len(bars):
            moved = bars[base + horizon].close - bars[base].close
            found.append((horizon, moved * call.direction > 0))
    return found


def day_closes(bars: Mapping[str, Sequence[Bar]]) -> dict[str, float]:
    """Each symbol's latest close (what a portfolio is valued at)."""
    return {symbol: series[-1].close for symbol, series in bars.items() if series}
