"""Contribution points: how a member's standing in a chat is counted from helpful marks, quizzes and strikes.

Points reward members whom OTHERS found helpful, never volume. The rules, each one a guard against a way of
farming points:

- A helpful mark (a reaction such as 👍 on a post, or a reply "/helpful") is worth ``HELPFUL`` points to the
  post's author; a completed quiz is worth ``QUIZ``. Self-marks are never stored.
- Only one mark a day counts from one member to another (``repeat``): marking every post of a friend all day
  earns them one mark's worth.
- Marks from accounts that joined the chat less than ``NEW_ACCOUNT`` before marking count ``NEW_WEIGHT`` of a
  mark: a wave of fresh accounts is the cheapest way to farm.
- Marks inside a *small circle* speak with one voice, at ``CIRCLE_WEIGHT`` of a mark: one mark a day from the
  whole circle counts toward each member, whoever in it gave it. A small circle is a group of 2 to
  ``CIRCLE_MAX`` members that mark each other around (a strongly connected part of the chat's "who marked whom"
  graph) AND mostly mark each other: at least ``CIRCLE_SHARE`` of the marks its members give stay inside it, and
  at least ``CIRCLE_MIN_MARKS`` marks per member (so two people who thanked each other once are not a circle).
  A ring of accounts that mark one another is one; a helper marked by many unrelated members is not, because
  those members' marks go to many people, or the group is larger than a circle.
- What a member earns in a UTC day is capped at ``DAILY_CAP``.
- Each moderation strike (a warning, or a post the admins rejected) takes ``STRIKE`` points; a total never goes
  below zero.

Everything here is pure: the store (``advisor.community.pointstore``) reads the marks and this module counts them,
so the rules are tested without a database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

HELPFUL = 10.0  # points a counted helpful mark gives its receiver
QUIZ = 5.0  # points for a completed quiz
STRIKE = 20.0  # points a moderation strike takes away
DAILY_CAP = 50.0  # points a member can earn in one chat in one UTC day (five full marks)
NEW_ACCOUNT = timedelta(hours=24)  # a giver who joined less than this before marking is a new account
NEW_WEIGHT = 0.2  # what a new account's mark counts
CIRCLE_WEIGHT = 0.2  # what a mark inside a small circle counts
CIRCLE_MAX = 8  # a group this size or smaller can be a small circle
CIRCLE_SHARE = 0.7  # ...when at least this share of the marks its members give stays inside it
CIRCLE_MIN_MARKS = 2  # ...and it exchanged at least this many marks per member


@dataclass(frozen=True, slots=True)
class Mark:
    """One helpful mark, as stored: who gave it to whom, for which post, when, and whether the giver was new."""

    giver: str  # user keys
    receiver: str
    message_id: str
    at: datetime  # timezone-aware
    new_giver: bool = False  # the giver had joined the chat less than NEW_ACCOUNT before

    @property
    def day(self) -> date:
        return self.at.date()  # stored in UTC: a UTC day


@dataclass(frozen=True)
class Standing:
    """A member's points in one chat and what they come from."""

    user_key: str
    points: float
    marks: int = 0  # marks received that counted in full
    discounted: int = 0  # marks received that counted less (new account, small circle) or nothing (repeats)
    quizzes: int = 0
    strikes: int = 0
    capped: float = 0.0  # points lost to the daily cap
    earned: float = 0.0  # points before strikes (after the daily cap)


def is_new_giver(joined_at: datetime | None, at: datetime) -> bool:
    """Whether a giver who joined at ``joined_at`` (None: unknown, i.e. not recently) is new at ``at``."""
    return joined_at is not None and at - joined_at < NEW_ACCOUNT


def strongly_connected(edges: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """The strongly connected parts of a directed graph (Tarjan's algorithm, iterative: a chat can have more
    members than Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    parts: list[set[str]] = []
    nodes = set(edges) | {n for targets in edges.values() for n in targets}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                part: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.add(member)
                    if member == node:
                        break
                parts.append(part)
    return parts


def small_circles(marks: Iterable[Mark]) -> list[frozenset[str]]:
    """The chat's small circles (see the module docstring), each as the set of its members."""
    given: Counter[tuple[str, str]] = Counter((mark.giver, mark.receiver) for mark in marks)
    edges: dict[str, set[str]] = defaultdict(set)
    out_total: Counter[str] = Counter()
    for (giver, receiver), count in given.items():
        edges[giver].add(receiver)
        out_total[giver] += count
    circles = []
    for part in strongly_connected(edges):
        if not 2 <= len(part) <= CIRCLE_MAX:
            continue
        inside = sum(count for (giver, receiver), count in given.items() if giver in part and receiver in part)
        total = sum(out_total[member] for member in part)
        if inside >= CIRCLE_MIN_MARKS * len(part) and inside >= CIRCLE_SHARE * total:
            circles.append(frozenset(part))
    return circles


def mark_weights(marks: Iterable[Mark]) -> list[tuple[Mark, float]]:
    """Each mark with what it counts (1.0 in full; less for a new account or inside a small circle; 0.0 for a
    repeat: the same giver, or the same circle, marking the same receiver again that day)."""
    ordered = sorted(marks, key=lambda mark: mark.at)  # stable: marks read in the order given stay so
    circle_of = {member: circle for circle in small_circles(ordered) for member in circle}
    seen: set[tuple[str | frozenset[str], str, date]] = set()
    weighted = []
    for mark in ordered:
        circle = circle_of.get(mark.giver)
        inside = circle is not None and mark.receiver in circle
        voice: str | frozenset[str] = circle if inside and circle is not None else mark.giver
        key = (voice, mark.receiver, mark.day)
        if key in seen:
            weighted.append((mark, 0.0))
            continue
        seen.add(key)
        weight = (NEW_WEIGHT if mark.new_giver else 1.0) * (CIRCLE_WEIGHT if inside else 1.0)
        weighted.append((mark, weight))
    return weighted


def standings(marks: Iterable[Mark], quizzes: Iterable[tuple[str, datetime]] = (),
              strikes: Mapping[str, int] | None = None) -> dict[str, Standing]:
    """Every member's standing in one chat: from its marks, its completed quizzes ((member, when)) and each
    member's moderation strikes. Members with nothing at all are absent."""
    return with_strikes(earnings(marks, quizzes), strikes or {})


def earnings(marks: Iterable[Mark], quizzes: Iterable[tuple[str, datetime]] = ()) -> dict[str, Standing]:
    """What members earned from marks and quizzes, after the daily cap, before strikes (the costly part, which
    callers may keep while strikes change)."""
    earned: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    full: Counter[str] = Counter()
    less: Counter[str] = Counter()
    quizzed: Counter[str] = Counter()
    for mark, weight in mark_weights(marks):
        earned[mark.receiver][mark.day] += HELPFUL * weight
        if weight >= 1.0:
            full[mark.receiver] += 1
        else:
            less[mark.receiver] += 1
    for member, at in quizzes:
        earned[member][at.date()] += QUIZ
        quizzed[member] += 1
    result = {}
    for member, days in earned.items():
        kept = sum(min(DAILY_CAP, value) for value in days.values())
        capped = round(sum(days.values()) - kept, 1)
        result[member] = Standing(member, round(kept, 1), full[member], less[member], quizzed[member], 0, capped,
                                  round(kept, 1))
    return result


def with_strikes(table: Mapping[str, Standing], strikes: Mapping[str, int]) -> dict[str, Standing]:
    """``table`` with each member's strikes taken off (a total never goes below zero); members with strikes and
    nothing earned are added."""
    result = dict(table)
    for member, count in strikes.items():
        if count:
            base = table.get(member) or Standing(member, 0.0)
            result[member] = replace(base, strikes=count, points=round(max(0.0, base.earned - STRIKE * count), 1))
    return result


def ranked(table: Mapping[str, Standing], limit: int | None = None) -> list[Standing]:
    """Members with points, most first (ties by user key, so the order is stable)."""
    order = sorted((s for s in table.values() if s.points > 0), key=lambda s: (-s.points, s.user_key))
    return order if limit is None else order[:limit]
