"""The rules of contribution points, on marks written out by hand: who earns what, and how farming is discounted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from advisor.community.points import (
    CIRCLE_WEIGHT,
    DAILY_CAP,
    HELPFUL,
    NEW_WEIGHT,
    QUIZ,
    STRIKE,
    Mark,
    is_new_giver,
    mark_weights,
    ranked,
    small_circles,
    standings,
    strongly_connected,
)

DAY1 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def mark(giver: str, receiver: str, post: str, at: datetime = DAY1, new: bool = False) -> Mark:
    return Mark(giver, receiver, post, at, new)


def honest_helper_marks() -> list[Mark]:
    """Five members who never mark each other each thank the helper once, over two days."""
    return [mark(f"m{n}", "helper", f"h{n}", DAY1 if n < 3 else DAY2) for n in range(5)]


def ring_marks(members: list[str], *, posts_a_day: int = 3, days: int = 2, new: bool = False) -> list[Mark]:
    """A ring farming points: every member marks every post of every other member, every day."""
    marks = []
    for day in range(days):
        at = DAY1 + timedelta(days=day)
        for author in members:
            for post in range(posts_a_day):
                for giver in members:
                    if giver != author:
                        marks.append(mark(giver, author, f"{author}-d{day}-p{post}", at + timedelta(minutes=post),
                                          new))
    return marks


def test_an_honest_helper_gets_full_marks_from_five_different_members() -> None:
    table = standings(honest_helper_marks())
    assert table["helper"].points == 5 * HELPFUL
    assert (table["helper"].marks, table["helper"].discounted) == (5, 0)
    assert set(table) == {"helper"}  # the members who marked earn nothing for marking


def test_a_ring_farming_reactions_is_discounted() -> None:
    ring = [f"ring{n}" for n in range(5)]
    marks = ring_marks(ring) + honest_helper_marks()
    # Each ring member received 4 givers x 3 posts x 2 days = 24 marks: 240 points at face value.
    received = sum(1 for m in marks if m.receiver == "ring0")
    assert received == 24
    assert small_circles(marks) == [frozenset(ring)]
    table = standings(marks)
    # The circle speaks with one voice: one mark a day counts, at the circle's weight: 2 days x 10 x 0.2 = 4.
    assert table["ring0"].points == 2 * HELPFUL * CIRCLE_WEIGHT == 4
    assert table["ring0"].discounted == 24 and table["ring0"].marks == 0
    assert table["helper"].points == 50  # untouched: the helper's givers are no circle
    assert ranked(table)[0].user_key == "helper"


def test_a_ring_of_new_accounts_counts_even_less() -> None:
    ring = [f"fresh{n}" for n in range(4)]
    table = standings(ring_marks(ring, days=1, new=True))
    assert table["fresh0"].points == round(HELPFUL * NEW_WEIGHT * CIRCLE_WEIGHT, 1) == 0.4


def test_two_members_who_thanked_each_other_once_are_not_a_circle() -> None:
    marks = [mark("ann", "bob", "b1"), mark("bob", "ann", "a1")]
    assert small_circles(marks) == []
    assert standings(marks)["ann"].points == HELPFUL
    # ...but a pair that keeps marking only each other is one.
    marks += [mark("ann", "bob", "b2", DAY2), mark("bob", "ann", "a2", DAY2)]
    assert small_circles(marks) == [frozenset({"ann", "bob"})]


def test_a_big_group_that_marks_each_other_is_not_a_small_circle() -> None:
    members = [f"u{n}" for n in range(12)]
    marks = [mark(a, b, f"{b}-{a}") for a in members for b in members if a != b]
    assert small_circles(marks) == []


def test_a_pair_whose_marks_mostly_go_elsewhere_is_not_a_circle() -> None:
    marks = [mark("ann", "bob", "b1"), mark("bob", "ann", "a1"), mark("ann", "bob", "b2", DAY2),
             mark("bob", "ann", "a2", DAY2)]
    marks += [mark(giver, f"other{n}", f"o{giver}{n}") for giver in ("ann", "bob") for n in range(4)]
    assert small_circles(marks) == []  # 4 of their 12 marks stay between them: a third, not "mostly"


def test_repeats_the_daily_cap_quizzes_and_strikes() -> None:
    repeats = [mark("ann", "bob", f"b{n}") for n in range(5)]
    assert [w for _, w in mark_weights(repeats)] == [1.0, 0.0, 0.0, 0.0, 0.0]
    many = [mark(f"m{n}", "bob", f"b{n}") for n in range(8)]  # 80 points of marks in one day
    table = standings(many, quizzes=[("bob", DAY1), ("bob", DAY2)], strikes={"bob": 1, "troll": 2})
    assert table["bob"].capped == 8 * HELPFUL + QUIZ - DAILY_CAP
    assert table["bob"].points == DAILY_CAP + QUIZ - STRIKE == 35
    assert table["bob"].quizzes == 2 and table["bob"].strikes == 1
    assert table["troll"].points == 0 and table["troll"].strikes == 2  # never below zero
    assert [s.user_key for s in ranked(table)] == ["bob"]  # nobody with zero points is ranked


def test_new_giver_is_within_a_day_of_joining() -> None:
    assert is_new_giver(DAY1 - timedelta(hours=23), DAY1)
    assert not is_new_giver(DAY1 - timedelta(hours=25), DAY1)
    assert not is_new_giver(None, DAY1)


def test_strongly_connected_parts_of_a_long_chain_need_no_recursion() -> None:
    chain = {f"n{i}": {f"n{i + 1}"} for i in range(5000)}
    chain["n5000"] = {"n0"}  # closing the loop: one part of 5,001
    parts = strongly_connected(chain)
    assert len(parts) == 1 and len(parts[0]) == 5001
