"""The markets a chat can follow in its briefing: their main indices and the exchange calendar whose trading
days decide when a briefing is sent.

Holidays come from ``exchange-calendars``. Its data for some exchanges ends sooner than for others (Shanghai's
ends with the current year); past that end, weekdays are assumed to be trading days and a warning says so.
"""

from __future__ import annotations

import functools
import logging
import threading
import warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

from advisor.market.sessions import EXCHANGE_HOURS
from knowledge.errors import UserError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BriefMarket:
    code: str
    name: str
    calendar: str  # exchange-calendars code, e.g. "XNYS"
    exchange: str  # the Yahoo suffix of its main exchange ("" for the US), a key of sessions.EXCHANGE_HOURS
    indices: tuple[tuple[str, str], ...]  # (Yahoo symbol, readable name)

    @property
    def timezone(self) -> str:
        """The exchange's own zone: a chat that names none gets its briefing at 08:30 there."""
        return EXCHANGE_HOURS[self.exchange][0]


MARKETS: dict[str, BriefMarket] = {m.code: m for m in (
    BriefMarket("US", "US stocks", "XNYS", "",
                (("^GSPC", "S&P 500"), ("^IXIC", "Nasdaq Composite"), ("^DJI", "Dow Jones Industrial Average"))),
    BriefMarket("HK", "Hong Kong stocks", "XHKG", "HK",
                (("^HSI", "Hang Seng Index"), ("^HSCE", "Hang Seng China Enterprises Index"))),
    BriefMarket("CN", "China A-shares", "XSHG", "SS",
                (("000001.SS", "SSE Composite"), ("399001.SZ", "SZSE Component"), ("000300.SS", "CSI 300"))),
    BriefMarket("UK", "UK stocks", "XLON", "L", (("^FTSE", "FTSE 100"), ("^FTMC", "FTSE 250"))),
    BriefMarket("EU", "Euro-area stocks", "XETR", "DE",
                (("^STOXX50E", "Euro Stoxx 50"), ("^GDAXI", "DAX"), ("^FCHI", "CAC 40"))),
)}


def market_of(code: str) -> BriefMarket:
    """The market for ``code`` (any case); a ``UserError`` naming the choices otherwise."""
    market = MARKETS.get(code.strip().upper())
    if market is None:
        shown = "".join(ch for ch in code if ch.isalnum())[:12]
        raise UserError(f"I don't know the market {shown!r}. Choose one of {', '.join(MARKETS)}.")
    return market


_calendar_lock = threading.Lock()


@functools.cache
def _calendar(code: str) -> Any:
    import exchange_calendars  # pandas and the calendar data: ~1 s, paid by the first briefing only

    with _calendar_lock, warnings.catch_warnings():
        # exchange-calendars 4.13 builds some calendars with pandas APIs pandas 3 deprecates: not ours to fix.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return exchange_calendars.get_calendar(code)


def is_trading_day(market: str, day: date) -> bool:
    """Whether the market's exchange trades on ``day`` (weekends and exchange holidays do not)."""
    if day.weekday() >= 5:
        return False
    calendar = _calendar(MARKETS[market].calendar)
    first, last = calendar.first_session.date(), calendar.last_session.date()
    if not first <= day <= last:
        log.warning("the %s holiday calendar covers %s to %s; %s is assumed to be a trading day",
                    MARKETS[market].calendar, first, last, day)
        return True
    return bool(calendar.is_session(day.isoformat()))
