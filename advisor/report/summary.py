"""A community manager's picture of one chat over a window (a week by default): ``build_report`` turns what the
app recorded into a ``Report``; ``Report.to_json()`` is what ``roundtable report --json`` prints.

Sources (read by ``advisor.report.sources`` and the CLI; this module only counts):
- questions: the audit log's ``answer`` entries that name the chat (private chats' entries name none);
- moderation: the moderation log (``mod_log``): the bot's verdicts and mutes, the admins' reviews;
- mood and busiest hours: the hourly activity counts (``advisor.report.activity``);
- briefings: the briefing send ledger, by when each send was claimed.

JSON keys (a fixed contract: keys are only ever added):

- ``chat``: the chat key; ``since``, ``until``: the window, ISO 8601 UTC, ``until`` exclusive;
- ``timezone``: the zone local days and hours are counted in: the chat's briefing zone when it has a briefing
  subscription, else ``UTC``; ``timezone_source``: ``"briefing"`` or ``"default"``;
- ``empty``: true when nothing at all happened in the window;
- ``questions``: ``{"total", "by_intent": {intent: n}, "by_risk": {"R1".."R5": n}, "refused", "abstained"}``
  (``refused``: a trade call, prediction or injection declined; ``abstained``: no grounded answer in the notes);
- ``moderation``: ``{"total", "by_category": {category: n}, "by_action": {action: n}}``: ``total`` and
  ``by_category`` count the messages the bot flagged (warn, hold, delete; a message in two categories counts in
  both); ``by_action`` counts every logged step: ``warn``, ``hold``, ``delete``, ``mute``, ``approve``, ``reject``;
- ``mood``: ``{"bucket": "day" | "hour", "messages", "mood_index", "fear_share", "series": [{"start", "messages",
  "mood_index", "bullish", "bearish", "neutral", "fear"}]}``: ``mood_index`` runs from -100 (all bearish) to
  +100 (all bullish) and is null where no message was counted; ``series`` covers the whole window, one bucket a
  local day (an hour when the window is two days or less), ``start`` in ISO 8601 with the zone's offset;
- ``briefings``: ``{"sent", "failed", "skipped", "dates": [local dates of the briefings sent]}``;
- ``feedback``: ``{"total", "up", "down", "reasons": {reason: n}, "by_intent": {intent: {"up", "down"}}}``:
  members' current 👍/👎 on the chat's answers, cast in the window (one per member per answer: the latest);
  ``reasons`` counts the optional reasons given with a 👎 (``none`` when no reason was chosen);
- ``hours``: ``{"timezone", "messages": [24 counts, local hour 0 to 23], "busiest": [up to 3 hours, busiest
  first]}``. Counts are hourly in UTC: in a zone offset by a half hour, an hour counts at the local hour it
  starts in.

Messages counted for mood and hours are group messages scored for mood: not edits, commands or bare media.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from advisor.report.activity import HourCounts

RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")
FLAGGED = ("warn", "hold", "delete")  # the bot's verdicts on a message; the other logged steps follow from them
HOURLY_UP_TO = timedelta(days=2)  # a window this short gets an hourly mood series instead of a daily one
Bucket = Literal["day", "hour"]


@dataclass(frozen=True, slots=True)
class ModerationStep:
    """One row of the moderation log, as the report needs it."""

    at: datetime
    action: str  # warn, hold, delete, mute, approve, reject
    actor: str  # "bot" or an admin
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BriefingSend:
    local_date: date
    status: str  # sent, failed, skipped, sending


@dataclass(frozen=True, slots=True)
class FeedbackVote:
    """One member's current vote on one answer, as the report needs it."""

    vote: str  # up, down
    reason: str = ""  # a 👎's reason key, "" when none was given
    intent: str = "unknown"
    risk: str = ""


@dataclass(frozen=True)
class Feedback:
    up: int = 0
    down: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    by_intent: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.up + self.down

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "up": self.up, "down": self.down, "reasons": dict(self.reasons),
                "by_intent": {intent: dict(votes) for intent, votes in self.by_intent.items()}}


@dataclass(frozen=True)
class Questions:
    total: int = 0
    by_intent: dict[str, int] = field(default_factory=dict)
    by_risk: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    abstained: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "by_intent": dict(self.by_intent), "by_risk": dict(self.by_risk),
                "refused": self.refused, "abstained": self.abstained}


@dataclass(frozen=True)
class Moderation:
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_action: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "by_category": dict(self.by_category), "by_action": dict(self.by_action)}


@dataclass(frozen=True, slots=True)
class MoodBucket:
    start: datetime  # local, in the report's zone
    messages: int = 0
    bullish: int = 0
    bearish: int = 0
    neutral: int = 0
    fear: int = 0
    sentiment_sum: float = 0.0

    @property
    def mood_index(self) -> float | None:
        return round(100.0 * self.sentiment_sum / self.messages, 1) if self.messages else None

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "messages": self.messages, "mood_index": self.mood_index,
                "bullish": self.bullish, "bearish": self.bearish, "neutral": self.neutral, "fear": self.fear}


@dataclass(frozen=True)
class Briefings:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    dates: tuple[date, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "skipped": self.skipped,
                "dates": [day.isoformat() for day in self.dates]}


@dataclass(frozen=True)
class Report:
    chat: str
    since: datetime
    until: datetime
    timezone: str
    timezone_source: Literal["briefing", "default"]
    questions: Questions
    moderation: Moderation
    bucket: Bucket
    mood: tuple[MoodBucket, ...]
    hours: tuple[int, ...]  # 24 message counts, by local hour
    briefings: Briefings
    feedback: Feedback = field(default_factory=Feedback)

    @property
    def messages(self) -> int:
        return sum(self.hours)

    @property
    def mood_index(self) -> float | None:
        total = sum(b.sentiment_sum for b in self.mood)
        return round(100.0 * total / self.messages, 1) if self.messages else None

    @property
    def fear_share(self) -> float | None:
        return round(sum(b.fear for b in self.mood) / self.messages, 3) if self.messages else None

    @property
    def busiest(self) -> tuple[int, ...]:
        """Up to three local hours with messages, busiest first (the earlier hour first on a tie)."""
        ranked = sorted((hour for hour in range(24) if self.hours[hour]), key=lambda h: (-self.hours[h], h))
        return tuple(ranked[:3])

    @property
    def empty(self) -> bool:
        return not (self.questions.total or self.moderation.by_action or self.messages or self.briefings.sent
                    or self.briefings.failed or self.briefings.skipped or self.feedback.total)

    def to_json(self) -> dict[str, Any]:
        return {"chat": self.chat, "since": _utc(self.since), "until": _utc(self.until), "timezone": self.timezone,
                "timezone_source": self.timezone_source, "empty": self.empty,
                "questions": self.questions.to_json(), "moderation": self.moderation.to_json(),
                "mood": {"bucket": self.bucket, "messages": self.messages, "mood_index": self.mood_index,
                         "fear_share": self.fear_share, "series": [b.to_json() for b in self.mood]},
                "briefings": self.briefings.to_json(), "feedback": self.feedback.to_json(),
                "hours": {"timezone": self.timezone, "messages": list(self.hours), "busiest": list(self.busiest)}}


def _utc(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def _ranked(counter: Counter[str]) -> dict[str, int]:
    """Most first, then by name: the order tables and charts show."""
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def count_questions(answers: Iterable[Mapping[str, Any]]) -> Questions:
    """``answers``: the ``data`` of audit ``answer`` entries (``advisor.audit.record.answer_data``)."""
    intents: Counter[str] = Counter()
    risks: Counter[str] = Counter()
    refused = abstained = 0
    for data in answers:
        intents[str(data.get("intent") or "unknown")] += 1
        risks[str(data.get("risk") or "unknown")] += 1
        refused += bool(data.get("refused"))
        abstained += bool(data.get("abstained"))
    by_risk = {level: risks.pop(level, 0) for level in RISK_LEVELS} | _ranked(risks)  # R1..R5 always, in order
    return Questions(sum(intents.values()), _ranked(intents), by_risk, refused, abstained)


def count_moderation(steps: Iterable[ModerationStep]) -> Moderation:
    categories: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    flagged = 0
    for step in steps:
        actions[step.action] += 1
        if step.actor == "bot" and step.action in FLAGGED:
            flagged += 1
            categories.update(step.categories or ("unspecified",))
    return Moderation(flagged, _ranked(categories), _ranked(actions))


def count_feedback(votes: Iterable[FeedbackVote]) -> Feedback:
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    by_intent: dict[str, Counter[str]] = {}
    for vote in votes:
        if vote.vote not in ("up", "down"):
            continue
        totals[vote.vote] += 1
        by_intent.setdefault(vote.intent, Counter())[vote.vote] += 1
        if vote.vote == "down":
            reasons[vote.reason or "none"] += 1
    ordered = sorted(by_intent.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return Feedback(totals["up"], totals["down"], _ranked(reasons),
                    {intent: {"up": c["up"], "down": c["down"]} for intent, c in ordered})


def count_briefings(sends: Iterable[BriefingSend]) -> Briefings:
    by_status: Counter[str] = Counter()
    dates = []
    for send in sends:
        by_status[send.status] += 1
        if send.status == "sent":
            dates.append(send.local_date)
    return Briefings(by_status["sent"], by_status["failed"], by_status["skipped"], tuple(sorted(dates)))


def mood_buckets(activity: Iterable[HourCounts], since: datetime, until: datetime,
                 zone: ZoneInfo) -> tuple[Bucket, tuple[MoodBucket, ...], tuple[int, ...]]:
    """The mood series over the whole window (empty buckets included) and messages by local hour."""
    bucket: Bucket = "hour" if until - since <= HOURLY_UP_TO else "day"
    starts = _bucket_starts(since, until, zone, bucket)
    sums: dict[datetime, list[float]] = {start: [0, 0, 0, 0, 0, 0.0] for start in starts}
    hours = [0] * 24
    for row in activity:
        local = row.start.astimezone(zone)
        hours[local.hour] += row.messages
        key = _bucket_of(local, bucket)
        if key not in sums:  # an hour straddling the window's edge: counted in the nearest bucket
            key = starts[0] if key < starts[0] else starts[-1]
        for i, value in enumerate((row.messages, row.bullish, row.bearish, row.neutral, row.fear, row.sentiment_sum)):
            sums[key][i] += value
    series = tuple(MoodBucket(start, int(s[0]), int(s[1]), int(s[2]), int(s[3]), int(s[4]), s[5])
                   for start, s in sums.items())
    return bucket, series, tuple(hours)


def _bucket_of(local: datetime, bucket: Bucket) -> datetime:
    if bucket == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    return datetime.combine(local.date(), datetime.min.time(), local.tzinfo)


def _bucket_starts(since: datetime, until: datetime, zone: ZoneInfo, bucket: Bucket) -> list[datetime]:
    """Local bucket starts from the one holding ``since`` to the one holding the last instant before ``until``.
    Days step by date (a DST day is 23 or 25 hours long); hours step in UTC and are shown in local time."""
    first, last = since.astimezone(zone), (until - timedelta(microseconds=1)).astimezone(zone)
    if bucket == "day":
        days = (last.date() - first.date()).days
        return [datetime.combine(first.date() + timedelta(days=n), datetime.min.time(), zone) for n in range(days + 1)]
    start = _bucket_of(first, "hour").astimezone(ZoneInfo("UTC"))
    starts = []
    while start <= last:
        starts.append(start.astimezone(zone))
        start += timedelta(hours=1)
    return starts


def build_report(chat: str, since: datetime, until: datetime, *, zone: str | None = None,
                 answers: Iterable[Mapping[str, Any]] = (), moderation: Iterable[ModerationStep] = (),
                 briefings: Iterable[BriefingSend] = (), activity: Iterable[HourCounts] = (),
                 feedback: Iterable[FeedbackVote] = ()) -> Report:
    """The report for ``chat`` over [since, until) (aware times). ``zone``: the chat's briefing zone, if any."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be timezone-aware")
    if since >= until:
        raise ValueError("since must come before until")
    tz = ZoneInfo(zone or "UTC")
    bucket, series, hours = mood_buckets(activity, since, until, tz)
    return Report(chat, since, until, zone or "UTC", "briefing" if zone else "default", count_questions(answers),
                  count_moderation(moderation), bucket, series, hours, count_briefings(briefings),
                  count_feedback(feedback))
