"""Holdings: what a member may enter, how two lots of one symbol merge, and how they are stored."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text

from advisor.portfolio.holdings import (
    Holding,
    HoldingError,
    HoldingsRow,
    HoldingsStore,
    HoldingsUnreadableError,
    MemoryHoldingsStore,
    SqlHoldingsStore,
    merge,
)
from advisor.profiles import SqlProfileStore

# -- validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("quantity", "cost", "bought", "message"), [
    (0, None, None, "quantity of AAPL must be more than zero"),
    (-5, None, None, "quantity of AAPL must be more than zero"),
    (2e9, None, None, "more than I accept"),
    (float("nan"), None, None, "finite"),
    (True, None, None, "must be a number"),
    (10, 0, None, "price paid for AAPL must be more than zero"),
    (10, -1.5, None, "price paid for AAPL must be more than zero"),
    (10, 2e7, None, "more than I accept"),
    (10, float("inf"), None, "finite"),
    (10, 150, date.today() + timedelta(days=2), "is in the future"),
    (10, 150, date(1899, 12, 31), "before 1900"),
])
def test_impossible_holdings_are_refused_with_a_reason(quantity: float, cost: float | None, bought: date | None,
                                                       message: str) -> None:
    with pytest.raises(HoldingError, match=message):
        Holding("AAPL", quantity, cost, bought)


def test_plausible_holdings_are_accepted() -> None:
    assert Holding("BTC-USD", 0.015).quantity == 0.015  # fractions of a coin or a fund unit
    assert Holding("AAPL", 10, 150, date.today() + timedelta(days=1)).bought  # the member's tomorrow, east of us
    assert Holding("BRK-A", 1, 650_000.0, date(1965, 5, 10)).cost == 650_000.0
    assert isinstance(Holding("AAPL", 3).quantity, float)


@pytest.mark.parametrize("symbol", ["", " AAPL", "A B", "AAPL\n", "X" * 40])
def test_a_symbol_must_look_like_one(symbol: str) -> None:
    with pytest.raises(HoldingError, match="is not a symbol"):
        Holding(symbol, 1)


# -- merging ------------------------------------------------------------------------------------------


def test_merging_adds_quantities_and_averages_the_cost_by_quantity() -> None:
    merged = merge(Holding("AAPL", 10, 100.0, date(2021, 3, 1)), Holding("AAPL", 30, 120.0, date(2020, 6, 15)))
    assert merged.quantity == 40
    assert merged.cost == pytest.approx((10 * 100.0 + 30 * 120.0) / 40)  # 115, not the plain mean 110
    assert merged.bought == date(2020, 6, 15)  # the earlier lot


def test_a_lot_of_unknown_cost_makes_the_average_unknown() -> None:
    assert merge(Holding("AAPL", 10, 100.0), Holding("AAPL", 5)).cost is None
    assert merge(Holding("AAPL", 5), Holding("AAPL", 10, 100.0)).cost is None
    assert merge(Holding("AAPL", 10, 100.0, date(2021, 1, 4)), Holding("AAPL", 5, 90.0)).bought is None


def test_merging_different_symbols_or_past_the_limit_fails() -> None:
    with pytest.raises(ValueError, match="cannot merge"):
        merge(Holding("AAPL", 1), Holding("MSFT", 1))
    with pytest.raises(HoldingError, match="more than I accept"):
        merge(Holding("AAPL", 6e8), Holding("AAPL", 6e8))


# -- the stores (both kinds answer the same way) ----------------------------------------------------


@pytest.fixture
def key() -> bytes:
    return Fernet.generate_key()


@pytest.fixture(params=["sql", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path, key: bytes) -> HoldingsStore:
    if request.param == "memory":
        return MemoryHoldingsStore()
    return SqlHoldingsStore(create_engine(f"sqlite:///{tmp_path / 'rt.db'}"), key)


def test_member_adds_twice_and_is_told_it_merged(store: HoldingsStore) -> None:
    assert store.add("telegram:1", Holding("AAPL", 10, 150.0, date(2022, 1, 3))) is False
    assert store.add("telegram:1", Holding("MSFT", 2)) is False
    assert store.add("telegram:1", Holding("AAPL", 10, 170.0, date(2023, 1, 3))) is True
    assert store.get("telegram:1", "AAPL") == Holding("AAPL", 20, 160.0, date(2022, 1, 3))
    assert [h.symbol for h in store.all("telegram:1")] == ["AAPL", "MSFT"]  # in the order first added
    assert store.all("telegram:2") == [] and store.get("telegram:2", "AAPL") is None


def test_add_many_merges_within_and_with_the_stored_holdings(store: HoldingsStore) -> None:
    store.add("u", Holding("AAPL", 1, 100.0))
    merged = store.add_many("u", [Holding("MSFT", 1), Holding("AAPL", 3, 200.0), Holding("MSFT", 2)])
    assert merged == [False, True, True]
    assert store.get("u", "AAPL") == Holding("AAPL", 4, (100.0 + 3 * 200.0) / 4)
    assert store.get("u", "MSFT") == Holding("MSFT", 3)


def test_remove_part_all_or_too_much(store: HoldingsStore) -> None:
    store.add("u", Holding("AAPL", 10, 150.0))
    assert store.remove("u", "AAPL", 4) is True
    assert store.get("u", "AAPL") == Holding("AAPL", 6, 150.0)  # the cost per unit stays
    with pytest.raises(HoldingError, match="fewer than the 7 to remove"):
        store.remove("u", "AAPL", 7)
    assert store.get("u", "AAPL") == Holding("AAPL", 6, 150.0)  # unchanged by the refused removal
    assert store.remove("u", "MSFT") is False
    store.add("u", Holding("ETH-USD", 0.1))
    store.add("u", Holding("ETH-USD", 0.2))
    assert store.remove("u", "ETH-USD", 0.3) is True  # 0.1 + 0.2 - 0.3 leaves no dust holding
    assert store.remove("u", "AAPL") is True
    assert store.all("u") == []


def test_a_refused_merge_changes_nothing(store: HoldingsStore) -> None:
    store.add("u", Holding("AAPL", 9e8))
    with pytest.raises(HoldingError):
        store.add("u", Holding("AAPL", 2e8))
    assert store.get("u", "AAPL") == Holding("AAPL", 9e8)


def test_clear_and_forget(store: HoldingsStore) -> None:
    store.add_many("u", [Holding("AAPL", 1), Holding("MSFT", 1)])
    store.add("other", Holding("AAPL", 5))
    assert store.clear("u") == 2
    assert store.all("u") == [] and store.clear("u") == 0
    store.add("u", Holding("AAPL", 1))
    assert store.delete("u") is True and store.delete("u") is False
    assert store.all("other") == [Holding("AAPL", 5)]


# -- encryption at rest and unreadable rows ---------------------------------------------------------


def test_rows_hold_no_raw_ids_or_holdings(tmp_path: Path, key: bytes) -> None:
    store = SqlHoldingsStore(create_engine(f"sqlite:///{tmp_path / 'rt.db'}"), key)
    store.add("discord:777", Holding("NVDA", 12.5, 432.1, date(2023, 2, 1)))
    raw = (tmp_path / "rt.db").read_bytes()
    assert b"discord:777" not in raw and b"NVDA" not in raw and b"432.1" not in raw


def test_rows_share_the_profiles_user_key_so_forget_finds_both(tmp_path: Path, key: bytes) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'rt.db'}")
    holdings, profiles = SqlHoldingsStore(engine, key), SqlProfileStore(engine, key)
    assert holdings.user_key("telegram:42") == profiles.user_key("telegram:42")


def test_another_key_reads_an_empty_portfolio_and_may_not_overwrite_it(tmp_path: Path, key: bytes,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'rt.db'}"
    SqlHoldingsStore(create_engine(url), key).add("telegram:42", Holding("AAPL", 10))
    stranger = SqlHoldingsStore(create_engine(url), Fernet.generate_key())
    assert stranger.all("telegram:42") == []  # (another key also means another user key: no row found)
    owner = SqlHoldingsStore(create_engine(url), key)
    with owner.engine.begin() as connection:
        before = connection.execute(select(HoldingsRow.payload)).scalar_one()
        connection.execute(text("UPDATE portfolio_holdings SET payload = :junk"), {"junk": b"not a fernet token"})
    assert owner.all("telegram:42") == []
    assert "unreadable holdings row" in caplog.text
    with pytest.raises(HoldingsUnreadableError, match="changed nothing"):
        owner.add("telegram:42", Holding("MSFT", 1))
    with owner.engine.connect() as connection:
        assert connection.execute(select(HoldingsRow.payload)).scalar_one() == b"not a fernet token" != before
    assert owner.clear("telegram:42") == 0  # an explicit clear may erase what nobody can read
    assert owner.add("telegram:42", Holding("MSFT", 1)) is False


# -- concurrency --------------------------------------------------------------------------------------


def _add_concurrently(store: HoldingsStore, user: str, threads: int, adds: int) -> None:
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        start.wait()
        try:
            for _ in range(adds):
                store.add(user, Holding("AAPL", 1, 100.0 + n))
                store.add(user, Holding(f"T{n}", 1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []


def _check_nothing_lost(store: HoldingsStore, user: str, threads: int, adds: int) -> None:
    book = {h.symbol: h for h in store.all(user)}
    assert book["AAPL"].quantity == threads * adds
    # Every thread paid its own price per unit the same number of times: the average is their mean.
    assert book["AAPL"].cost == pytest.approx(sum(100.0 + n for n in range(threads)) / threads)
    assert {f"T{n}": adds for n in range(threads)} == {s: h.quantity for s, h in book.items() if s != "AAPL"}


def test_concurrent_adds_on_sqlite_lose_nothing(tmp_path: Path, key: bytes) -> None:
    store = SqlHoldingsStore(create_engine(f"sqlite:///{tmp_path / 'rt.db'}"), key)
    _add_concurrently(store, "telegram:7", threads=8, adds=15)
    _check_nothing_lost(store, "telegram:7", threads=8, adds=15)


def test_concurrent_adds_in_memory_lose_nothing() -> None:
    store = MemoryHoldingsStore()
    _add_concurrently(store, "u", threads=8, adds=50)
    _check_nothing_lost(store, "u", threads=8, adds=50)


@pytest.fixture
def postgres_store(postgres_url: str, key: bytes) -> Iterator[SqlHoldingsStore]:
    engine = create_engine(postgres_url, pool_size=10)
    yield SqlHoldingsStore(engine, key)
    engine.dispose()


def test_concurrent_adds_on_postgres_lose_nothing(postgres_store: SqlHoldingsStore) -> None:
    _add_concurrently(postgres_store, "telegram:pg", threads=8, adds=15)
    _check_nothing_lost(postgres_store, "telegram:pg", threads=8, adds=15)
    assert postgres_store.delete("telegram:pg") is True
