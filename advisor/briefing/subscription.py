"""A chat's briefing subscription and the rules for when it is due.

Times are wall-clock times in the chat's zone: 08:30 in New York is 13:30 UTC in winter and 12:30 in summer.
A briefing is due from its local time until the grace period ends (``GRACE``); a chat gets at most one
scheduled briefing per local date, which the store's ledger enforces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from advisor.briefing.markets import MARKETS, market_of
from knowledge.errors import UserError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_ONLY = frozenset(range(5))
DEFAULT_TIME = time(8, 30)
# Late is still useful for a while (a restart at 08:40 still sends the 08:30 briefing); hours late it is noise.
GRACE = timedelta(minutes=30)
MAX_WATCHLIST = 20


@dataclass(frozen=True)
class Subscription:
    chat_key: str  # "telegram:-1001234567890", "discord:123", "console:group"
    time: time = DEFAULT_TIME
    timezone: str = ""  # empty: the market's own zone
    days: frozenset[int] = WEEKDAYS_ONLY  # 0 = Monday
    market: str = "US"
    watchlist: tuple[str, ...] = ()
    chart: bool = False
    enabled: bool = True
    updated_at: datetime | None = field(default=None, compare=False)

    @property
    def platform(self) -> str:
        return self.chat_key.partition(":")[0]

    @property
    def chat_id(self) -> str:
        return self.chat_key.partition(":")[2]

    @property
    def zone(self) -> str:
        return self.timezone or MARKETS[self.market].timezone

    def scheduled_at(self, day: date) -> datetime:
        """When the briefing for local date ``day`` is due, as an aware datetime in the chat's zone."""
        return datetime.combine(day, self.time, ZoneInfo(self.zone))

    def due_date(self, now: datetime, grace: timedelta = GRACE) -> date | None:
        """The local date whose briefing is due at ``now`` (aware), or None. Ignores holidays and the ledger."""
        local = now.astimezone(ZoneInfo(self.zone))
        for day in (local.date(), local.date() - timedelta(days=1)):  # a 23:50 briefing is still due at 00:10
            start = self.scheduled_at(day)
            if day.weekday() in self.days and start <= now < start + grace:
                return day
        return None

    def describe(self) -> str:
        state = "on" if self.enabled else "off"
        watch = ", ".join(self.watchlist) or "empty"
        return (f"briefing: {state}, {self.time:%H:%M} {self.zone}, {format_days(self.days)}\n"
                f"market: {self.market} ({MARKETS[self.market].name})\nwatchlist: {watch}\n"
                f"chart: {'on' if self.chart else 'off'}")


def parse_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{text[:16]!r} is not a time of day; use 24-hour HH:MM, e.g. 08:30.")
    return time(int(match[1]), int(match[2]))


def parse_zone(text: str) -> str:
    name = text.strip()
    try:
        if not re.fullmatch(r"[A-Za-z][\w+-]*(/[\w+-]+)*", name):
            raise ValueError
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"{name[:40]!r} is not a time zone I know; use an IANA name such as Europe/London, "
                         "America/New_York or Asia/Shanghai.") from None
    return name


def parse_days(text: str) -> frozenset[int]:
    """``mon-fri``, ``weekdays``, ``daily``, ``sat,sun``, ``mon,wed-fri``..."""
    words = text.strip().lower()
    named = {"weekdays": "mon-fri", "daily": "mon-sun", "everyday": "mon-sun", "weekends": "sat-sun"}
    words = named.get(words, words)
    days: set[int] = set()
    for part in filter(None, words.replace(" ", ",").split(",")):
        first, _, last = part.partition("-")
        try:
            start, end = WEEKDAYS.index(first[:3]), WEEKDAYS.index((last or first)[:3])
        except ValueError:
            raise ValueError(f"{text[:24]!r} is not a set of days; use e.g. mon-fri, daily or mon,wed,fri.") from None
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    if not days:
        raise ValueError("Give at least one day, e.g. mon-fri.")
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    if days == WEEKDAYS_ONLY:
        return "mon-fri"
    if len(days) == 7:
        return "daily"
    return ",".join(WEEKDAYS[d] for d in sorted(days))


def parse_market(text: str) -> str:
    try:
        return market_of(text).code
    except UserError as exc:
        raise ValueError(str(exc)) from None
