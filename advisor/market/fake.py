"""An in-memory ``MarketData`` for tests and benchmarks: known series, call counting, outages and delays."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from advisor.market.data import Bar, History, MarketDataUnavailableError, Quote, SymbolInfo


def weekdays(count: int, start: date) -> list[date]:
    """The first ``count`` weekdays from ``start`` (inclusive), oldest first."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def daily_bars(closes: Sequence[float], end: date, *, weekdays_only: bool = True) -> tuple[Bar, ...]:
    """Bars for ``closes`` ending on ``end`` (oldest first), one per weekday (or per day)."""
    days: list[date] = []
    day = end
    while len(days) < len(closes):
        if not weekdays_only or day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return tuple(Bar(d, c) for d, c in zip(reversed(days), closes, strict=True))


class FakeMarketData:
    """Serves the series it was given. ``calls`` counts requests per method; ``fail`` makes every request
    raise ``MarketDataUnavailableError`` (an outage); ``delay`` sleeps in each request (a slow network)."""

    def __init__(self, series: Mapping[str, Sequence[Bar]], infos: Mapping[str, SymbolInfo] | None = None,
                 source: str = "fake") -> None:
        self.series = {symbol: tuple(bars) for symbol, bars in series.items()}
        self.infos = dict(infos or {})
        self.source = source
        self.calls: dict[str, int] = {"quotes": 0, "history": 0, "lookup": 0}
        self.requested: list[tuple[str, tuple[str, ...]]] = []
        self.fail = False
        self.delay = 0.0
        self._lock = threading.Lock()

    def info(self, symbol: str) -> SymbolInfo:
        return self.infos.get(symbol) or SymbolInfo(symbol, symbol)

    def _request(self, method: str, symbols: Sequence[str]) -> None:
        with self._lock:
            self.calls[method] += 1
            self.requested.append((method, tuple(symbols)))
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise MarketDataUnavailableError(self.source, "simulated outage")

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        self._request("quotes", symbols)
        found: dict[str, Quote] = {}
        for symbol in symbols:
            bars = self.series.get(symbol)
            if not bars:
                continue
            last, previous = bars[-1], bars[-2] if len(bars) > 1 else None
            info = self.info(symbol)
            found[symbol] = Quote(symbol, info.name, last.close, previous.close if previous else None, last.low,
                                  last.high, info.currency, _close_time(last.day), self.source)
        return found

    def history(self, symbols: Sequence[str], start: date, end: date | None = None) -> dict[str, History]:
        self._request("history", symbols)
        found: dict[str, History] = {}
        for symbol in symbols:
            bars = tuple(b for b in self.series.get(symbol, ()) if b.day >= start and (end is None or b.day <= end))
            if bars:
                found[symbol] = History(symbol, self.info(symbol).currency, bars, self.source,
                                        _close_time(bars[-1].day))
        return found

    def lookup(self, query: str, limit: int = 5) -> list[SymbolInfo]:
        self._request("lookup", [query])
        needle = query.casefold()
        infos = [self.info(s) for s in self.series]
        return [i for i in infos if needle in i.symbol.casefold() or needle in i.name.casefold()][:limit]


def _close_time(day: date) -> datetime:
    return datetime.combine(day, clock_time(21, 0), tzinfo=UTC)  # 16:00 New York, roughly
