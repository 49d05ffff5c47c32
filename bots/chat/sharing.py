"""Opt-in portfolio sharing in groups: /portfolio share|unshare|view, /follow, /unfollow, and the private notes
followers get when a shared portfolio changes (rules in advisor/community/sharing.py).

Sharing is the one place a member's holdings reach a group, and only because they asked: symbols and weights
at current prices, never quantities or money. Everything personal to a follower (their risk profile and the
check against it) goes to them privately. Platform-free like the rest of the chat core.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from advisor.audit import SHARING
from advisor.audit.record import record
from advisor.community.sharing import (
    DEFAULT_THRESHOLD,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    Follow,
    ShareStore,
    change_since,
    handle_key,
)
from advisor.community.types import Segment, SharedPortfolio
from advisor.market.data import MarketDataError
from advisor.types import InvestorLevel, RiskLevel
from bots.chat import sharetext
from bots.chat.messages import Button, Incoming, Outgoing
from bots.chat.points import handle_of
from bots.chat.privacy import Stored

if TYPE_CHECKING:
    from advisor.audit import AuditLog
    from advisor.portfolio.service import Portfolios
    from bots.chat.modstore import ModerationStore

log = logging.getLogger(__name__)

NEW_MEMBER = timedelta(hours=24)  # the cooling-off period before a new member may follow anyone
CHANGES = {"add", "remove", "import"}  # /portfolio subcommands that change holdings (clear is a button)
IN_GROUP = "Portfolios are shared in groups: send {command} in the group you mean."
FOLLOW_USAGE = "Usage: /follow @member [POINTS] (tell me when a weight changes by more than POINTS, 1-50; default {d})."
PrivateBook = Callable[[Incoming, str], list[Outgoing]]


@dataclass(frozen=True)
class Book:
    """The member's holdings as weights at current prices (what sharing publishes)."""

    weights: dict[str, float]
    prices: dict[str, float]  # per unit, in each symbol's own currency
    risk: RiskLevel | None
    as_of: datetime | None
    source: str
    held: int  # holdings in the book, priced or not


class SharingCommands:
    def __init__(self, store: ShareStore, portfolios: Portfolios, *, moderation: ModerationStore | None = None,
                 audit: AuditLog | None = None, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.store = store
        self.portfolios = portfolios
        self.moderation = moderation  # join times, for the new-member rule (None: only Incoming.joined_at)
        self.audit = audit
        self.threshold = threshold  # a fraction: 0.10 = 10 percentage points

    @property
    def personal_data(self) -> SharingData:
        return SharingData(self.store)

    # -- /portfolio ----------------------------------------------------------------------------------------

    def portfolio(self, msg: Incoming, args: str, private_book: PrivateBook) -> list[Outgoing]:
        """share/unshare/view here; anything else is the private portfolio's, and a change to the holdings is
        then published to the groups the member shares with (followers told when it is large)."""
        words = args.split()
        word = words[0].lower() if words else ""
        if word in {"share", "unshare", "view"}:
            handler = {"share": self.share, "unshare": self.unshare, "view": self.view}[word]
            return handler(msg, " ".join(words[1:]))
        replies = private_book(msg, args)
        if msg.chat_kind == "private" and word in CHANGES:
            replies += self.holdings_changed(msg)
        return replies

    def share(self, msg: Incoming, _: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing(IN_GROUP.format(command="/portfolio share"))]
        if self.store.shared(msg.chat_key, msg.user_key) is not None:
            return [Outgoing("You already share your portfolio here; it follows your holdings as they change. "
                             "/portfolio unshare removes it.")]
        book = self._book(msg.user_key)
        if book is None or book.held == 0:
            return [Outgoing("Your portfolio is empty, so there is nothing to share. Add holdings in a private chat "
                             "with me first (/portfolio add SYMBOL QTY), then share again here.",
                             buttons=(Button("Open a private chat", deep_link="portfolio"),))]
        if not book.weights:
            return [Outgoing("I could not price your holdings just now, so nothing was shared. Please try again "
                             "later.")]
        handle = handle_of(msg)
        now = msg.received_at
        self.store.share(SharedPortfolio(msg.chat_key, msg.user_key, handle, now,
                                         Segment(now, book.weights, book.prices, 1.0), book.risk))
        record(self.audit, SHARING, user=msg.user_key, chat=msg.chat_key,
               data={"action": "share", "symbols": len(book.weights), "risk": book.risk})
        return [Outgoing(sharetext.shared_text(handle, book.weights, book.risk, book.as_of, book.source,
                                               book.held - len(book.weights)))]

    def unshare(self, msg: Incoming, _: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing(IN_GROUP.format(command="/portfolio unshare"))]
        portfolio = self.store.shared(msg.chat_key, msg.user_key)
        gone = self.store.unshare(msg.chat_key, msg.user_key)
        if gone is None or portfolio is None:
            return [Outgoing("You don't share a portfolio here; there is nothing to remove.")]
        record(self.audit, SHARING, user=msg.user_key, chat=msg.chat_key,
               data={"action": "unshare", "followers": len(gone)})
        return [Outgoing("Done: your portfolio is no longer shared here, and nobody follows it any more."),
                *self._gone_notes(portfolio.handle, gone, empty=False)]

    def view(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing(IN_GROUP.format(command="/portfolio view @member"))]
        portfolio, named = self._target(msg, args)
        if portfolio is None:
            return [Outgoing(self._not_shared(named, "/portfolio view @member"))]
        segment = portfolio.segment
        prices, as_of, source = self._prices(segment.weights)
        weights = segment.drifted_weights(prices) or dict(segment.weights)
        return [Outgoing(sharetext.view_text(portfolio.handle, portfolio.shared_at, segment.start, weights,
                                             portfolio.risk, portfolio.return_at(prices), as_of, source))]

    # -- /follow, /unfollow ----------------------------------------------------------------------------------

    def follow(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing(IN_GROUP.format(command="/follow @member"))]
        words = args.split()
        usage = [Outgoing(FOLLOW_USAGE.format(d=f"{self.threshold:.0%}"))]
        threshold = self.threshold
        points = _number(words[-1]) if len(words) > 1 else None
        if points is not None:
            words.pop()
            if not MIN_THRESHOLD <= points / 100 <= MAX_THRESHOLD:
                return usage
            threshold = points / 100
        portfolio, named = self._target(msg, " ".join(words))
        if portfolio is None and not named and not msg.mentioned:
            return usage
        if (portfolio.user_key == msg.user_key if portfolio is not None else _names_self(msg, named)):
            return [Outgoing("You can't follow your own portfolio: you already know when it changes.")]
        if portfolio is None:
            return [Outgoing(self._not_shared(named, "/follow @member"))]
        if self._new_member(msg):
            return [Outgoing("New members can follow shared portfolios after their first 24 hours in the group: a "
                             "cooling-off period, so nobody copies anyone in a hurry.")]
        again = self.store.follow(Follow(msg.chat_key, msg.user_key, portfolio.user_key, threshold,
                                         portfolio.segment, msg.received_at))
        record(self.audit, SHARING, user=msg.user_key, chat=msg.chat_key,
               data={"action": "follow", "threshold_bp": round(threshold * 10_000)})  # no floats in the log
        text = sharetext.followed_text(portfolio.handle, threshold, again, portfolio.risk, self._level(msg.user_key))
        return [Outgoing(text, private=True, private_fallback=(
            "I couldn't write to you privately, so I can't send you notes. Open a private chat with me (press Start), "
            "then /follow again here."))]

    def unfollow(self, msg: Incoming, args: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing(IN_GROUP.format(command="/unfollow @member"))]
        followed = self.store.following(msg.user_key, msg.chat_key)
        portfolio, named = self._target(msg, args)
        sharer = portfolio.user_key if portfolio is not None else None
        if sharer is None or not any(f.sharer_key == sharer for f in followed):
            who = named or "that member"
            return [Outgoing(f"You don't follow {who}'s portfolio here; there is nothing to stop.")]
        self.store.unfollow(msg.chat_key, msg.user_key, sharer)
        record(self.audit, SHARING, user=msg.user_key, chat=msg.chat_key, data={"action": "unfollow"})
        return [Outgoing(f"Done: you no longer follow {portfolio.handle if portfolio else named}.")]

    def on_button(self, msg: Incoming, rest: str) -> list[Outgoing]:
        """``share:u:<chat_key>:<sharer's platform id>``: the Unfollow button under a follower note."""
        kind, _, target = rest.partition(":")
        chat_key, _, sharer_id = target.rpartition(":")
        if kind == "u" and chat_key and sharer_id:
            platform = chat_key.partition(":")[0]
            if self.store.unfollow(chat_key, msg.user_key, f"{platform}:{sharer_id}"):
                record(self.audit, SHARING, user=msg.user_key, chat=chat_key, data={"action": "unfollow"})
                return [Outgoing("Done: you no longer follow that portfolio.", private=True)]
        return [Outgoing("That button has expired.", private=True)]

    # -- holdings changed: publish and tell followers ----------------------------------------------------------

    def holdings_changed(self, msg: Incoming) -> list[Outgoing]:
        """After the member's holdings changed (in private): for each group they share with, publish the new
        weights when the change passes the smallest threshold watching, and tell each follower whose own
        threshold it passes. An empty book ends the sharing (followers told). Never raises: the change to the
        holdings is already saved, and its reply must not be lost to a failure here (logged)."""
        try:
            return self._holdings_changed(msg)
        except Exception:
            log.exception("sharing: publishing a holdings change failed; the holdings are saved")
            return []

    def _holdings_changed(self, msg: Incoming) -> list[Outgoing]:
        shares = self.store.shares_of(msg.user_key)
        if not shares:
            return []
        book = self._book(msg.user_key)
        if book is None:
            return []  # the market data is down: nothing can be compared; the next change tries again
        if book.held == 0:
            return self._emptied(msg, shares)
        if not book.weights:
            return []
        # Each share's followers are read once: their baselines decide which prices to ask for, then who is told.
        followers = {p.chat_key: self.store.followers(p.chat_key, p.user_key) for p in shares}
        needed = set(book.weights)
        for portfolio in shares:
            needed |= set(portfolio.segment.weights)
            for follow in followers[portfolio.chat_key]:
                needed |= set(follow.baseline.weights)
        prices, _, _ = self._prices(needed, book.prices)
        notes: list[Outgoing] = []
        published = 0
        for portfolio in shares:
            told = self._publish(portfolio, followers[portfolio.chat_key], book, prices, msg.received_at)
            if told is not None:
                published += 1
                notes += told
        if published:
            notes.append(Outgoing(f"Your shared portfolio's weights were updated in {published} group(s); "
                                  f"{len(notes)} follower(s) were told privately (weights only).", private=True))
        return notes

    def _publish(self, portfolio: SharedPortfolio, followers: list[Follow], book: Book, prices: dict[str, float],
                 now: datetime) -> list[Outgoing] | None:
        """The notes for one share, None when nothing was published (too small a change, or a price missing)."""
        change = change_since(portfolio.segment, book.weights, prices)
        level = portfolio.segment.level_at(prices)
        watching = min([self.threshold, *(f.threshold for f in followers)])
        if change is None or level is None or change.size <= watching:
            return None
        segment = Segment(now, book.weights, book.prices, level)
        if not self.store.republish(portfolio.chat_key, portfolio.user_key, segment, book.risk):
            return None
        notes = []
        told = []
        for follow in followers:
            theirs = change_since(follow.baseline, book.weights, prices)
            if theirs is None or theirs.size <= follow.threshold:
                continue
            told.append(follow)
            text = sharetext.change_note(portfolio.handle, theirs, book.risk, self._level(follow.follower_key),
                                         book.as_of, book.source)
            button = Button("Unfollow", action=f"share:u:{portfolio.chat_key}:{_platform_id(portfolio.user_key)}")
            notes.append(Outgoing(text, recipient=_platform_id(follow.follower_key), private=True,
                                  buttons=(button,) if len(button.action.encode()) <= 64 else ()))
        self.store.told(told, segment)
        record(self.audit, SHARING, user=portfolio.user_key, chat=portfolio.chat_key,
               data={"action": "republish", "symbols": len(book.weights), "notes": len(notes)})
        return notes

    def forgetting(self, user_key: str) -> list[Outgoing]:
        """Before /forget erases a member's shares: their followers are told the portfolio is gone, as after an
        unshare (the erasure itself would leave them following nothing, unawares)."""
        return [note for portfolio in self.store.shares_of(user_key)
                for note in self._gone_notes(portfolio.handle, self.store.followers(portfolio.chat_key, user_key),
                                             empty=False)]

    def _emptied(self, msg: Incoming, shares: Iterable[SharedPortfolio]) -> list[Outgoing]:
        notes: list[Outgoing] = []
        chats = 0
        for portfolio in shares:
            gone = self.store.unshare(portfolio.chat_key, portfolio.user_key)
            if gone is not None:
                chats += 1
                record(self.audit, SHARING, user=msg.user_key, chat=portfolio.chat_key,
                       data={"action": "unshare", "followers": len(gone), "empty": True})
                notes += self._gone_notes(portfolio.handle, gone, empty=True)
        if chats:
            notes.append(Outgoing(f"Your portfolio is empty, so it is no longer shared in {chats} group(s).",
                                  private=True))
        return notes

    # -- helpers ------------------------------------------------------------------------------------------

    def _gone_notes(self, handle: str, gone: Iterable[Follow], *, empty: bool) -> list[Outgoing]:
        return [Outgoing(sharetext.gone_note(handle, empty), recipient=_platform_id(f.follower_key), private=True)
                for f in gone]

    def _book(self, user_key: str) -> Book | None:
        """The member's weights at current prices from a snapshot (its risk class too); None when the market
        data could not price anything because it is down."""
        try:
            snapshot = self.portfolios.snapshot(user_key)
        except MarketDataError as exc:
            log.warning("sharing: no snapshot (%s)", type(exc).__name__)
            return None
        priced = [h for h in snapshot.holdings if h.weight is not None and h.price]
        total = sum(h.weight or 0.0 for h in priced)
        weights = {h.symbol: (h.weight or 0.0) / total for h in priced} if total > 0 else {}
        source = next((mark.source for mark in snapshot.sources if mark.data == "quotes"), "")
        # A holding that is R5 whatever its history says makes the portfolio R5: copying it means buying one.
        risk: RiskLevel | None = "R5" if sharetext.always_r5(weights) else snapshot.risk.level
        return Book(weights, {h.symbol: h.price or 0.0 for h in priced if h.symbol in weights},
                    risk, snapshot.as_of, source, len(snapshot.holdings))

    def _prices(self, symbols: Iterable[str], known: dict[str, float] | None = None
                ) -> tuple[dict[str, float], datetime | None, str]:
        """Current prices (one quotes request for those not ``known``), the newest as-of time and the source."""
        prices = dict(known or {})
        missing = sorted(set(symbols) - set(prices))
        as_of: datetime | None = None
        source = ""
        if missing:
            try:
                quotes = self.portfolios.desk.market.quotes(missing)
            except MarketDataError as exc:
                log.warning("sharing: prices unavailable (%s)", type(exc).__name__)
                quotes = {}
            for symbol, quote in quotes.items():
                prices[symbol] = quote.price
                as_of = max(as_of, quote.as_of) if as_of is not None else quote.as_of
                source = source or quote.source
        return prices, as_of, source

    def _target(self, msg: Incoming, args: str) -> tuple[SharedPortfolio | None, str]:
        """The portfolio shared in this chat by the member named: mention ids first, else the typed handle (a
        display name may have spaces: the whole text is tried, then its first word)."""
        named = " ".join(args.split())
        for user_id in msg.mentioned:
            portfolio = self.store.shared(msg.chat_key, f"{msg.platform}:{user_id}")
            if portfolio is not None:
                return portfolio, named or portfolio.handle
        if not named:
            return None, ""
        first = named.split()[0]
        return self.store.find(msg.chat_key, named) or self.store.find(msg.chat_key, first), named

    def _not_shared(self, named: str, usage: str) -> str:
        if not named:
            return f"Whose portfolio? Usage: {usage}."
        shown = "".join(c for c in named if c.isalnum() or c in "@_.- ")[:40].strip()
        if not shown or named.startswith("<@"):  # a Discord mention: its id means nothing to the reader
            shown = "That member"
        return f"{shown} does not share a portfolio in this group (or stopped sharing it)."

    def _new_member(self, msg: Incoming) -> bool:
        joined = msg.joined_at
        if self.moderation is not None:
            stored = self.moderation.joined_at(msg.chat_key, msg.user_key, msg.received_at)
            joined = max(joined, stored) if joined is not None and stored is not None else joined or stored
        return joined is not None and msg.received_at - joined < NEW_MEMBER

    def _level(self, user_key: str) -> InvestorLevel | None:
        profile = self.portfolios.profiles.get(user_key)
        return profile.level if profile is not None else None


def _names_self(msg: Incoming, named: str) -> bool:
    """Whether the member named themselves (by mention or by their own handle) when nobody shares under it."""
    own = {handle_key(name) for name in (msg.username, msg.display_name) if name}
    return msg.user_id in msg.mentioned or (bool(named) and handle_key(named) in own)


def _platform_id(user_key: str) -> str:
    return user_key.partition(":")[2]


def _number(text: str) -> float | None:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a number of points


@dataclass
class SharingData:
    """/privacy and /forget: the member's shares and follows."""

    store: ShareStore

    def describe(self, user_key: str) -> Stored:
        shares, follows, followed = self.store.counts(user_key)
        stored = Stored()
        if shares:
            stored.lines.append(f"Your portfolio shared in {shares} group(s): symbols and weights only, shown to "
                                f"those groups ({followed} member(s) follow it).")
        if follows:
            stored.lines.append(f"You follow {follows} shared portfolio(s), with the weights you were last told.")
        return stored

    def erase(self, user_key: str) -> int:
        return self.store.erase(user_key)
