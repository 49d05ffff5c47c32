"""Yahoo Finance through yfinance 1.7: quotes and daily bars from the chart endpoint, lookup from search.

Not ``yf.download``/``fast_info`` (yfinance 1.7.0 multi.py, base.py, scrapers/): ``download`` turns every per-ticker
exception into an empty column, so an outage looks like an unknown symbol; its frame has no currency; start/end
costs an extra timezone request per ticker; ``fast_info`` costs 2-3 requests per symbol. We send our requests
through yfinance's HTTP layer (``yfinance.data.YfData``: the browser-like curl_cffi session, cookie, crumb and
consent handling that all of yfinance's own requests use) and read the JSON ourselves: one chart request per symbol
gives the bars and the currency, name and market time.

Decisions:
- ``Bar.close`` is the adjusted close (splits and dividends, like a csv ``Adj Close``); open/high/low are scaled by
  the same factor (yfinance's ``auto_adjust=True``). Volumes are as reported.
- Minor-unit prices (GBp, ZAc, ILA) become major-unit ones (GBP, ZAR, ILS): FX needs only the ordinary pairs.
- HTTP 404/400 (Yahoo's "No data found") leaves the symbol out. No answer, other HTTP errors or a body that is not
  JSON are retried with exponential backoff, then raise ``MarketDataUnavailableError``; nothing from curl_cffi,
  requests or yfinance escapes.
- A call waits at most ``deadline`` seconds. The work runs in daemon threads that are abandoned, not killed, at the
  deadline (yfinance's cookie and crumb requests have a fixed 30 s timeout; a dropped network holds them longer).
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote as url_quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay, wait_exponential

from advisor.market.data import (
    Bar,
    History,
    MarketDataUnavailableError,
    PartialMarketDataError,
    Quote,
    SymbolInfo,
    SymbolKind,
    major_currency,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_Json = dict[str, Any]

CHART_URL = "https://query2.finance.yahoo.com/v8/finance/chart/{symbol}"
SEARCH_URL = "https://query2.finance.yahoo.com/v1/finance/search"
_THREAD_PREFIX = "roundtable-yahoo"

_KINDS: dict[str, SymbolKind] = {"EQUITY": "equity", "ETF": "etf", "INDEX": "index", "CRYPTOCURRENCY": "crypto",
                                 "CURRENCY": "fx", "FUTURE": "future", "MUTUALFUND": "fund"}


class _Transient(Exception):
    """Worth asking again: no answer, a server error, rate limiting, a body that is not JSON."""


class _QuietWorkers(logging.Filter):
    """yfinance logs expected conditions (a cookie fallback in an outage) at WARNING/ERROR and we report the outcome
    ourselves: its records from *our* threads become DEBUG, kept only if its logger is at DEBUG. Others untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG or not (record.threadName or "").startswith(_THREAD_PREFIX):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger("yfinance").isEnabledFor(logging.DEBUG)


class YahooMarketData:
    """``MarketData`` from Yahoo Finance. ``session``: a ``requests.Session`` or ``curl_cffi`` session (tests pass
    one that rewrites URLs to a local fake); None keeps yfinance's own browser-like one. yfinance keeps one session,
    cookie and crumb per process (``YfData`` is a singleton) and its cache location is process-wide: make one
    ``YahooMarketData`` per process."""

    source = "yahoo"

    def __init__(self, session: object | None = None, deadline: float = 20.0, retries: int = 2,
                 cache_dir: Path | None = None, *, workers: int = 4, backoff: float = 0.5) -> None:
        self.session, self.deadline, self.retries, self.workers, self.backoff = (session, deadline, retries,
                                                                                 max(1, workers), backoff)
        self.cache_dir = cache_dir
        self._prepared = False
        self._preparing = threading.Lock()

    def _prepare(self) -> None:
        """yfinance takes ~0.8 s to import: it is loaded on the first request, not while the bots start."""
        with self._preparing:
            if self._prepared:
                return
            import yfinance

            # yfinance keeps its cookie and timezone caches in sqlite files; keep them out of the user's home cache.
            self.cache_dir = self.cache_dir or Path(tempfile.mkdtemp(prefix="roundtable-yfinance-"))
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            yfinance.set_tz_cache_location(str(self.cache_dir))
            yf_logger = logging.getLogger("yfinance")
            if not any(isinstance(f, _QuietWorkers) for f in yf_logger.filters):
                yf_logger.addFilter(_QuietWorkers())
            self._prepared = True

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        # Two weeks by date, not range=1d: some funds' validRanges lack 1d (WSKT.JK's recording), and the bars give
        # the previous close across a week-long holiday.
        now = int(time.time())
        params: dict[str, str | int] = {"period1": now - 14 * 86400, "period2": now, "interval": "1d"}

        def one(symbol: str, deadline_at: float) -> Quote | None:
            payload = self._fetch(CHART_URL.format(symbol=url_quote(symbol, safe="")), params, deadline_at)
            return None if payload is None else quote_from_chart(symbol, payload, self.source)

        return self._gather("quotes", symbols, one)

    def history(self, symbols: Sequence[str], start: date, end: date | None = None) -> dict[str, History]:
        now = int(time.time())
        if (end is not None and start > end) or _midnight(start) > now:
            return {}
        until = now if end is None else min(now, _midnight(end + timedelta(days=2)))
        # A day either side in UTC covers every exchange's timezone; bars are then cut by their exchange-local date.
        params: dict[str, str | int] = {"period1": _midnight(start - timedelta(days=1)), "period2": until,
                                        "interval": "1d", "includePrePost": "false"}

        def one(symbol: str, deadline_at: float) -> History | None:
            payload = self._fetch(CHART_URL.format(symbol=url_quote(symbol, safe="")), params, deadline_at)
            return None if payload is None else history_from_chart(symbol, payload, start, end or date.max, self.source)

        return self._gather("history", symbols, one)

    def lookup(self, query: str, limit: int = 5) -> list[SymbolInfo]:
        query = query.strip()
        if not query or limit <= 0:
            return []
        # Options are dropped from the answer, so ask for more than we keep; fuzzy matching finds misspellings.
        params: dict[str, str | int] = {"q": query, "quotesCount": limit * 2, "newsCount": 0, "listsCount": 0,
                                        "enableFuzzyQuery": "true", "quotesQueryId": "tss_match_phrase_query"}
        try:
            found = self._gather("lookup", [query], lambda _, deadline_at: self._fetch(SEARCH_URL, params, deadline_at))
        except MarketDataUnavailableError as error:
            log.debug("yahoo lookup %r failed: %s", query, error)
            return []
        return symbol_infos(found[query], limit) if query in found else []

    def _gather(self, what: str, symbols: Sequence[str], fetch: Callable[[str, float], _T | None]) -> dict[str, _T]:
        """Run ``fetch(symbol, deadline_at)`` for each symbol in a few daemon threads and wait until the deadline.
        None means Yahoo does not know the symbol; a symbol that failed or never finished raises."""
        unique = list(dict.fromkeys(symbols))
        if not unique:
            return {}
        deadline_at = time.monotonic() + self.deadline
        lock = threading.Lock()
        queue = list(reversed(unique))
        outcomes: dict[str, tuple[_T | None, str]] = {}  # symbol -> (value, why it failed)

        def work() -> None:
            while True:
                with lock:
                    if not queue or time.monotonic() >= deadline_at:
                        return
                    symbol = queue.pop()
                try:
                    outcome: tuple[_T | None, str] = (fetch(symbol, deadline_at), "")
                except _Transient as error:
                    outcome = (None, str(error))
                except Exception as error:  # an answer we could not read: report it, never crash the thread
                    log.debug("yahoo %s %s: unreadable answer", what, symbol, exc_info=True)
                    outcome = (None, f"an answer we could not read ({type(error).__name__})")
                with lock:
                    outcomes[symbol] = outcome

        threads = [threading.Thread(target=work, name=f"{_THREAD_PREFIX}-{what}-{n}", daemon=True)
                   for n in range(min(self.workers, len(unique)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline_at - time.monotonic()))
        with lock:
            done = dict(outcomes)
        result = {symbol: value for symbol, (value, _) in done.items() if value is not None}
        failed = {s: done[s][1] if s in done else f"no answer within {self.deadline:g} s" for s in unique
                  if s not in done or done[s][1]}
        if not failed:
            return result
        reason = next(iter(failed.values()))
        log.debug("yahoo %s: %d of %d symbols failed (%s)", what, len(failed), len(unique), failed)
        if result:
            raise PartialMarketDataError(self.source, reason, result, list(failed))
        raise MarketDataUnavailableError(self.source, reason)

    def _fetch(self, url: str, params: Mapping[str, str | int], deadline_at: float) -> _Json | None:
        # No retry whose wait would end past the call's deadline.
        time_left = max(0.0, deadline_at - time.monotonic())
        retrying = Retrying(stop=stop_after_attempt(self.retries + 1) | stop_before_delay(time_left),
                            wait=wait_exponential(multiplier=self.backoff, max=8.0),
                            retry=retry_if_exception_type(_Transient), reraise=True)
        return retrying(self._get_json, url, params, deadline_at)

    def _get_json(self, url: str, params: Mapping[str, str | int], deadline_at: float) -> _Json | None:
        """One GET through yfinance's shared session. None when Yahoo says it has no such symbol."""
        self._prepare()
        timeout = max(1.0, deadline_at - time.monotonic())
        try:
            from yfinance.data import YfData

            yahoo = YfData() if self.session is None else YfData(session=self.session)
            response = yahoo.get(url, params=dict(params), timeout=timeout)
            status, body = int(response.status_code), bytes(response.content)
        except Exception as error:  # curl_cffi, requests and yfinance errors alike: the request did not complete
            log.debug("yahoo GET %s failed: %r", url, error)
            raise _Transient("Yahoo could not be reached") from None
        if status in (400, 404):
            log.debug("yahoo GET %s: HTTP %d (no such symbol)", url, status)
            return None
        if status >= 300:
            raise _Transient(f"Yahoo answered HTTP {status}")
        try:
            payload = json.loads(body)
        except ValueError:
            raise _Transient("Yahoo sent a page instead of data") from None
        if not isinstance(payload, dict):
            raise _Transient("Yahoo sent an unexpected answer")
        return payload


# Reading Yahoo's JSON: every value is checked before use, so a changed answer gives None, never a crash.

def quote_from_chart(symbol: str, payload: _Json, source: str) -> Quote | None:
    """A quote from a chart answer: price, day range and time from ``meta``; the previous close from ``meta`` when
    Yahoo sends one, else the last daily close before the market day (``chartPreviousClose`` is the close before
    the requested period, not before today). None when there is no price (an unknown or dead symbol)."""
    result = _chart_result(payload)
    if result is None:
        return None
    meta = _dict(result.get("meta"))
    price, when = _number(meta.get("regularMarketPrice")), _number(meta.get("regularMarketTime"))
    if price is None or price <= 0 or when is None:
        return None
    currency, divisor = chart_currency(meta)
    zone = _exchange_zone(meta)
    previous = _number(meta.get("previousClose"))
    if previous is None:
        market_day = datetime.fromtimestamp(when, zone).date()
        earlier = [row.close for row in _rows(result, zone) if row.day < market_day]
        previous = earlier[-1] if earlier else None

    low, high = _number(meta.get("regularMarketDayLow")), _number(meta.get("regularMarketDayHigh"))
    return Quote(symbol, display_name(meta, symbol), price / divisor, _times(previous, 1 / divisor),
                 _times(low, 1 / divisor), _times(high, 1 / divisor), currency, datetime.fromtimestamp(when, UTC),
                 source)


def history_from_chart(symbol: str, payload: _Json, start: date, end: date, source: str) -> History | None:
    """Daily bars from ``start`` to ``end`` (exchange-local dates); None when there are none."""
    result = _chart_result(payload)
    if result is None:
        return None
    meta = _dict(result.get("meta"))
    zone = _exchange_zone(meta)
    currency, divisor = chart_currency(meta)
    bars: dict[date, Bar] = {}
    for row in _rows(result, zone):
        if not start <= row.day <= end:
            continue
        factor = (row.adjusted / row.close if row.adjusted else 1.0) / divisor
        # A later row for the same day (Yahoo appends the live price during a session) replaces the earlier one.
        bars[row.day] = Bar(row.day, row.close * factor, _times(row.open, factor), _times(row.high, factor),
                            _times(row.low, factor), row.volume)
    if not bars:
        return None
    ordered = tuple(bars[day] for day in sorted(bars))
    return History(symbol, currency, ordered, source, _history_as_of(meta, ordered[-1].day, zone))


@dataclass(frozen=True)
class _Row:
    day: date
    close: float
    adjusted: float | None
    open: float | None
    high: float | None
    low: float | None
    volume: int | None


def _rows(result: Mapping[str, Any], zone: tzinfo) -> list[_Row]:
    """The chart's daily rows, raw (not adjusted, not converted); rows without a positive close are left out."""
    indicators = _dict(result.get("indicators"))
    columns = _dict(_first(indicators.get("quote")))
    adjusted = _dict(_first(indicators.get("adjclose"))).get("adjclose")
    stamps = result.get("timestamp")
    rows: list[_Row] = []
    for i, stamp in enumerate(stamps if isinstance(stamps, list) else []):
        close, moment, volume = _at(columns.get("close"), i), _number(stamp), _at(columns.get("volume"), i)
        if close is None or close <= 0 or moment is None:
            continue  # a row without a close is not a bar: missing stays missing
        rows.append(_Row(datetime.fromtimestamp(moment, zone).date(), close, _at(adjusted, i),
                         _at(columns.get("open"), i), _at(columns.get("high"), i), _at(columns.get("low"), i),
                         None if volume is None else int(volume)))
    return rows


def symbol_infos(payload: _Json, limit: int) -> list[SymbolInfo]:
    """Search results as ``SymbolInfo``: options and non-symbol results (companies, news) left out. Yahoo's search
    names no currency, so ``currency`` is "" (unknown) rather than a guess."""
    infos: list[SymbolInfo] = []
    quotes = payload.get("quotes")
    for item in quotes if isinstance(quotes, list) else []:
        item = _dict(item)
        symbol, kind = _text(item.get("symbol")), _text(item.get("quoteType"))
        if not symbol or kind == "OPTION":
            continue
        name = _text(item.get("longname")) or _text(item.get("shortname")) or symbol
        exchange = _text(item.get("exchDisp")) or _text(item.get("exchange"))
        infos.append(SymbolInfo(symbol, name, "", exchange, _KINDS.get(kind, "unknown")))
    return infos[:limit]


def chart_currency(meta: Mapping[str, Any]) -> tuple[str, float]:
    """The (major) currency of a chart answer and what to divide its prices by: ("GBP", 100) for GBp."""
    code = _text(meta.get("currency"))
    if not code:
        # Every listing in the recorded answers names its currency; without one we fall back on the project's
        # convention for csv data (a missing currency means USD), and say so in the log.
        log.debug("yahoo: %s has no currency; assuming USD", meta.get("symbol"))
        return "USD", 1.0
    return major_currency(code)


def display_name(meta: Mapping[str, Any], symbol: str) -> str:
    """longName first: Yahoo's shortName is often a truncated, padded exchange code ("WASHTEC AG        I")."""
    for key in ("longName", "shortName"):
        name = " ".join(_text(meta.get(key)).split())
        if name:
            return name
    return symbol


def _history_as_of(meta: Mapping[str, Any], last_day: date, zone: tzinfo) -> datetime:
    """When the last bar's price was made: the market time if the last bar is that day's (a live or just-closed
    session), else the last day at the exchange's regular closing time (from today's trading period)."""
    market_time = _number(meta.get("regularMarketTime"))
    if market_time is not None:
        made = datetime.fromtimestamp(market_time, zone)
        if made.date() == last_day:
            return made.astimezone(UTC)
    closing = _number(_dict(_dict(meta.get("currentTradingPeriod")).get("regular")).get("end"))
    clock = datetime.fromtimestamp(closing, zone).time() if closing is not None else datetime.max.time()
    return datetime.combine(last_day, clock, zone).astimezone(UTC)


def _midnight(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), UTC).timestamp())


def _exchange_zone(meta: Mapping[str, Any]) -> tzinfo:
    name = _text(meta.get("exchangeTimezoneName"))
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = _number(meta.get("gmtoffset"))
    return timezone(timedelta(seconds=offset)) if offset is not None else UTC


def _chart_result(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    chart = _dict(payload.get("chart"))
    if chart.get("error"):
        return None
    result = _first(chart.get("result"))
    return result if isinstance(result, dict) else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    """A finite number, or None (JSON null, NaN, a string, a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _at(values: object, index: int) -> float | None:
    return _number(values[index]) if isinstance(values, list) and index < len(values) else None
