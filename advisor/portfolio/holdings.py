"""Holdings: what a member owns, validated on the way in, merged when added twice, stored encrypted per member.

A repeated add of the same symbol merges into one holding (the chat answer says so):
- quantities add;
- the cost per unit is the quantity-weighted average when both lots have a cost, and UNKNOWN when either lot
  lacks one: an average over a lot of unknown price would be a made-up number, and P&L built on it would be
  wrong without saying so. The member can add the missing cost again to fix it;
- the purchase date is the earlier of the two, and unknown when either is unknown, for the same reason. (Lots
  are not kept apart, so a merged cost in a foreign currency is converted at that earliest date's rate.)

Storage: one row per member, keyed by an HMAC of the platform user id (the profiles' derivation and key, so
``/forget`` finds both), holding the Fernet-encrypted list. Adds are read-modify-write, made safe under
concurrency by a version column (compare-and-swap, retried), which works the same on SQLite and PostgreSQL.
A row that cannot be decrypted reads as empty (logged), but a write to it raises ``HoldingsUnreadableError``
instead of replacing it, so nothing is lost silently; ``clear`` and ``delete`` still erase it on request.
A write that read the member's row and finds it erased when it comes to write (``/forget`` ran in between)
raises ``HoldingsErasedError`` rather than inserting the book again: an erasure is never undone by a write that
started before it. (A write that read no row at all is an ordinary first add, ordered after the erasure.)
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar

from cryptography.fernet import InvalidToken
from sqlalchemy import DateTime, Integer, LargeBinary, String, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from advisor.keys import KeyRing
from knowledge.errors import UserError

log = logging.getLogger(__name__)

MAX_QUANTITY = 1e9  # more units than any member plausibly holds: a typo (or a price in the quantity column)
MAX_COST = 1e7  # per unit, in the symbol's currency: above Berkshire A's price by an order of magnitude
EARLIEST_DATE = date(1900, 1, 1)
DATE_SLACK = timedelta(days=1)  # a member east of the server may already be on tomorrow's date
MAX_SYMBOL_LENGTH = 32


class HoldingError(UserError):
    """A holding the member typed that cannot be right (the message says what to fix)."""


class HoldingsUnreadableError(UserError):
    def __init__(self) -> None:
        super().__init__("Your saved portfolio could not be read (it may have been saved with another key), so I "
                         "changed nothing. Ask the operator to check, or use /portfolio clear to start again.")


class HoldingsErasedError(UserError):
    def __init__(self) -> None:
        super().__init__("Your portfolio was deleted while this change was being made, so I saved nothing. "
                         "Add the holding again if you still want it recorded.")


class HoldingsBusyError(UserError):
    def __init__(self) -> None:
        super().__init__("Your portfolio is being changed from somewhere else right now. Please try again.")


def _number(value: float, what: str, symbol: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HoldingError(f"The {what} of {symbol} must be a number, not {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise HoldingError(f"The {what} of {symbol} must be a finite number.")
    return number


@dataclass(frozen=True)
class Holding:
    """``quantity`` units of ``symbol`` (a normalised Yahoo symbol), bought at ``cost`` per unit in the symbol's
    currency (None: not given) on ``bought`` (None: not given). Validated on construction."""

    symbol: str
    quantity: float
    cost: float | None = None
    bought: date | None = None

    def __post_init__(self) -> None:
        symbol = self.symbol
        if not isinstance(symbol, str) or not symbol or any(c.isspace() for c in symbol) \
                or len(symbol) > MAX_SYMBOL_LENGTH:
            raise HoldingError(f"{symbol!r} is not a symbol.")
        quantity = _number(self.quantity, "quantity", symbol)
        if quantity <= 0:
            raise HoldingError(f"The quantity of {symbol} must be more than zero (got {quantity:g}).")
        if quantity > MAX_QUANTITY:
            raise HoldingError(f"{quantity:g} units of {symbol} is more than I accept ({MAX_QUANTITY:g}); "
                               "please check the quantity.")
        object.__setattr__(self, "quantity", quantity)
        if self.cost is not None:
            cost = _number(self.cost, "price paid", symbol)
            if cost <= 0:
                raise HoldingError(f"The price paid for {symbol} must be more than zero (got {cost:g}).")
            if cost > MAX_COST:
                raise HoldingError(f"A price of {cost:g} per unit of {symbol} is more than I accept "
                                   f"({MAX_COST:g}); please check the price.")
            object.__setattr__(self, "cost", cost)
        if self.bought is not None:
            if isinstance(self.bought, datetime) or not isinstance(self.bought, date):
                raise HoldingError(f"The purchase date of {symbol} must be a date (YYYY-MM-DD).")
            if self.bought > date.today() + DATE_SLACK:
                raise HoldingError(f"The purchase date of {symbol} ({self.bought.isoformat()}) is in the future.")
            if self.bought < EARLIEST_DATE:
                raise HoldingError(f"The purchase date of {symbol} ({self.bought.isoformat()}) is before 1900.")


def merge(existing: Holding, new: Holding) -> Holding:
    """One holding from two lots of the same symbol (rules in the module docstring). Raises ``HoldingError``
    when the sum is absurd."""
    if existing.symbol != new.symbol:
        raise ValueError(f"cannot merge {existing.symbol} into {new.symbol}")
    quantity = existing.quantity + new.quantity
    cost = None
    if existing.cost is not None and new.cost is not None:
        cost = (existing.quantity * existing.cost + new.quantity * new.cost) / quantity
    bought = min(existing.bought, new.bought) if existing.bought and new.bought else None
    return Holding(existing.symbol, quantity, cost, bought)


def _reduce(holding: Holding, quantity: float | None) -> Holding | None:
    """What is left after removing ``quantity`` units (None: all of them). The cost per unit is unchanged."""
    if quantity is None:
        return None
    quantity = _number(quantity, "quantity to remove", holding.symbol)
    if quantity <= 0:
        raise HoldingError(f"The quantity of {holding.symbol} to remove must be more than zero.")
    # Float sums (0.1 + 0.2) must not leave a dust holding of 5e-17 units.
    left = holding.quantity - quantity
    if abs(left) <= 1e-9 * holding.quantity:
        return None
    if left < 0:
        raise HoldingError(f"You hold {holding.quantity:g} {holding.symbol}, fewer than the {quantity:g} to remove.")
    return Holding(holding.symbol, left, holding.cost, holding.bought)


# -- the operations both stores share (on a {symbol: Holding} dict, in insertion order) ------------

Book = dict[str, Holding]
T = TypeVar("T")


def _add_all(book: Book, holdings: Iterable[Holding]) -> list[bool]:
    merged: list[bool] = []
    for holding in holdings:
        previous = book.get(holding.symbol)
        book[holding.symbol] = merge(previous, holding) if previous else holding
        merged.append(previous is not None)
    return merged


def _remove(book: Book, symbol: str, quantity: float | None) -> bool:
    holding = book.get(symbol)
    if holding is None:
        return False
    left = _reduce(holding, quantity)
    if left is None:
        del book[symbol]
    else:
        book[symbol] = left
    return True


class HoldingsStore(Protocol):
    def all(self, user_id: str) -> list[Holding]: ...
    def get(self, user_id: str, symbol: str) -> Holding | None: ...
    def add(self, user_id: str, holding: Holding) -> bool: ...  # True when it merged into an existing holding
    def add_many(self, user_id: str, holdings: Iterable[Holding]) -> list[bool]: ...  # one write, for imports
    # None removes the whole holding; a quantity removes that many units. False when there was none.
    def remove(self, user_id: str, symbol: str, quantity: float | None = None) -> bool: ...
    def clear(self, user_id: str) -> int: ...  # how many holdings it removed
    def delete(self, user_id: str) -> bool: ...  # /forget: erase the member's row, readable or not


class Base(DeclarativeBase):
    pass


class HoldingsRow(Base):
    __tablename__ = "portfolio_holdings"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer)  # bumped on every write: the compare-and-swap token
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


MAX_ATTEMPTS = 200  # a write retried this often has met ~200 concurrent writers to the same member's row


class SqlHoldingsStore:
    def __init__(self, engine: Engine, key: bytes | KeyRing) -> None:
        self.engine = engine
        self.ring = KeyRing.from_key(key)
        self.user_key = self.ring.pseudonym  # the profiles' keys: /forget finds both
        Base.metadata.create_all(engine)

    # -- reading --------------------------------------------------------------------------------

    def _decode(self, payload: bytes) -> Book:
        data = json.loads(self.ring.decrypt(payload))
        book: Book = {}
        for item in data["holdings"]:
            bought = date.fromisoformat(item["bought"]) if item["bought"] else None
            holding = Holding(str(item["symbol"]), float(item["quantity"]),
                              None if item["cost"] is None else float(item["cost"]), bought)
            book[holding.symbol] = holding
        return book

    def _encode(self, book: Book) -> bytes:
        items = [{"symbol": h.symbol, "quantity": h.quantity, "cost": h.cost,
                  "bought": h.bought.isoformat() if h.bought else None} for h in book.values()]
        return self.ring.encrypt(json.dumps({"holdings": items}).encode())

    def _read(self, key: str) -> tuple[bytes, int] | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(HoldingsRow.payload, HoldingsRow.version)
                                     .where(HoldingsRow.user_key == key)).first()
        return None if row is None else (row[0], row[1])

    def all(self, user_id: str) -> list[Holding]:
        found = self._read(self.user_key(user_id))
        if found is None:
            return []
        try:
            return list(self._decode(found[0]).values())
        except (InvalidToken, ValueError, KeyError, TypeError, UserError) as exc:
            log.warning("unreadable holdings row %s… (%s); showing an empty portfolio",
                        self.user_key(user_id)[:8], type(exc).__name__)
            return []

    def get(self, user_id: str, symbol: str) -> Holding | None:
        return next((h for h in self.all(user_id) if h.symbol == symbol), None)

    # -- writing (compare-and-swap on the version column) ----------------------------------------

    def _update(self, user_id: str, change: Callable[[Book], T]) -> T:
        key = self.user_key(user_id)
        for attempt in range(MAX_ATTEMPTS):
            found = self._read(key)
            if found is None:
                book: Book = {}
            else:
                try:
                    book = self._decode(found[0])
                except (InvalidToken, ValueError, KeyError, TypeError, UserError) as exc:
                    log.error("refusing to overwrite unreadable holdings row %s… (%s)", key[:8], type(exc).__name__)
                    raise HoldingsUnreadableError() from exc
            result = change(book)  # raises HoldingError before anything is written
            now = datetime.now(UTC)
            try:
                with self.engine.begin() as connection:
                    if found is None:
                        connection.execute(insert(HoldingsRow).values(user_key=key, payload=self._encode(book),
                                                                      version=1, updated_at=now))
                        return result
                    written = connection.execute(
                        update(HoldingsRow).where(HoldingsRow.user_key == key, HoldingsRow.version == found[1])
                        .values(payload=self._encode(book), version=found[1] + 1, updated_at=now))
                    if written.rowcount == 1:
                        return result
                    # The row we read is gone: /forget (or /portfolio clear) erased it meanwhile. Inserting the
                    # changed book now would bring the erased holdings back, so the change is refused.
                    if connection.execute(select(HoldingsRow.version).where(HoldingsRow.user_key == key)).first() \
                            is None:
                        raise HoldingsErasedError()
            except IntegrityError:
                pass  # another writer created the row first: read it and apply the change again
            except OperationalError as exc:  # SQLite: "database is locked" when writers pile up
                if "locked" not in str(exc).lower():
                    raise
            time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))  # jitter, so retries spread out
        raise HoldingsBusyError()

    def add(self, user_id: str, holding: Holding) -> bool:
        return self._update(user_id, lambda book: _add_all(book, [holding]))[0]

    def add_many(self, user_id: str, holdings: Iterable[Holding]) -> list[bool]:
        lots = list(holdings)
        return self._update(user_id, lambda book: _add_all(book, lots)) if lots else []

    def remove(self, user_id: str, symbol: str, quantity: float | None = None) -> bool:
        return self._update(user_id, lambda book: _remove(book, symbol, quantity))

    def clear(self, user_id: str) -> int:
        count = len(self.all(user_id))
        self.delete(user_id)
        return count

    def delete(self, user_id: str) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(delete(HoldingsRow).where(HoldingsRow.user_key == self.user_key(user_id)))
            return bool(result.rowcount)


class MemoryHoldingsStore:
    """In-memory holdings for tests and one-off CLI runs (same rules, one lock)."""

    def __init__(self) -> None:
        self._books: dict[str, Book] = {}
        self._lock = threading.Lock()

    def _update(self, user_id: str, change: Callable[[Book], T]) -> T:
        with self._lock:
            book = dict(self._books.get(user_id, {}))
            result = change(book)  # on an error the stored book is untouched
            self._books[user_id] = book
            return result

    def all(self, user_id: str) -> list[Holding]:
        with self._lock:
            return list(self._books.get(user_id, {}).values())

    def get(self, user_id: str, symbol: str) -> Holding | None:
        with self._lock:
            return self._books.get(user_id, {}).get(symbol)

    def add(self, user_id: str, holding: Holding) -> bool:
        return self._update(user_id, lambda book: _add_all(book, [holding]))[0]

    def add_many(self, user_id: str, holdings: Iterable[Holding]) -> list[bool]:
        lots = list(holdings)
        return self._update(user_id, lambda book: _add_all(book, lots))

    def remove(self, user_id: str, symbol: str, quantity: float | None = None) -> bool:
        return self._update(user_id, lambda book: _remove(book, symbol, quantity))

    def clear(self, user_id: str) -> int:
        with self._lock:
            return len(self._books.pop(user_id, {}))

    def delete(self, user_id: str) -> bool:
        with self._lock:
            return self._books.pop(user_id, None) is not None
