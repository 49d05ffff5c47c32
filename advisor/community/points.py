"""Contribution points: how a member's standing in a chat is counted from helpful marks, quizzes and strikes.

Points reward members whom OTHERS found helpful, never volume. The rules, each one a guard against a way of
farming points:

- A helpful mark (a reaction such as 👍 on a post, or a reply "/helpful") is worth ``HELPFUL`` points to the
  post's author; a completed quiz is worth ``QUIZ``. Self-marks are never stored.
- Only one mark a day counts from one member to another (``repeat``): marking every post of a friend all day
  earns them one mark's worth.
- Marks from accounts that joined the chat less than ``NEW_ACCOUNT`` before marking count ``NEW_WEIGHT`` of a
  mark: a wave of fresh accounts is the cheapest way to farm.
- Marks inside a *small circle* count ``CIRCLE_WEIGHT`` of a mark. A small circle is a group of 2 to
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
from dataclasses import dataclass
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
    repeat from the same giver to the same receiver on the same day)."""
    ordered = sorted(marks, key=lambda mark: (mark.at, mark.giver, mark.message_id))
    circle_of = {member: circle for circle in small_circles(ordered) for member in circle}
    seen: set[tuple[str, str, date]] = set()
    weighted = []
    for mark in ordered:
        pair_day = (mark.giver, mark.receiver, mark.day)
        if pair_day in seen:
            weighted.append((mark, 0.0))
            continue
        seen.add(pair_day)
        weight = 1.0
        if mark.new_giver:
            weight *= NEW_WEIGHT
        circle = circle_of.get(mark.giver)
        if circle is not None and mark.receiver in circle:
            weight *= CIRCLE_WEIGHT
        weighted.append((mark, weight))
    return weighted


def standings(marks: Iterable[Mark], quizzes: Iterable[tuple[str, datetime]] = (),
              strikes: Mapping[str, int] | None = None) -> dict[str, Standing]:
    """Every member's standing in one chat: from its marks, its completed quizzes ((member, when)) and each
    member's moderation strikes. Members with nothing at all are absent."""
    strikes = strikes or {}
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
    for member in set(earned) | {m for m, n in strikes.items() if n}:
        days = earned.get(member, {})
        kept = sum(min(DAILY_CAP, value) for value in days.values())
        capped = sum(days.values()) - kept
        total = max(0.0, kept - STRIKE * strikes.get(member, 0))
        result[member] = Standing(member, round(total, 1), full[member], less[member], quizzed[member],
                                  strikes.get(member, 0), round(capped, 1))
    return result


def ranked(table: Mapping[str, Standing], limit: int | None = None) -> list[Standing]:
    """Members with points, most first (ties by user key, so the order is stable)."""
    order = sorted((s for s in table.values() if s.points > 0), key=lambda s: (-s.points, s.user_key))
    return order if limit is None else order[:limit]
