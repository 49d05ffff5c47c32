"""``MarketDataCache``: any ``MarketData`` provider behind a database cache (SQLite by default, PostgreSQL by URL).

- Quotes (``market_quotes``) last as long as ``CachePolicy`` says for the exchange's session (``sessions``).
- Daily bars are kept (``market_bars``; ``market_series`` holds the range covered and the last refresh). A
  request the stored range covers while fresh is read from the database (bars already read stay in memory
  while their series is unchanged); otherwise ONE batched ``provider.history`` call fetches what is missing.
- Repeated and concurrent requests cost one fetch: threads share in-flight fetches per symbol (``SingleFlight``),
  processes share the database. Unknown symbols are remembered for ``unknown_ttl`` and cost no fetch.
- When the provider fails (an outage, or any exception, logged and converted), cached data is served with
  ``stale=True``, and the provider is left alone for ``retry_after`` (so an outage does not make every request
  wait for a deadline). With nothing cached at all: ``MarketDataUnavailableError``. A symbol with nothing
  cached is missing from a partial result, like an unknown one: the stale flags on the others say why.
"""

from __future__ import annotations

import json
import logging
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Date, DateTime, Float, String, Text, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.market import sessions
from advisor.market.data import (
    Bar,
    History,
    MarketData,
    MarketDataUnavailableError,
    PartialMarketDataError,
    Quote,
    SymbolInfo,
)
from advisor.market.sessions import CachePolicy, now_utc

log = logging.getLogger(__name__)
K = TypeVar("K")
T = TypeVar("T")
Failures = dict[str, MarketDataUnavailableError | None]  # symbol -> why it could not be fetched
_DAY = attrgetter("day")  # bisect's key for bars


class Base(DeclarativeBase):
    pass


class QuoteRow(Base):
    __tablename__ = "market_quotes"

    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)  # the Quote as JSON, without its stale flag
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BarRow(Base):
    __tablename__ = "market_bars"
    # SQLite keeps the rows in primary-key order, so one symbol's year is one contiguous read.
    __table_args__ = ({"sqlite_with_rowid": False},)

    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    open: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    close: Mapped[float] = mapped_column(Float)
    volume: Mapped[int | None] = mapped_column(BigInteger)


class SeriesRow(Base):
    __tablename__ = "market_series"

    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    currency: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    # Every day from covered_from to the refresh was asked for (a missing bar is a day without one), so a
    # stock listed in 2019 and asked for from 2000 is not fetched again and again.
    covered_from: Mapped[date] = mapped_column(Date)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the provider's as_of for last_day
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    error: MarketDataUnavailableError | None = None


class SingleFlight:
    """Per-symbol fetches in flight in this process: the first thread to need a symbol fetches it, the others
    wait for that fetch instead of asking the provider themselves."""

    def __init__(self) -> None:
        self._lock, self._flights = threading.Lock(), dict[str, _Flight]()

    def claim(self, symbols: Sequence[str]) -> tuple[list[str], dict[str, _Flight]]:
        """The symbols the caller now fetches, and the flights of other threads it must wait for."""
        with self._lock:
            theirs = {symbol: self._flights[symbol] for symbol in symbols if symbol in self._flights}
            mine = [symbol for symbol in symbols if symbol not in theirs]
            self._flights.update((symbol, _Flight()) for symbol in mine)
        return mine, theirs

    def land(self, symbols: Iterable[str], error: MarketDataUnavailableError | None) -> None:
        """End the caller's flights (once its results are in the database) and wake their waiters."""
        with self._lock:
            flights = [self._flights.pop(symbol) for symbol in symbols]
        for flight in flights:
            flight.error = error
            flight.done.set()


QUOTES, HISTORY = "quotes", "history"  # what a negative-cache entry is about


class MarketDataCache:
    """A ``MarketData`` that answers from the database when it can and asks ``provider`` when it must."""

    def __init__(self, provider: MarketData, engine: Engine, clock: Callable[[], datetime] = now_utc, *,
                 policy: CachePolicy | None = None) -> None:
        self.provider, self.engine, self.clock = provider, engine, clock  # the clock is timezone-aware
        self.policy = policy or CachePolicy()
        self.source = provider.source
        self._flights = SingleFlight()
        self._lock = threading.Lock()
        # (QUOTES or HISTORY, symbol) -> until when the provider is not asked about it again
        self._unknown: dict[tuple[str, str], datetime] = {}
        self._retry_at: datetime | None = None  # no provider calls before this, after a failure
        self._lookups: OrderedDict[tuple[str, int], tuple[datetime, list[SymbolInfo]]] = OrderedDict()
        # symbol -> (the series' refreshed_at, first day read, every stored bar from that day on)
        self._read: OrderedDict[str, tuple[datetime, date, tuple[Bar, ...]]] = OrderedDict()
        Base.metadata.create_all(engine)

    # --- quotes -------------------------------------------------------------------------------------------

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        wanted = self._known(QUOTES, symbols)
        failed: Failures = {}
        rows = self._load_quotes(wanted)
        if any(not self._quote_fresh(s, rows.get(s)) for s in wanted):
            failed = self._coordinate(wanted, self._quotes_needed, self._fetch_quotes)
            rows = self._load_quotes(self._known(QUOTES, wanted))
        found = {s: _read_quote(rows[s][0], stale=s in failed) for s in wanted if s in rows}
        return self._answer({s: q for s, q in found.items() if q is not None}, failed)

    def _quote_fresh(self, symbol: str, row: tuple[str, datetime] | None) -> bool:
        return row is not None and self.policy.quote_fresh(symbol, row[1], self.clock())

    def _load_quotes(self, symbols: Collection[str]) -> dict[str, tuple[str, datetime]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(QuoteRow.symbol, QuoteRow.payload, QuoteRow.fetched_at)
                                      .where(QuoteRow.symbol.in_(list(symbols))))
            return {symbol: (payload, _utc(fetched)) for symbol, payload, fetched in rows}

    def _quotes_needed(self, symbols: Collection[str]) -> dict[str, date | None]:
        rows = self._load_quotes(known := self._known(QUOTES, symbols))
        return {s: None for s in known if not self._quote_fresh(s, rows.get(s))}

    def _fetch_quotes(self, needed: dict[str, date | None]) -> None:
        fetched, partial = self._ask_partly(lambda: self.provider.quotes(list(needed)))
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            _upsert(session, QuoteRow, [{"symbol": s, "payload": _write_quote(q), "fetched_at": now}
                                        for s, q in sorted(fetched.items()) if s in needed], ["symbol"])
        failed = set(partial.failed) if partial else set()
        self._forget_unknown(QUOTES, [s for s in needed if s not in fetched and s not in failed], now)
        if partial is not None:
            raise partial

    # --- history ------------------------------------------------------------------------------------------

    def history(self, symbols: Sequence[str], start: date, end: date | None = None) -> dict[str, History]:
        wanted = self._known(HISTORY, symbols)
        failed: Failures = {}
        series = self._load_series(wanted)
        if any(self._history_start(s, series.get(s), start, end) is not None for s in wanted):
            failed = self._coordinate(wanted, lambda todo: self._history_needed(todo, start, end),
                                      self._fetch_history)
            series = self._load_series(self._known(HISTORY, wanted))
        stored = self._stored_bars(series, start)
        found: dict[str, History] = {}
        for symbol in wanted:
            row, bars = series.get(symbol), stored.get(symbol, ())
            last = len(bars) if end is None else bisect_right(bars, end, key=_DAY)
            bars = bars[bisect_left(bars, start, key=_DAY):last]
            if row is None or not bars:
                continue
            as_of = _utc(row.as_of) if bars[-1].day == row.last_day else sessions.close_time(symbol, bars[-1].day)
            found[symbol] = History(symbol, row.currency, bars, row.source, as_of, stale=symbol in failed)
        return self._answer(found, failed)

    def _history_start(self, symbol: str, row: SeriesRow | None, start: date, end: date | None) -> date | None:
        stored = None if row is None else (row.covered_from, row.last_day, _utc(row.refreshed_at))
        return self.policy.history_fetch_from(symbol, stored, start, end, self.clock())

    def _history_needed(self, symbols: Collection[str], start: date, end: date | None) -> dict[str, date | None]:
        series = self._load_series(known := self._known(HISTORY, symbols))
        starts = {s: self._history_start(s, series.get(s), start, end) for s in known}
        return {s: day for s, day in starts.items() if day is not None}

    def _fetch_history(self, needed: dict[str, date | None]) -> None:
        start = min(day for day in needed.values() if day is not None)
        fetched, partial = self._ask_partly(lambda: self.provider.history(list(needed), start))  # one batch
        failed = set(partial.failed) if partial else set()
        now = self.clock()
        unknown: list[str] = []
        with Session(self.engine) as session, session.begin():
            old = {row.symbol: row for row in session.scalars(select(SeriesRow)
                                                              .where(SeriesRow.symbol.in_(list(needed))))}
            series: list[dict[str, Any]] = []
            bars: list[dict[str, Any]] = []
            for symbol in sorted(set(needed) - failed):  # one lock order for every writer; failed ones unchanged
                history, row = fetched.get(symbol), old.get(symbol)
                history = history if history is not None and history.bars else None
                if history is None and row is None:
                    unknown.append(symbol)
                    continue
                if history is not None:
                    bars += [{"symbol": symbol, "day": b.day, "open": b.open, "high": b.high, "low": b.low,
                              "close": b.close, "volume": b.volume} for b in history.bars]
                series.append(_merged_series(symbol, row, history, start, now))
            _upsert(session, BarRow, bars, ["symbol", "day"])
            _upsert(session, SeriesRow, series, ["symbol"])
        with self._lock:
            for symbol in needed:
                self._read.pop(symbol, None)
        self._forget_unknown(HISTORY, unknown, now)
        if partial is not None:
            raise partial

    def _load_series(self, symbols: Collection[str]) -> dict[str, SeriesRow]:
        with Session(self.engine, expire_on_commit=False) as session:
            return {row.symbol: row for row in session.scalars(select(SeriesRow)
                                                               .where(SeriesRow.symbol.in_(list(symbols))))}

    def _stored_bars(self, series: dict[str, SeriesRow], start: date) -> dict[str, tuple[Bar, ...]]:
        """Every stored bar from ``start`` on: from memory while a series is unchanged, else in one query."""
        found: dict[str, tuple[Bar, ...]] = {}
        for symbol, row in series.items():
            memo = self._recall(self._read, symbol)
            if memo is not None and memo[0] == _utc(row.refreshed_at) and memo[1] <= start:
                found[symbol] = memo[2]
        missing = [symbol for symbol in series if symbol not in found]
        for symbol, bars in self._load_bars(missing, start).items():
            found[symbol] = bars
            self._remember(self._read, symbol, (_utc(series[symbol].refreshed_at), start, bars),
                           self.policy.memo_symbols)
        return found

    def _load_bars(self, symbols: list[str], start: date) -> dict[str, tuple[Bar, ...]]:
        if not symbols:
            return {}
        # SQLite stores dates as ISO text, which date.fromisoformat reads several times faster than
        # SQLAlchemy's generic parser (PostgreSQL's driver returns dates already).
        stored_day = type_coerce(BarRow.day, String) if self.engine.dialect.name == "sqlite" else BarRow.day
        query = (select(BarRow.symbol, stored_day, BarRow.close, BarRow.open, BarRow.high, BarRow.low, BarRow.volume)
                 .where(BarRow.symbol.in_(symbols), BarRow.day >= start).order_by(BarRow.symbol, BarRow.day))
        found: dict[str, list[Bar]] = {symbol: [] for symbol in symbols}
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        for symbol, when, close, opened, high, low, volume in rows:
            day = when if isinstance(when, date) else date.fromisoformat(str(when))
            found[symbol].append(Bar(day, close, opened, high, low, volume))
        return {symbol: tuple(bars) for symbol, bars in found.items()}

    # --- lookup -------------------------------------------------------------------------------------------

    def lookup(self, query: str, limit: int = 5) -> list[SymbolInfo]:
        """The provider's answer, remembered for ``lookup_ttl`` (an expired one still serves during an outage)."""
        key, now = (query.strip().casefold(), limit), self.clock()
        memo = self._recall(self._lookups, key)
        if memo is not None and memo[0] > now:
            return list(memo[1])
        try:
            found = self._ask(lambda: self.provider.lookup(query, limit))
        except MarketDataUnavailableError:
            if memo is None:
                raise
            return list(memo[1])
        self._remember(self._lookups, key, (now + self.policy.lookup_ttl, list(found)), self.policy.lookup_size)
        return list(found)

    # --- shared machinery ---------------------------------------------------------------------------------

    def _coordinate(self, symbols: Collection[str], needed: Callable[[Collection[str]], dict[str, date | None]],
                    fetch: Callable[[dict[str, date | None]], None]) -> Failures:
        """Bring ``symbols`` up to date, fetching each at most once across this process's threads; return those
        that could not be fetched. ``needed(symbols)`` reads the database and says which still need a fetch (and
        from which day); it is asked again after claiming (another thread may have just finished) and after
        waiting (that thread may have fetched a shorter range)."""
        failed: Failures = {}
        pending = list(symbols)  # in the caller's order, which the provider sees too
        for _ in range(3):  # a second round covers a range another thread fetched too short; a third is spare
            if not pending:
                break
            mine, theirs = self._flights.claim(pending)
            error: MarketDataUnavailableError | None = MarketDataUnavailableError(self.source, "fetch interrupted")
            try:
                todo = needed(mine) if mine else {}
                if todo:
                    fetch(todo)
                error = None
            except MarketDataUnavailableError as exc:
                error = exc
            finally:
                self._flights.land(mine, error)
            if error is not None:  # a partial answer was stored: only the symbols it lacks failed
                failed.update(dict.fromkeys(error.failed if isinstance(error, PartialMarketDataError) else mine,
                                            error))
            for symbol, flight in theirs.items():
                if not flight.done.wait(self.policy.wait_seconds):
                    failed[symbol] = MarketDataUnavailableError(self.source, "another request is still waiting")
                elif flight.error is not None:
                    failed[symbol] = flight.error
            pending = list(needed([s for s in pending if s not in failed]))
        failed.update(dict.fromkeys(pending, None))  # still short after three rounds: served as stale
        return failed

    def _ask(self, call: Callable[[], T]) -> T:
        """Call the provider, turning every failure into ``MarketDataUnavailableError`` and resting after one."""
        retry_at = self._retry_at  # one attribute, read and written whole: no lock needed
        if retry_at is not None and self.clock() < retry_at:
            raise MarketDataUnavailableError(self.source, "it failed moments ago")
        try:
            return call()
        except PartialMarketDataError:
            raise  # the provider answers (for some symbols): no pause
        except Exception as exc:
            self._retry_at = self.clock() + self.policy.retry_after
            if isinstance(exc, MarketDataUnavailableError):
                raise
            log.warning("market data provider %s raised %s; treating it as unavailable", self.source,
                        type(exc).__name__, exc_info=True)
            raise MarketDataUnavailableError(self.source, type(exc).__name__) from exc

    def _ask_partly(self, call: Callable[[], dict[str, T]]) -> tuple[dict[str, T], PartialMarketDataError[T] | None]:
        """``_ask``, except that a provider which answered for some symbols before failing hands them over."""
        try:
            return self._ask(call), None
        except PartialMarketDataError as partial:
            return partial.found, partial

    def _answer(self, found: dict[str, T], failed: Failures) -> dict[str, T]:
        if failed and not found:
            raise next((e for e in failed.values() if e is not None), None) or MarketDataUnavailableError(
                self.source, "nothing is cached")
        return found

    def _recall(self, memo: OrderedDict[K, T], key: K) -> T | None:
        with self._lock:
            if key in memo:
                memo.move_to_end(key)  # least recently used first out
            return memo.get(key)

    def _remember(self, memo: OrderedDict[K, T], key: K, value: T, size: int) -> None:
        with self._lock:
            memo[key] = value
            memo.move_to_end(key)
            while len(memo) > size:
                memo.popitem(last=False)

    def _known(self, kind: str, symbols: Iterable[str]) -> list[str]:
        """``symbols`` without repeats and without those the provider had no ``kind`` of data for a moment ago.
        Quotes and history are remembered apart: a suspended listing has a quote but no recent bars."""
        now = self.clock()
        with self._lock:
            return [s for s in dict.fromkeys(symbols) if self._unknown.get((kind, s), now) <= now]

    def _forget_unknown(self, kind: str, symbols: Sequence[str], now: datetime) -> None:
        with self._lock:
            self._unknown.update(dict.fromkeys(((kind, s) for s in symbols), now + self.policy.unknown_ttl))


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: the cache writes UTC only, so naive means UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _upsert(session: Session, entity: type[Base], rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert or replace ``rows`` in one executemany (ON CONFLICT DO UPDATE on SQLite and PostgreSQL)."""
    if not rows:
        return
    # SQLite and PostgreSQL spell it alike; another database fails here loudly rather than writing wrongly.
    insert = postgresql.insert(entity) if session.get_bind().dialect.name == "postgresql" else sqlite.insert(entity)
    columns = [c.name for c in entity.__table__.c if c.name not in keys]
    session.execute(insert.on_conflict_do_update(index_elements=list(keys),
                                                 set_={c: insert.excluded[c] for c in columns}), rows)


def _merged_series(symbol: str, row: SeriesRow | None, history: History | None, start: date,
                   now: datetime) -> dict[str, Any]:
    """The series row after a fetch from ``start`` to today that returned ``history`` (None: no bars)."""
    merged: dict[str, Any] = {"symbol": symbol, "refreshed_at": now, "covered_from": start}
    if row is not None:
        merged.update(currency=row.currency, source=row.source, covered_from=min(row.covered_from, start),
                      first_day=row.first_day, last_day=row.last_day, as_of=_utc(row.as_of))
    if history is not None:
        first, last = history.bars[0].day, history.bars[-1].day
        merged.update(currency=history.currency, source=history.source,
                      first_day=min(first, row.first_day) if row else first)
        if row is None or last >= row.last_day:
            merged.update(last_day=last, as_of=_utc(history.as_of))
    return merged


def _write_quote(quote: Quote) -> str:
    return json.dumps(asdict(quote) | {"as_of": quote.as_of.isoformat(), "stale": None})  # stale: when served


def _read_quote(payload: str, *, stale: bool) -> Quote | None:
    try:
        data = json.loads(payload)
        data.update(as_of=datetime.fromisoformat(data["as_of"]), stale=stale)
        return Quote(**data)
    except (ValueError, KeyError, TypeError) as exc:  # a row from an older layout: as good as missing
        log.warning("unreadable cached quote (%s); ignoring it", type(exc).__name__)
        return None
