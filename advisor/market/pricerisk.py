"""Risk classes from price history: the UCITS SRRI band of a symbol's volatility, mapped to R1-R5.

SRRI asks for the annualised standard deviation of weekly returns over five years; with a shorter history
the window is said out loud ("2.1y of weekly returns"), and under a year there is no reading at all.
Leveraged or inverse funds, options, futures and crypto are R5 whatever their history says.

The window ends at the latest price the source has, not at today's date: the offline sample ends in 2018,
and a csv export may be a week old. Every reading makes one quotes call and one batched history call.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from advisor.market.data import History, MarketData
from advisor.market.symbols import symbol_kind
from advisor.risk import CRYPTO_SYMBOLS, LEVERAGED_SYMBOLS, SRRI_TO_RISK, annualised_volatility, srri_class
from advisor.types import RiskLevel

log = logging.getLogger(__name__)

YEARS = 5
MIN_WEEKLY_RETURNS = 52
OPTION_SYMBOL = re.compile(r"[A-Z]{1,6}\d{6}[CP]\d{8}")  # OCC style: AAPL220121C00025000


@dataclass(frozen=True)
class PriceRiskReading:
    symbol: str
    level: RiskLevel
    srri: int | None  # None when the taxonomy decided (``overridden``)
    volatility: float | None
    window: str  # "5.0y of weekly returns"
    as_of: datetime | None
    source: str
    overridden: str | None = None  # "crypto", "leveraged_etf", "options", "futures"


def override_for(symbol: str) -> str | None:
    """The taxonomy topic that makes ``symbol`` R5 whatever its prices say, if any."""
    kind = symbol_kind(symbol)
    if kind == "crypto" or symbol.split("-")[0] in CRYPTO_SYMBOLS:
        return "crypto"
    if symbol in LEVERAGED_SYMBOLS:
        return "leveraged_etf"
    if OPTION_SYMBOL.fullmatch(symbol):
        return "options"
    return "futures" if kind == "future" else None


def weekly_returns(history: History) -> list[float]:
    """Simple returns between the last closes of consecutive ISO weeks."""
    week_close: dict[tuple[int, int], float] = {}
    for bar in history.bars:
        year, week, _ = bar.day.isocalendar()
        week_close[(year, week)] = bar.close
    closes = [week_close[key] for key in sorted(week_close)]
    return [b / a - 1 for a, b in pairwise(closes) if a > 0]


class PriceRisk:
    MEMO_SIZE = 512
    MEMO_SECONDS = 3600.0  # five years of weekly returns barely move in an hour

    def __init__(self, market: MarketData, clock: Callable[[], float] = time.monotonic) -> None:
        self.market = market
        self.clock = clock
        # Readings by (symbol, window end), kept for MEMO_SECONDS: a /quote of ten symbols would otherwise read
        # and measure five years of bars for every request (~45 ms of CPU).
        self._memo: dict[tuple[str, date], tuple[PriceRiskReading | None, float]] = {}
        self._lock = threading.Lock()
        self._measuring = threading.Lock()

    def readings(self, symbols: Sequence[str]) -> dict[str, PriceRiskReading]:
        """Readings for the symbols that have enough history (or a taxonomy override); others are left out."""
        found: dict[str, PriceRiskReading] = {}
        for symbol in symbols:
            if topic := override_for(symbol):
                found[symbol] = PriceRiskReading(symbol, "R5", None, None, "taxonomy", None, "taxonomy", topic)
        wanted = [s for s in symbols if s not in found]
        quotes = self.market.quotes(wanted) if wanted else {}
        if not quotes:
            return found
        end = max(q.as_of for q in quotes.values()).date()
        memo = self._remembered(list(quotes), end)
        if len(memo) < len(quotes):
            with self._measuring:  # a burst of identical requests measures once; the rest find it remembered
                memo = self._remembered(list(quotes), end)
                todo = [s for s in quotes if s not in memo]
                if todo:
                    histories = self.market.history(todo, end - timedelta(days=round(365.25 * YEARS) + 7), end)
                    measured = {s: measure(histories[s]) if s in histories else None for s in todo}
                    now = self.clock()
                    with self._lock:
                        if len(self._memo) + len(measured) > self.MEMO_SIZE:
                            self._memo.clear()
                        self._memo.update({(s, end): (reading, now) for s, reading in measured.items()})
                    memo.update(measured)
        found.update({s: reading for s, reading in memo.items() if reading is not None})
        return found

    def _remembered(self, symbols: list[str], end: date) -> dict[str, PriceRiskReading | None]:
        now = self.clock()
        with self._lock:
            hits = {s: self._memo.get((s, end)) for s in symbols}
        return {s: hit[0] for s, hit in hits.items() if hit is not None and now - hit[1] < self.MEMO_SECONDS}


def measure(history: History) -> PriceRiskReading | None:
    """The SRRI reading of one history, or None when it has fewer than a year of weekly returns."""
    returns = weekly_returns(history)
    if len(returns) < MIN_WEEKLY_RETURNS:
        log.debug("%s: %d weekly returns, too few for an SRRI reading", history.symbol, len(returns))
        return None
    volatility = annualised_volatility(returns, 52)
    srri = srri_class(volatility)
    years = (history.bars[-1].day - history.bars[0].day).days / 365.25
    return PriceRiskReading(history.symbol, SRRI_TO_RISK[srri], srri, volatility,
                            f"{min(years, YEARS):.1f}y of weekly returns", history.as_of, history.source)
