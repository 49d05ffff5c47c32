"""Trading sessions: whether a symbol's exchange is in its regular session, which sets how long cached data lasts
(``CachePolicy``).

The exchange comes from the Yahoo suffix (none = New York). Deliberate simplifications, each of which only
ever costs an extra fetch, never shows an old price as current for long:
- weekends are closed; public holidays are ignored (a holiday counts as a trading day, so quotes are
  re-fetched every minute on a day the price does not move);
- lunch breaks (Hong Kong, Shanghai, Shenzhen, Tokyo) count as open;
- pre- and after-hours trading counts as closed (Yahoo's regular-market price does not move then);
- crypto pairs, FX pairs and futures count as always open (FX and futures do close at weekends);
- an unknown suffix counts as always open: a short TTL is the safe mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CachePolicy:
    """How long ``MarketDataCache`` trusts what it holds, and its other limits."""

    quote_open_ttl: timedelta = timedelta(seconds=60)
    quote_closed_ttl: timedelta = timedelta(minutes=15)
    # Bars feed charts and risk over months: a few minutes' lag in today's bar changes nothing there.
    bars_open_ttl: timedelta = timedelta(minutes=5)
    bars_closed_ttl: timedelta = timedelta(hours=6)
    refresh_days: int = 7  # a refresh asks again from a week before the last stored bar (revised closes)
    unknown_ttl: timedelta = timedelta(minutes=10)  # a symbol the provider did not know is not asked about again
    retry_after: timedelta = timedelta(seconds=30)  # after a provider failure, serve the cache without asking
    wait_seconds: float = 120.0  # the longest wait for another thread's fetch (the provider has its own deadline)
    lookup_ttl: timedelta = timedelta(hours=1)
    lookup_size: int = 256
    memo_symbols: int = 128  # series whose bars stay in memory (about 100 kB per year of bars)

    def quote_fresh(self, symbol: str, fetched_at: datetime, now: datetime) -> bool:
        return is_fresh(symbol, fetched_at, now, self.quote_open_ttl, self.quote_closed_ttl)

    def history_fetch_from(self, symbol: str, stored: tuple[date, date, datetime] | None, start: date,
                           end: date | None, now: datetime) -> date | None:
        """The day to fetch ``symbol`` from for a request from ``start`` to ``end``, or None when the stored
        series answers it. ``stored``: (covered from, last stored bar, last refreshed), or None."""
        if stored is None or start < stored[0]:
            return start
        covered_from, last_day, refreshed_at = stored
        if end is not None and end < local_day(symbol, refreshed_at):
            return None  # finished days do not change
        if is_fresh(symbol, refreshed_at, now, self.bars_open_ttl, self.bars_closed_ttl):
            return None
        return max(covered_from, last_day - timedelta(days=self.refresh_days))


def now_utc() -> datetime:
    """The default clock of the cache: timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class TradingSession:
    zone: ZoneInfo
    opens: clock_time
    closes: clock_time


def _session(zone: str, opens: str, closes: str) -> TradingSession:
    return TradingSession(ZoneInfo(zone), clock_time.fromisoformat(opens), clock_time.fromisoformat(closes))


# Regular hours by Yahoo suffix, in each exchange's own timezone ("" is a plain US symbol). Approximate opening and
# closing auctions: good enough for a cache's TTL and for the as-of time of a daily bar.
EXCHANGE_HOURS: dict[str, tuple[str, str, str]] = {
    "": ("America/New_York", "09:30", "16:00"),
    "TO": ("America/Toronto", "09:30", "16:00"), "V": ("America/Toronto", "09:30", "16:00"),
    "NE": ("America/Toronto", "09:30", "16:00"), "CN": ("America/Toronto", "09:30", "16:00"),
    "SA": ("America/Sao_Paulo", "10:00", "17:00"), "MX": ("America/Mexico_City", "08:30", "15:00"),
    "BA": ("America/Argentina/Buenos_Aires", "11:00", "17:00"),
    "L": ("Europe/London", "08:00", "16:30"), "IL": ("Europe/London", "08:00", "16:30"),
    "IR": ("Europe/Dublin", "08:00", "16:30"), "LS": ("Europe/Lisbon", "08:00", "16:30"),
    "DE": ("Europe/Berlin", "09:00", "17:30"), "F": ("Europe/Berlin", "09:00", "17:30"),  # Xetra
    "BE": ("Europe/Berlin", "08:00", "17:30"), "DU": ("Europe/Berlin", "08:00", "17:30"),
    "HM": ("Europe/Berlin", "08:00", "17:30"), "MU": ("Europe/Berlin", "08:00", "17:30"),
    "SG": ("Europe/Berlin", "08:00", "17:30"), "PA": ("Europe/Paris", "09:00", "17:30"),
    "AS": ("Europe/Amsterdam", "09:00", "17:30"), "BR": ("Europe/Brussels", "09:00", "17:30"),
    "MI": ("Europe/Rome", "09:00", "17:30"), "MC": ("Europe/Madrid", "09:00", "17:30"),
    "SW": ("Europe/Zurich", "09:00", "17:30"), "VI": ("Europe/Vienna", "09:00", "17:30"),
    "ST": ("Europe/Stockholm", "09:00", "17:30"), "CO": ("Europe/Copenhagen", "09:00", "17:00"),
    "HE": ("Europe/Helsinki", "10:00", "18:30"), "OL": ("Europe/Oslo", "09:00", "16:20"),
    "WA": ("Europe/Warsaw", "09:00", "17:00"), "IS": ("Europe/Istanbul", "10:00", "18:00"),
    "JO": ("Africa/Johannesburg", "09:00", "17:00"), "TA": ("Asia/Jerusalem", "10:00", "17:25"),
    "NS": ("Asia/Kolkata", "09:15", "15:30"), "BO": ("Asia/Kolkata", "09:15", "15:30"),
    "HK": ("Asia/Hong_Kong", "09:30", "16:00"), "SS": ("Asia/Shanghai", "09:30", "15:00"),
    "SZ": ("Asia/Shanghai", "09:30", "15:00"),  # Shenzhen keeps Shanghai's hours
    "T": ("Asia/Tokyo", "09:00", "15:30"),  # the TSE closes at 15:30 since November 2024
    "KS": ("Asia/Seoul", "09:00", "15:30"), "KQ": ("Asia/Seoul", "09:00", "15:30"),
    "TW": ("Asia/Taipei", "09:00", "13:30"), "TWO": ("Asia/Taipei", "09:00", "13:30"),
    "SI": ("Asia/Singapore", "09:00", "17:00"), "KL": ("Asia/Kuala_Lumpur", "09:00", "17:00"),
    "BK": ("Asia/Bangkok", "10:00", "16:30"), "JK": ("Asia/Jakarta", "09:00", "16:00"),
    "AX": ("Australia/Sydney", "10:00", "16:00"), "NZ": ("Pacific/Auckland", "10:00", "16:45"),
}
SESSIONS_BY_SUFFIX = {suffix: _session(*hours) for suffix, hours in EXCHANGE_HOURS.items()}
# Indices carry no suffix; the well-known foreign ones follow their home market, the rest New York.
INDEX_HOMES = {"^HSI": "HK", "^N225": "T", "^FTSE": "L", "^GDAXI": "DE", "^FCHI": "PA", "^STOXX50E": "DE",
               "^AEX": "AS", "^IBEX": "MC", "^SSMI": "SW", "^GSPTSE": "TO", "^AXJO": "AX", "^NSEI": "NS",
               "^BSESN": "BO", "^KS11": "KS", "^TWII": "TW", "^STI": "SI"}
# FX and futures trade around the clock, but their daily bars end at a set time: FX's trading day rolls at 17:00
# New York, CME futures settle at 16:00 Chicago.
BAR_ENDS = {"=X": (ZoneInfo("America/New_York"), clock_time(17)), "=F": (ZoneInfo("America/Chicago"), clock_time(16))}

# BTC-USD, ETH-EUR, SOL-USDT (but not BRK-B: its "suffix" is one letter), EURUSD=X, ES=F.
_AROUND_THE_CLOCK = re.compile(r"(?:=X|=F|-(?:USD|USDT|USDC|EUR|GBP|JPY|CAD|AUD|CHF|BTC|ETH))$")
_SUFFIX = re.compile(r"\.[A-Z]{1,3}$")  # RY.TO, 0700.HK, 6488.TWO


def session_for(symbol: str) -> TradingSession | None:
    """The symbol's regular session, or None when it trades around the clock (or its exchange is unknown)."""
    symbol = symbol.upper()
    if _AROUND_THE_CLOCK.search(symbol):
        return None
    if symbol.startswith("^"):
        return SESSIONS_BY_SUFFIX[INDEX_HOMES.get(symbol, "")]
    suffix = _SUFFIX.search(symbol)
    return SESSIONS_BY_SUFFIX.get(suffix.group()[1:] if suffix else "")


def in_session(symbol: str, at: datetime) -> bool:
    session = session_for(symbol)
    if session is None:
        return True
    local = at.astimezone(session.zone)
    return local.weekday() < 5 and session.opens <= local.time() < session.closes


def next_change(symbol: str, at: datetime) -> datetime | None:
    """The first open or close strictly after ``at``; None around the clock."""
    session = session_for(symbol)
    if session is None:
        return None
    first = at.astimezone(session.zone).date()
    for offset in range(8):  # a week always holds a weekday
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for moment in (session.opens, session.closes):
            change = datetime.combine(day, moment, tzinfo=session.zone)  # zoneinfo applies the day's DST
            if change > at:
                return change
    raise AssertionError("unreachable: every week has a weekday")


def ttl(symbol: str, at: datetime, open_ttl: timedelta, closed_ttl: timedelta) -> timedelta:
    return open_ttl if in_session(symbol, at) else closed_ttl


def is_fresh(symbol: str, fetched_at: datetime, now: datetime, open_ttl: timedelta, closed_ttl: timedelta) -> bool:
    """Fresh while younger than the TTL that applies now, and no open or close happened since it was fetched:
    a quote fetched at 15:59 must not pass for the closing price at 16:05 under the 15-minute closed TTL."""
    if now - fetched_at >= ttl(symbol, now, open_ttl, closed_ttl):
        return False
    change = next_change(symbol, fetched_at)
    return change is None or change > now


def local_day(symbol: str, at: datetime) -> date:
    """The trading day ``at`` falls on at the symbol's exchange (UTC days around the clock, as Yahoo's crypto bars)."""
    session = session_for(symbol)
    return at.astimezone(session.zone if session else UTC).date()


def close_time(symbol: str, day: date) -> datetime:
    """When ``day``'s daily bar was complete, in the exchange's timezone: the session's close; for FX and futures
    the end of their trading day; for crypto (and unknown exchanges) the end of the UTC day."""
    session = session_for(symbol)
    if session is not None:
        return datetime.combine(day, session.closes, tzinfo=session.zone)
    if ends := BAR_ENDS.get(symbol.upper()[-2:]):
        zone, at = ends
        return datetime.combine(day, at, tzinfo=zone)
    return datetime.combine(day + timedelta(days=1), clock_time(0), tzinfo=UTC)
