"""The /brief commands of the chat core: a chat's morning market briefing, switched on, shaped and previewed.

Platform-free like the rest of the router. Only admins change a group's briefing (anyone may look at it or ask
for one now); a private chat belongs to its member. Bad input changes nothing and says why. After a change the
scheduler is told (``refresh``) so the chat's job follows at once, not at the next reconcile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from advisor.audit import SETTING
from advisor.audit.record import record
from advisor.briefing.markets import MARKETS
from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import MAX_WATCHLIST, Subscription, parse_days, parse_market, parse_time, parse_zone
from advisor.briefing.types import Briefing
from advisor.market.symbols import parse_symbols
from bots.chat.auditing import audit_chat, setting_data
from bots.chat.messages import Incoming, Outgoing
from knowledge.errors import UserError

if TYPE_CHECKING:
    from advisor.audit import AuditLog

log = logging.getLogger(__name__)

BRIEF_HELP = f"""**Morning market briefing** for this chat: the market's main indices, your watchlist's moves, a cited
research note on the day's biggest move, and a risk reminder. Sent once per trading day.
/brief on [HH:MM] [TIMEZONE] [DAYS] — start it, e.g. /brief on 07:45 Europe/London mon-fri
  (default 08:30 in the market's own time zone, weekdays)
/brief off — stop it (the settings are kept)
/brief now — a briefing right away
/brief watch SYMBOL... — add symbols to the watchlist (up to {MAX_WATCHLIST})
/brief unwatch [SYMBOL...] — remove them; with none, clear the watchlist
/brief market {'|'.join(MARKETS)} — which indices and which exchange's holidays
/brief chart on|off — add a chart image
/brief show — the current settings
In groups only admins change these."""
MAX_TYPED = 100  # symbols read from one command; the watchlist's own cap (MAX_WATCHLIST) is checked after
CHANGES = frozenset({"on", "off", "watch", "unwatch", "market", "chart"})


class BriefingPreview(Protocol):
    """Composes a chat's briefing as of ``now`` (the scheduler's ``Briefings`` does); never touches the ledger."""

    def compose(self, sub: Subscription, now: datetime) -> Briefing: ...


class BriefCommands:
    def __init__(self, store: SqlBriefingStore, briefings: BriefingPreview,
                 refresh: Callable[[str], object] | None = None, clock: Callable[[], datetime] | None = None,
                 audit: AuditLog | None = None) -> None:
        self.store = store
        self.audit = audit  # each change of a chat's briefing, as a setting change
        self.briefings = briefings
        self.refresh = refresh  # the scheduler's hook; None where no scheduler runs (the CLI, tests)
        self.clock = clock or (lambda: datetime.now(UTC))

    def brief(self, msg: Incoming, args: str) -> list[Outgoing]:
        words = args.split()
        if not words:
            return [Outgoing(BRIEF_HELP)]
        command, rest = words[0].lower(), words[1:]
        if command == "show":
            return [Outgoing(self.show(msg.chat_key))]
        if command == "now":
            return [self.now(msg.chat_key)]
        if command not in CHANGES:
            return [Outgoing(BRIEF_HELP)]
        if msg.chat_kind == "group" and not msg.is_admin:
            return [Outgoing("Only group admins can change the briefing. Anyone can see it with /brief show "
                             "or get one with /brief now.")]
        current = self.store.get(msg.chat_key)
        try:
            updated = change(current or Subscription(msg.chat_key, enabled=False), command, rest)
        except ValueError as exc:
            return [Outgoing(str(exc))]
        if command == "off" and (current is None or not current.enabled):
            return [Outgoing("The briefing is already off here. /brief on starts it.")]
        # A private chat's briefing belongs to its member: /privacy shows it and /forget deletes it.
        self.save(updated, owner=msg.user_key if msg.chat_kind == "private" else None)
        record(self.audit, SETTING, user=msg.user_key, chat=audit_chat(msg),
               data=setting_data("brief", command, " ".join(rest), msg))
        return [Outgoing(_confirmation(command, updated))]

    def save(self, sub: Subscription, owner: str | None = None) -> Subscription:
        saved = self.store.save(sub, owner)
        log.info("briefing of %s changed (%s)", sub.chat_key, "on" if sub.enabled else "off")
        if self.refresh is not None:
            try:
                self.refresh(sub.chat_key)
            except Exception:  # the change is saved; the per-minute reconcile will pick it up
                log.exception("could not reschedule the briefing of %s", sub.chat_key)
        return saved

    def show(self, chat_key: str) -> str:
        sub = self.store.get(chat_key)
        if sub is None:
            return ("No briefing is set up for this chat. Admins start one with /brief on (08:30 in the market's "
                    "time zone on weekdays, US market, unless told otherwise).")
        sends = self.store.sends(chat_key)
        last = f"\nlast scheduled briefing: {sends[-1][1].isoformat()} ({sends[-1][2]})" if sends else ""
        return "**Briefing for this chat**\n" + sub.describe() + last

    def now(self, chat_key: str) -> Outgoing:
        """A briefing composed on the spot: separate from the scheduled one (the ledger is not touched)."""
        sub = self.store.get(chat_key) or Subscription(chat_key)
        try:
            briefing = self.briefings.compose(sub, self.clock())
        except UserError as exc:
            return Outgoing(str(exc))
        return Outgoing(briefing.text, image=briefing.chart)

    def removed(self, chat_key: str) -> None:
        """The bot left the chat: its briefing goes with it."""
        if self.store.delete(chat_key):
            log.info("removed from chat %s; its briefing subscription is deleted", chat_key)
            if self.refresh is not None:
                self.refresh(chat_key)

    def migrated(self, old_key: str, new_key: str) -> None:
        if self.store.get(old_key) is None:
            return
        self.store.move(old_key, new_key)
        if self.refresh is not None:
            self.refresh(old_key)
            self.refresh(new_key)


def change(sub: Subscription, command: str, args: list[str]) -> Subscription:
    """``sub`` with one /brief change applied; ``ValueError`` with a message for the member when the input is bad."""
    if command == "on":
        return schedule(sub, args)
    if command == "off":
        if args:
            raise ValueError("/brief off takes nothing after it.")
        return replace(sub, enabled=False)
    if command == "watch":
        return replace(sub, watchlist=watch(sub.watchlist, args))
    if command == "unwatch":
        return replace(sub, watchlist=unwatch(sub.watchlist, args))
    if command == "market":
        if len(args) != 1:
            raise ValueError(f"Usage: /brief market {'|'.join(MARKETS)}, e.g. /brief market HK.")
        return replace(sub, market=parse_market(args[0]))
    if len(args) != 1 or args[0].lower() not in {"on", "off"}:
        raise ValueError("Usage: /brief chart on|off.")
    return replace(sub, chart=args[0].lower() == "on")


def schedule(sub: Subscription, args: list[str]) -> Subscription:
    """/brief on [HH:MM] [TIMEZONE] [DAYS], in any order: a word starting with a digit is the time, one that
    reads as days is the days, anything else must be a time zone. What is not given keeps its value."""
    if len(args) > 3:
        raise ValueError("Usage: /brief on [HH:MM] [TIMEZONE] [DAYS], e.g. /brief on 07:45 Europe/London mon-fri.")
    when, zone, days = sub.time, sub.timezone, sub.days
    for word in args:
        if word[:1].isdigit():
            when = parse_time(word)
        elif "/" in word:  # Area/City: never a day, even Europe/Monaco
            zone = parse_zone(word)
        else:
            try:
                days = parse_days(word)
            except ValueError:
                zone = parse_zone(word)  # UTC, GMT...: a zone, or the zone's message saying what to type
    return replace(sub, time=when, timezone=zone, days=days, enabled=True)


def watch(current: tuple[str, ...], args: list[str]) -> tuple[str, ...]:
    if not args:
        raise ValueError("Usage: /brief watch SYMBOL..., e.g. /brief watch AAPL 0700.HK.")
    symbols, errors = parse_symbols(" ".join(args), limit=MAX_TYPED)
    if errors:
        raise ValueError("Nothing changed: " + " ".join(error for _, error in errors))
    merged = tuple(dict.fromkeys((*current, *symbols)))
    if len(merged) > MAX_WATCHLIST:
        raise ValueError(f"A watchlist holds at most {MAX_WATCHLIST} symbols; this one has {len(current)}. "
                         "Remove some with /brief unwatch SYMBOL first.")
    return merged


def unwatch(current: tuple[str, ...], args: list[str]) -> tuple[str, ...]:
    if not current:
        raise ValueError("The watchlist is already empty. Add symbols with /brief watch AAPL 0700.HK.")
    if not args:
        return ()
    symbols, errors = parse_symbols(" ".join(args), limit=MAX_TYPED)
    if errors:
        raise ValueError("Nothing changed: " + " ".join(error for _, error in errors))
    missing = [symbol for symbol in symbols if symbol not in current]
    if missing:
        raise ValueError(f"Nothing changed: {', '.join(missing)} is not on the watchlist "
                         f"({', '.join(current)}).")
    return tuple(symbol for symbol in current if symbol not in symbols)


def _confirmation(command: str, sub: Subscription) -> str:
    if command == "off":
        return "The briefing is off. Its settings are kept: /brief on starts it again."
    head = "Saved." if sub.enabled else "Saved. The briefing is off here: /brief on starts it."
    return f"{head}\n{sub.describe()}"
