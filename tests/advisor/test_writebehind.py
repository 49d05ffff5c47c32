"""Rows written behind the chat: batched, kept in order when the database fails, bounded, and discardable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, create_engine, insert, select

from advisor.writebehind import WriteBehind

metadata = MetaData()
rows = Table("rows", metadata, Column("n", Integer))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def stored(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return [n for (n,) in connection.execute(select(rows.c.n))]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'wb.db'}")
    metadata.create_all(engine)
    return engine


def writer(engine: Engine, clock: Clock, fail: list[bool] | None = None, **limits: int) -> WriteBehind[int]:
    def write(connection: Connection, batch: list[int]) -> None:
        if fail and fail[0]:
            raise RuntimeError("database is locked")
        connection.execute(insert(rows), [{"n": n} for n in batch])

    return WriteBehind(engine, write, what="test rows", rows=limits.get("rows", 3), seconds=60.0,
                       max_rows=limits.get("max_rows", 100), clock=clock)


def test_rows_wait_for_a_batch_or_for_time_then_go_in_one_write(engine: Engine) -> None:
    clock = Clock()
    pending = writer(engine, clock)
    pending.add(1)
    pending.add(2)
    assert stored(engine) == [] and pending.pending() == 2
    pending.add(3)  # the third makes a batch
    assert stored(engine) == [1, 2, 3] and pending.pending() == 0
    pending.add(4)
    clock.now = 61.0
    pending.add(5)  # the oldest waited long enough
    assert stored(engine) == [1, 2, 3, 4, 5]


def test_a_failed_write_keeps_the_rows_in_order_for_the_next_try(engine: Engine,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    fail = [True]
    pending = writer(engine, Clock(), fail)
    for n in (1, 2, 3):
        pending.add(n)  # the batch fails quietly: logged, kept
    assert "could not write test rows" in caplog.text and pending.pending() == 3
    pending.add(4)
    with pytest.raises(RuntimeError):
        pending.flush()  # flush says so
    fail[0] = False
    pending.flush()
    assert stored(engine) == [1, 2, 3, 4]


def test_a_long_outage_drops_the_oldest_past_the_bound_and_says_so(engine: Engine,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    fail = [True]
    pending = writer(engine, Clock(), fail, rows=1000, max_rows=3)
    for n in range(1, 6):
        pending.add(n)
    assert pending.pending() == 3 and "piling up" in caplog.text
    fail[0] = False  # the database is back
    pending.flush()
    assert stored(engine) == [3, 4, 5]


def test_discard_removes_buffered_rows_before_they_are_written(engine: Engine) -> None:
    pending = writer(engine, Clock(), rows=10)
    for n in (1, 2, 3, 4):
        pending.add(n)
    assert pending.discard(lambda n: n % 2 == 0) == 2
    pending.flush()
    assert stored(engine) == [1, 3]


def test_a_quiet_chats_first_row_is_written_by_a_timer(engine: Engine) -> None:
    pending = WriteBehind(engine, lambda connection, batch: connection.execute(  # type: ignore[arg-type]
        insert(rows), [{"n": n} for n in batch]), what="test rows", rows=10, seconds=0.05)
    pending.add(7)
    deadline = time.monotonic() + 5
    while not stored(engine) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stored(engine) == [7]
