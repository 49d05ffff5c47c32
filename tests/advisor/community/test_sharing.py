"""The share store and the change rule, on SQLite and PostgreSQL: what is kept, how handles match, what goes
when a member unshares, forgets, or the chat moves; and how a change is measured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine

from advisor.community.sharing import Change, Follow, ShareStore, change_since, segment_from_json, segment_to_json
from advisor.community.types import Segment, SharedPortfolio

T0 = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
SEGMENT = Segment(T0, {"AAA": 0.6, "BBB": 0.4}, {"AAA": 100.0, "BBB": 50.0}, 1.0)


def shared(chat: str, user: str, handle: str, segment: Segment = SEGMENT) -> SharedPortfolio:
    return SharedPortfolio(chat, user, handle, T0, segment, "R3")


def test_a_share_round_trips_and_is_found_by_handle_in_its_chat_only(database_url: str) -> None:
    store = ShareStore(create_engine(database_url))
    store.share(shared("telegram:-1", "telegram:1", "@Alice"))
    store.share(shared("telegram:-2", "telegram:2", "Bob Example"))
    back = store.shared("telegram:-1", "telegram:1")
    assert back == shared("telegram:-1", "telegram:1", "@Alice")  # time zone, weights, prices and risk intact
    assert back is not None and abs((back.return_at({"AAA": 110.0, "BBB": 50.0}) or 0) - 0.6 * 0.1) < 1e-12
    for typed in ("@alice", "alice", " ALICE ", "@@Alice"):
        assert store.find("telegram:-1", typed) == back
    assert store.find("telegram:-2", "alice") is None  # shared in another group, not this one
    assert store.find("telegram:-2", "bob example") is not None
    assert [p.chat_key for p in store.shares_of("telegram:1")] == ["telegram:-1"]


def test_unshare_takes_the_follows_with_it(database_url: str) -> None:
    store = ShareStore(create_engine(database_url))
    store.share(shared("c", "telegram:1", "@a"))
    store.follow(Follow("c", "telegram:2", "telegram:1", 0.1, SEGMENT, T0))
    assert store.follow(Follow("c", "telegram:2", "telegram:1", 0.05, SEGMENT, T0)) is True  # again: replaced
    assert [f.threshold for f in store.followers("c", "telegram:1")] == [0.05]
    gone = store.unshare("c", "telegram:1")
    assert gone is not None and [f.follower_key for f in gone] == ["telegram:2"]
    assert store.following("telegram:2") == [] and store.shared("c", "telegram:1") is None
    assert store.unshare("c", "telegram:1") is None


def test_erase_removes_a_members_shares_their_follows_and_follows_of_them(database_url: str) -> None:
    store = ShareStore(create_engine(database_url))
    store.share(shared("c", "telegram:1", "@a"))
    store.share(shared("c", "telegram:2", "@b"))
    store.follow(Follow("c", "telegram:2", "telegram:1", 0.1, SEGMENT, T0))
    store.follow(Follow("c", "telegram:1", "telegram:2", 0.1, SEGMENT, T0))
    assert store.counts("telegram:1") == (1, 1, 1)
    assert store.erase("telegram:1") == 3  # their share, their follow, the follow of their share
    assert store.counts("telegram:1") == (0, 0, 0)
    assert store.shared("c", "telegram:2") is not None and store.counts("telegram:2") == (1, 0, 0)


def test_all_shared_pages_through_every_share_and_moves_with_the_chat(database_url: str) -> None:
    store = ShareStore(create_engine(database_url))
    for n in range(1003):  # three pages of 500
        store.share(shared(f"c{n % 3}", f"telegram:{n}", f"@m{n}"))
    keys = [(p.chat_key, p.user_key) for p in store.all_shared()]
    assert len(keys) == len(set(keys)) == 1003
    store.move("c0", "c9")
    store.removed("c1")
    chats = sorted({p.chat_key for p in store.all_shared()})
    assert chats == ["c2", "c9"]


def test_a_segment_survives_json_and_a_naive_time_is_read_as_utc() -> None:
    assert segment_from_json(segment_to_json(SEGMENT)) == SEGMENT
    naive = segment_to_json(Segment(datetime(2026, 1, 1), {"X": 1.0}, {"X": 2.0}, 1.5))
    assert segment_from_json(naive).start == datetime(2026, 1, 1, tzinfo=UTC)


def test_change_is_measured_against_drifted_weights() -> None:
    # AAA doubles: a copier of 60/40 now holds 75/25 without trading. A book at 75/25 has not changed.
    prices = {"AAA": 200.0, "BBB": 50.0}
    same = change_since(SEGMENT, {"AAA": 0.75, "BBB": 0.25}, prices)
    assert same is not None and same.size < 1e-12
    # Selling BBB outright for a new CCC moves 25 points out and 25 in: the size is the largest single move.
    swapped = change_since(SEGMENT, {"AAA": 0.75, "CCC": 0.25}, prices)
    assert swapped is not None and abs(swapped.size - 0.25) < 1e-12
    assert [(s, round(b, 2), round(a, 2)) for s, b, a in swapped.moves()] == [("BBB", 0.25, 0.0), ("CCC", 0.0, 0.25)]
    assert change_since(SEGMENT, {"AAA": 1.0}, {"AAA": 200.0}) is None  # BBB's price is missing: nothing is said
    assert Change({}, {}).size == 0.0


def test_follow_baseline_updates_when_told(database_url: str) -> None:
    store = ShareStore(create_engine(database_url))
    store.share(shared("c", "telegram:1", "@a"))
    follow = Follow("c", "telegram:2", "telegram:1", 0.1, SEGMENT, T0)
    store.follow(follow)
    later = Segment(T0 + timedelta(days=1), {"AAA": 1.0}, {"AAA": 120.0}, 1.1)
    store.told([follow], later)
    assert store.following("telegram:2")[0].baseline == later
