"""Track records as the daily job builds them: one point a trading day per shared portfolio, a summary folded in
as it goes, and public calls graded 5 and 20 trading days after the first close that followed them."""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import create_engine

from advisor.community.calls import Call
from advisor.community.keeper import RecordKeeper
from advisor.community.leaderboard import sharpe_of
from advisor.community.records import MAX_CALLS_PER_DAY, RecordStore
from tests.advisor.community.records_fakes import FakeShares, after_close, fake_close, market, weekdays

CHAT = "telegram:-100"
ALICE = "telegram:1"
# A wobbly climb and a benchmark that rises a little every day.
AAA = [100 * (1 + 0.002 * i + 0.02 * math.sin(i)) for i in range(40)]
SPY = [400 + i for i in range(40)]
DAYS = weekdays(40)


def keeper(store: RecordStore, shares: FakeShares) -> RecordKeeper:
    return RecordKeeper(store, shares, market({"AAA": AAA, "SPY": SPY, "UP": [50 + i for i in range(40)],
                                               "DOWN": [90 - i for i in range(40)]}), closes_at=fake_close)


@pytest.fixture
def store(tmp_path: object) -> RecordStore:
    return RecordStore(create_engine(f"sqlite:///{tmp_path}/records.db"))


def test_a_month_of_daily_points_gives_the_same_figures_as_the_price_series(database_url: str) -> None:
    store, shares = RecordStore(create_engine(database_url)), FakeShares()
    shares.share(CHAT, ALICE, "@alice", {"AAA": 1.0}, {"AAA": AAA[0]}, after_close(DAYS[0]))
    job = keeper(store, shares)
    for day in DAYS[:30]:
        result = job.run(after_close(day))
        assert result.day == day and result.points == 1

    [summary] = store.summaries(CHAT)
    returns = [b / a - 1 for a, b in itertools.pairwise(AAA[:30])]
    assert summary.n == 29 and summary.first_day == DAYS[0] and summary.last_day == DAYS[29]
    assert summary.level == pytest.approx(AAA[29] / AAA[0])
    assert summary.bench_level == pytest.approx(SPY[29] / SPY[0])
    peak, worst = AAA[0], 0.0
    for close in AAA[:30]:
        peak = max(peak, close)
        worst = max(worst, 1 - close / peak)
    assert summary.max_drawdown == pytest.approx(worst)
    sharpe, volatility = sharpe_of(summary.n, summary.sum_r, summary.sum_r2)
    assert volatility == pytest.approx(statistics.stdev(returns) * math.sqrt(252))
    assert sharpe == pytest.approx(statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(252))
    assert [level for _, level in store.points(CHAT, ALICE)] == pytest.approx([c / AAA[0] for c in AAA[:30]])


def test_running_twice_on_a_day_counts_nothing_twice(store: RecordStore) -> None:
    shares = FakeShares()
    shares.share(CHAT, ALICE, "@alice", {"AAA": 1.0}, {"AAA": AAA[0]}, after_close(DAYS[0]))
    job = keeper(store, shares)
    job.run(after_close(DAYS[0]))
    job.run(after_close(DAYS[1]))
    again = job.run(after_close(DAYS[1]) + timedelta(hours=1))
    assert again.points == 0
    assert store.summaries(CHAT)[0].n == 1


def test_a_rebalance_keeps_the_index_going(store: RecordStore) -> None:
    shares = FakeShares()
    shares.share(CHAT, ALICE, "@alice", {"AAA": 1.0}, {"AAA": AAA[0]}, after_close(DAYS[0]))
    job = keeper(store, shares)
    for day in DAYS[:5]:
        job.run(after_close(day))
    shares.rebalance(CHAT, ALICE, {"AAA": 0.5, "SPY": 0.5}, {"AAA": AAA[4], "SPY": SPY[4]}, after_close(DAYS[4]))
    job.run(after_close(DAYS[5]))
    expected = AAA[4] / AAA[0] * (0.5 * AAA[5] / AAA[4] + 0.5 * SPY[5] / SPY[4])
    assert store.summaries(CHAT)[0].level == pytest.approx(expected)


def test_unsharing_leaves_the_board_and_sharing_again_does_not_reset_the_record(store: RecordStore) -> None:
    shares = FakeShares()
    shares.share(CHAT, ALICE, "@alice", {"DOWN": 1.0}, {"DOWN": 90}, after_close(DAYS[0]))
    job = keeper(store, shares)
    for day in DAYS[:5]:
        job.run(after_close(day))
    fallen = store.summaries(CHAT)[0].level
    assert fallen == pytest.approx(86 / 90)

    shares.unshare(CHAT, ALICE)
    job.run(after_close(DAYS[5]))
    assert store.summaries(CHAT) == []  # not sharing, no calls: nothing to show
    assert store.member_counts(ALICE) == (1, 5, 0)  # but the record is kept

    shares.share(CHAT, ALICE, "@alice", {"UP": 1.0}, {"UP": 57}, after_close(DAYS[7]))  # a fresh index at 1.0
    job.run(after_close(DAYS[7]))
    job.run(after_close(DAYS[8]))
    [summary] = store.summaries(CHAT)
    assert summary.active and summary.n == 5  # four before, one since sharing again (the re-share day has none)
    assert summary.level == pytest.approx(fallen * 58 / 57)


def test_calls_are_graded_from_the_first_close_after_the_post(store: RecordStore) -> None:
    job = keeper(store, FakeShares())
    during = datetime.combine(DAYS[0], time(15, 0), UTC)  # before day 0's close: its base is day 0's close
    after = datetime.combine(DAYS[1], time(23, 0), UTC)  # after day 1's close: its base is day 2's close
    assert store.add_call(CHAT, ALICE, "@alice", Call("UP", 1), during)
    assert store.add_call(CHAT, ALICE, "@alice", Call("DOWN", 1), after)  # bought a falling symbol: wrong
    job.run(after_close(DAYS[5]))
    [summary] = store.summaries(CHAT)
    assert (summary.calls5, summary.hits5) == (1, 1)  # the DOWN call needs day 7
    job.run(after_close(DAYS[7]))
    job.run(after_close(DAYS[22]))
    [summary] = store.summaries(CHAT)
    assert (summary.calls5, summary.hits5, summary.calls20, summary.hits20) == (2, 1, 2, 1)
    assert store.pending_calls() == []


def test_a_call_market_data_never_knows_is_dropped_after_ninety_days(store: RecordStore) -> None:
    job = keeper(store, FakeShares())
    store.add_call(CHAT, ALICE, "@alice", Call("ZZZZ", 1), after_close(DAYS[0]))
    assert job.run(after_close(DAYS[10])).dropped == 0
    assert job.run(after_close(DAYS[0]) + timedelta(days=91)).dropped == 1
    assert store.pending_calls() == []


def test_volume_does_not_buy_a_hit_rate(store: RecordStore) -> None:
    at = after_close(DAYS[0])
    assert store.add_call(CHAT, ALICE, "@alice", Call("UP", 1), at)
    assert not store.add_call(CHAT, ALICE, "@alice", Call("UP", 1), at + timedelta(minutes=5))  # same symbol today
    for i in range(MAX_CALLS_PER_DAY - 1):
        assert store.add_call(CHAT, ALICE, "@alice", Call(f"S{i}", 1), at)
    assert not store.add_call(CHAT, ALICE, "@alice", Call("MORE", -1), at)  # over the day's cap
    assert store.add_call(CHAT, ALICE, "@alice", Call("UP", 1), at + timedelta(days=1))  # a new day
    assert store.member_counts(ALICE)[2] == MAX_CALLS_PER_DAY + 1


def test_forget_erases_points_summary_and_calls(store: RecordStore) -> None:
    shares = FakeShares()
    shares.share(CHAT, ALICE, "@alice", {"AAA": 1.0}, {"AAA": AAA[0]}, after_close(DAYS[0]))
    shares.share(CHAT, "telegram:2", "@bob", {"AAA": 1.0}, {"AAA": AAA[0]}, after_close(DAYS[0]))
    job = keeper(store, shares)
    job.run(after_close(DAYS[0]))
    store.add_call(CHAT, ALICE, "@alice", Call("UP", 1), after_close(DAYS[0]))
    assert store.forget_member(ALICE) == 3  # summary, one point, one call
    assert store.member_counts(ALICE) == (0, 0, 0)
    assert store.member_counts("telegram:2") == (1, 1, 0)


def test_an_outage_records_nothing_and_the_next_run_catches_up(store: RecordStore) -> None:
    shares = FakeShares()
    shares.share(CHAT, ALICE, "@alice", {"AAA": 1.0}, {"AAA": AAA[0]}, after_close(DAYS[0]))
    store.add_call(CHAT, ALICE, "@alice", Call("UP", 1), after_close(DAYS[0]))
    job = keeper(store, shares)
    job.run(after_close(DAYS[0]))
    job.market.fail = True  # type: ignore[attr-defined]
    down = job.run(after_close(DAYS[6]))
    assert down.day is None and down.points == 0 and down.graded == 0 and len(down.errors) == 2
    job.market.fail = False  # type: ignore[attr-defined]
    back = job.run(after_close(DAYS[7]))
    assert back.day == DAYS[7] and back.points == 1 and back.graded == 1  # the 5-day grade, two days late
    [summary] = store.summaries(CHAT)
    assert summary.n == 1 and summary.level == pytest.approx(AAA[7] / AAA[0])  # one return spanning the gap
