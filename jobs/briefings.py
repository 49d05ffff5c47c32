"""Scheduled market briefings: which chats are due, and one run that composes and sends all of them.

One run (``Briefings.run_due``) handles every chat due at an instant:

1. holidays and weekends of the chat's market are skipped, and so are chats whose platform has no sender here;
2. every other chat is claimed in the send ledger (``SqlBriefingStore.claim``): the ledger, not the scheduler,
   makes a briefing exactly-once, so a restart, a second run in the same minute or a second instance on the
   same database finds the claim taken and sends nothing;
3. ONE quotes request asks for the union of the claimed chats' symbols (each unique symbol once per run);
4. each briefing is composed (advisor code, pure) and delivered through its platform's sender, paced to the
   platform's own rate; platforms are sent to in parallel. A failed delivery is retried with backoff; a chat
   that removed the bot is unsubscribed; a send that still fails is marked failed in the ledger, so a later run
   may claim it again while the briefing is still due.

Market data that cannot be fetched does not stop a run: the briefing is sent with "data unavailable" lines.
Logs name the chat, the status and the attempts, never the message text.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

from advisor.audit import BRIEFING
from advisor.audit.record import record
from advisor.briefing.markets import is_trading_day
from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import GRACE, Subscription
from advisor.briefing.types import Briefing
from advisor.market.data import MarketData, MarketDataError, PartialMarketDataError, Quote
from advisor.types import Language
from jobs.delivery import BriefingSender, ChatGoneError, RetryAfterError

if TYPE_CHECKING:
    from advisor.audit import AuditLog

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3  # deliveries tried within one run; the ledger allows a few runs (store.MAX_ATTEMPTS)
BACKOFF_SECONDS = 2.0  # the first retry waits this long, each next one twice as long
MAX_WAIT_SECONDS = 60.0  # a platform asking for a longer pause is not waited for within this run
UNAVAILABLE = "the market data provider failed"  # said when a provider raised something unexpected

Status = Literal["sent", "already sent", "holiday", "failed", "unsubscribed", "no sender"]


class Composer(Protocol):
    """What a run needs from ``advisor.briefing.compose.BriefingComposer``."""

    def symbols(self, sub: Subscription) -> list[str]: ...

    def compose(self, sub: Subscription, quotes: Mapping[str, Quote], local_date: date, language: Language, *,
                unavailable: str = "") -> Briefing: ...


@dataclass(frozen=True)
class Due:
    sub: Subscription
    local_date: date
    holiday: bool  # the market does not trade that day (an exchange holiday, or a weekend for a daily briefing)


@dataclass(frozen=True)
class RunResult:
    chat_key: str
    status: Status
    local_date: date
    market: str
    attempts: int = 0  # deliveries tried in this run
    detail: str = ""  # why it failed, or what else an operator should know

    def line(self) -> str:
        """What `roundtable brief run-due` prints: ``telegram:-100123  sent  (2026-11-30, US)``."""
        tail = f"; {self.detail}" if self.detail else ""
        return f"{self.chat_key}  {self.status}  ({self.local_date.isoformat()}, {self.market}{tail})"


class Pacer:
    """Spaces the starts of deliveries to one platform ``1 / per_second`` apart (a send slot is reserved, then
    waited for, so concurrent senders queue up in order). A platform asking for a pause holds every slot."""

    def __init__(self, per_second: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1.0 / per_second if per_second > 0 and math.isfinite(per_second) else 0.0
        self._next = 0.0
        self._sleep = sleep

    async def wait(self) -> None:
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, seconds: float) -> None:
        self._next = max(self._next, asyncio.get_running_loop().time() + seconds)


@dataclass
class Briefings:
    """Compose and send scheduled briefings; see the module's docstring for what one run does.

    ``senders`` maps a platform ("telegram", "discord", "console": a chat key's prefix) to its sender.
    ``sleep`` is every wait of a run (pacing, retries; tests pass a recorder); ``on_unsubscribed`` is told the
    chat key of a chat that removed the bot, after its subscription is deleted (the scheduler drops its job).
    ``audit`` records every briefing sent."""

    store: SqlBriefingStore
    market: MarketData
    composer: Composer
    language_of: Callable[[str], Language | None]
    senders: Mapping[str, BriefingSender] = field(default_factory=dict)
    grace: timedelta = GRACE
    attempts: int = SEND_ATTEMPTS
    backoff: float = BACKOFF_SECONDS
    max_wait: float = MAX_WAIT_SECONDS
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    on_unsubscribed: Callable[[str], object] = lambda chat_key: None
    audit: AuditLog | None = None  # every briefing sent is recorded there (None: not recorded)

    # -- one chat, on demand (`/brief now`, `brief preview`) ----------------------------------------------

    def compose(self, sub: Subscription, now: datetime | None = None) -> Briefing:
        """The briefing ``sub``'s chat would receive at ``now``: one quotes request, data fetched now."""
        now = now or datetime.now(UTC)
        quotes, unavailable = self._fetch(self.composer.symbols(sub))
        local_date = sub.due_date(now, self.grace) or now.astimezone(ZoneInfo(sub.zone)).date()
        return self._compose(sub, local_date, quotes, unavailable)

    # -- scheduled runs ----------------------------------------------------------------------------------

    def due(self, now: datetime | None = None) -> list[Due]:
        """Enabled subscriptions due at ``now`` (from their local time until the grace ends), holidays marked."""
        now = now or datetime.now(UTC)
        found: list[Due] = []
        for sub in self.store.enabled():
            local_date = sub.due_date(now, self.grace)
            if local_date is not None:
                found.append(Due(sub, local_date, holiday=not is_trading_day(sub.market, local_date)))
        return found

    async def run_due(self, now: datetime | None = None) -> list[RunResult]:
        """Send every briefing due at ``now`` (default: now) once; one result per due chat, in chat-key order."""
        now = now or datetime.now(UTC)
        dues = await asyncio.to_thread(self.due, now)
        results, claimed = await asyncio.to_thread(self._claim_all, dues)
        if claimed:
            symbols = _distinct(s for due in claimed for s in self.composer.symbols(due.sub))
            quotes, unavailable = await asyncio.to_thread(self._fetch, symbols)
            by_platform: dict[str, list[Due]] = {}
            for due in claimed:
                by_platform.setdefault(due.sub.platform, []).append(due)
            # One briefing composed at a time (charts and the retriever are not shared between threads), and one
            # ledger write at a time (SQLite has one writer; concurrent ones time out as "database is locked").
            locks = _Locks(asyncio.Lock(), asyncio.Lock())
            sent = await asyncio.gather(*(self._send_all(self.senders[platform], chats, quotes, unavailable, locks)
                                          for platform, chats in by_platform.items()))
            results.extend(result for batch in sent for result in batch)
        results.sort(key=lambda result: result.chat_key)
        for result in results:
            log.info("briefing %s for %s: %s after %d attempt(s)%s", result.local_date, result.chat_key,
                     result.status, result.attempts, f" ({result.detail})" if result.detail else "")
        return results

    # -- the parts of a run ------------------------------------------------------------------------------

    def _fetch(self, symbols: Sequence[str]) -> tuple[Mapping[str, Quote], str]:
        """Quotes for ``symbols`` in one request, and why data is unavailable ("" when it is not)."""
        if not symbols:
            return {}, ""
        try:
            return self.market.quotes(symbols), ""
        except PartialMarketDataError as exc:  # what arrived is used; the rest say "data unavailable"
            found: dict[str, Quote] = exc.found
            return found, "" if found else str(exc)
        except MarketDataError as exc:
            return {}, str(exc)
        except Exception:  # a briefing with "data unavailable" lines beats silence
            log.exception("market data request for %d symbol(s) failed", len(symbols))
            return {}, UNAVAILABLE

    def _compose(self, sub: Subscription, local_date: date, quotes: Mapping[str, Quote],
                 unavailable: str) -> Briefing:
        language = self.language_of(sub.chat_key) or "en"
        return self.composer.compose(sub, quotes, local_date, language, unavailable=unavailable)

    def _claim_all(self, dues: list[Due]) -> tuple[list[RunResult], list[Due]]:
        """Results for the chats this run will not send, and the chats it claimed (one ledger write at a time)."""
        results: list[RunResult] = []
        claimed: list[Due] = []
        for due in dues:
            sub = due.sub
            if due.holiday:
                results.append(_result(due, "holiday", detail="market closed"))
                continue
            if sub.platform not in self.senders:
                results.append(_result(due, "no sender", detail=f"no {sub.platform} sender configured"))
                continue
            try:
                won = self.store.claim(sub.chat_key, due.local_date)
            except Exception as exc:  # the database is unreachable or busy: not claimed, so not sent now
                log.exception("claiming the briefing for %s failed", sub.chat_key)
                results.append(_result(due, "failed", detail=f"ledger: {type(exc).__name__}"))
                continue
            if won:
                claimed.append(due)
            else:
                results.append(self._lost_claim(due))
        return results, claimed

    def _lost_claim(self, due: Due) -> RunResult:
        """Someone else holds the claim (or the ledger gave up): say which, from the ledger."""
        rows = [row for row in self.store.sends(due.sub.chat_key) if row[1] == due.local_date]
        status, claims = (rows[0][2], rows[0][3]) if rows else ("sent", 0)
        if status == "failed":
            return _result(due, "failed", detail=f"gave up after {claims} run(s)")
        return _result(due, "already sent", detail="" if status == "sent" else status)

    async def _send_all(self, sender: BriefingSender, dues: list[Due], quotes: Mapping[str, Quote],
                        unavailable: str, locks: _Locks) -> list[RunResult]:
        pacer = Pacer(sender.per_second, self.sleep)

        async def one(due: Due) -> RunResult:
            try:
                async with locks.composing:
                    briefing = await asyncio.to_thread(self._compose, due.sub, due.local_date, quotes, unavailable)
            except Exception as exc:  # a composer bug fails this chat's briefing, not the whole run
                log.exception("composing the briefing for %s failed", due.sub.chat_key)
                result = _result(due, "failed", detail=f"compose: {type(exc).__name__}")
            else:
                result = await self._deliver(sender, pacer, due, briefing)
            async with locks.ledger:
                await asyncio.to_thread(self._record, result)
            return result

        return list(await asyncio.gather(*(one(due) for due in dues)))

    async def _deliver(self, sender: BriefingSender, pacer: Pacer, due: Due, briefing: Briefing) -> RunResult:
        """Up to ``attempts`` deliveries with exponential backoff; a platform's own "retry after" is honoured."""
        reason = ""
        for attempt in range(1, self.attempts + 1):
            await pacer.wait()
            try:
                await sender.deliver(due.sub.chat_id, briefing.text, briefing.chart)
                return _result(due, "sent", attempt)
            except ChatGoneError as exc:
                return _result(due, "unsubscribed", attempt, f"the bot can no longer post there: {exc}"[:200])
            except RetryAfterError as exc:
                # The platform says the bot goes too fast: every chat on it waits (the pacer's next slot), and
                # a pause longer than ``max_wait`` is left to a later run while the briefing is still due.
                reason, wait, too_long = str(exc), 0.0, exc.seconds > self.max_wait
                pacer.hold(min(exc.seconds, self.max_wait))
            except Exception as exc:  # the platform's own errors: network, server, bad request
                reason, wait = f"{type(exc).__name__}: {exc}", self.backoff * 2 ** (attempt - 1)
                too_long = wait > self.max_wait
            log.warning("briefing for %s: attempt %d of %d failed (%s)", due.sub.chat_key, attempt, self.attempts,
                        reason)
            if attempt == self.attempts or too_long:
                break
            if wait:
                await self.sleep(wait)
        return _result(due, "failed", attempt, reason[:200])

    def _record(self, result: RunResult) -> None:
        """The ledger's row for a claimed send; a chat that removed the bot loses its subscription and job.

        A write that fails leaves the row "sending", which is never claimed again: a briefing may then be
        missing, never posted twice."""
        if result.status == "sent":  # delivered: the audit log has it whatever the ledger write does next
            record(self.audit, BRIEFING, chat=result.chat_key,
                   data={"local_date": result.local_date.isoformat(), "market": result.market,
                         "attempts": result.attempts})
        try:
            if result.status == "unsubscribed":
                self.store.delete(result.chat_key)
                self.store.finish(result.chat_key, result.local_date, "skipped", result.detail)
                self.on_unsubscribed(result.chat_key)
            else:
                self.store.finish(result.chat_key, result.local_date,
                                  "sent" if result.status == "sent" else "failed", result.detail)
        except Exception:
            log.exception("recording the %s briefing for %s in the ledger failed", result.status, result.chat_key)


@dataclass(frozen=True)
class _Locks:
    composing: asyncio.Lock
    ledger: asyncio.Lock


def _result(due: Due, status: Status, attempts: int = 0, detail: str = "") -> RunResult:
    return RunResult(due.sub.chat_key, status, due.local_date, due.sub.market, attempts, detail)


def _distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
