"""A rolling mood per chat: what the chat router feeds every group message into, and what ``/mood`` reads.

In memory only, and bounded: at most ``max_chats`` chats (the least recently active is forgotten first) and
``max_messages`` observations per chat; observations older than the window are dropped as new ones arrive.
Nothing is persisted: after a restart every chat's mood starts afresh, which suits a rolling window of hours.
One lock guards all state, so the router's worker threads may observe while ``/mood`` reads.

Times should be timezone-aware (UTC is simplest); a chat's messages may arrive slightly out of order.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from advisor.mood.model import SentimentModel
from advisor.mood.symbols import mentioned_symbols
from advisor.mood.types import Mood, MoodPoint, Sentiment, SymbolCount


@dataclass(frozen=True, slots=True)
class PanicRule:
    """When a chat is panicking: mood falling fast on high volume. All conditions must hold.

    Over the last ``recent``, compared with the ``baseline`` period just before it:
    - volume: at least ``min_messages`` messages, and a message rate at least ``volume_ratio`` times the
      baseline's (a quiet baseline counts as one message, so a burst in a dead chat still counts);
    - falling: the recent mood index is at least ``drop`` points below the baseline's;
    - bearish: the recent mood index is at most ``ceiling`` (a fall from +80 to +40 is cooling, not panic),
      or at least ``fear_share`` of the recent messages carry the fear flag.
    """

    recent: timedelta = timedelta(minutes=15)
    baseline: timedelta = timedelta(hours=2)
    min_messages: int = 8
    volume_ratio: float = 2.0
    drop: float = 30.0
    ceiling: float = -25.0
    fear_share: float = 0.3


@dataclass(slots=True)
class _Seen:
    at: datetime
    score: float
    label: str
    fear: bool
    symbols: tuple[str, ...]


@dataclass(slots=True)
class _Chat:
    seen: deque[_Seen]
    newest: datetime | None = None  # the latest time seen: arrivals out of order must not prune too much
    last_nudge: datetime | None = None


def _index(seen: Iterable[_Seen]) -> tuple[float, int]:
    """(mood index -100..100, message count); the index of no messages is 0."""
    scores = [s.score for s in seen]
    return (100.0 * sum(scores) / len(scores) if scores else 0.0), len(scores)


class MoodTracker:
    """Per-chat rolling mood. ``window`` is what ``mood`` summarises; ``bucket`` is the chart's resolution."""

    def __init__(self, *, window: timedelta = timedelta(hours=6), bucket: timedelta = timedelta(minutes=30),
                 rule: PanicRule | None = None, nudge_cooldown: timedelta = timedelta(hours=1),
                 top: int = 5, max_chats: int = 10_000, max_messages: int = 5_000,
                 model: SentimentModel | None = None) -> None:
        if window <= timedelta(0) or bucket <= timedelta(0) or bucket > window:
            raise ValueError("window and bucket must be positive, and bucket no longer than window")
        self.window, self.bucket = window, bucket
        self.rule = rule or PanicRule()
        self.nudge_cooldown = nudge_cooldown
        self.top, self.max_chats, self.max_messages = top, max_chats, max_messages
        self._model = model
        self._keep = max(window, self.rule.recent + self.rule.baseline)
        self._chats: OrderedDict[str, _Chat] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model(self) -> SentimentModel:
        if self._model is None:
            self._model = SentimentModel.load()
        return self._model

    def observe(self, chat: str, text: str, at: datetime, sentiment: Sentiment | None = None) -> None:
        """Count one message; classified here unless the caller already has its ``sentiment``."""
        sentiment = sentiment or self.model.classify(text)
        seen = _Seen(at, sentiment.score, sentiment.label, sentiment.fear, mentioned_symbols(text))
        with self._lock:
            state = self._chats.get(chat)
            if state is None:
                state = self._chats[chat] = _Chat(deque(maxlen=self.max_messages))
                while len(self._chats) > self.max_chats:
                    self._chats.popitem(last=False)
            self._chats.move_to_end(chat)
            state.seen.append(seen)
            state.newest = at if state.newest is None else max(state.newest, at)
            while state.seen and state.seen[0].at < state.newest - self._keep:
                state.seen.popleft()

    def chats(self) -> list[str]:
        with self._lock:
            return list(self._chats)

    def _between(self, chat: str, start: datetime, end: datetime) -> list[_Seen]:
        state = self._chats.get(chat)
        return [s for s in state.seen if start < s.at <= end] if state else []

    def _panicking(self, chat: str, now: datetime) -> bool:
        rule = self.rule
        recent = self._between(chat, now - rule.recent, now)
        if len(recent) < rule.min_messages:
            return False
        baseline = self._between(chat, now - rule.recent - rule.baseline, now - rule.recent)
        recent_rate = len(recent) / rule.recent.total_seconds()
        baseline_rate = max(1, len(baseline)) / rule.baseline.total_seconds()
        if recent_rate < rule.volume_ratio * baseline_rate:
            return False
        recent_index, _ = _index(recent)
        baseline_index, _ = _index(baseline)
        if recent_index > baseline_index - rule.drop:
            return False
        fear = sum(s.fear for s in recent) / len(recent)
        return recent_index <= rule.ceiling or fear >= rule.fear_share

    def panic(self, chat: str, now: datetime) -> bool:
        """True when the chat is panicking (``PanicRule``) and was not told so within ``nudge_cooldown``.

        The rate limit lives here: a True is recorded as a nudge, so call this once per message (or per tick) and
        post the reminder when it answers True. ``mood(...).panicking`` reads the condition without recording."""
        with self._lock:
            if not self._panicking(chat, now):
                return False
            state = self._chats[chat]
            if state.last_nudge is not None and now - state.last_nudge < self.nudge_cooldown:
                return False
            state.last_nudge = now
            return True

    def mood(self, chat: str, now: datetime) -> Mood:
        """The chat's mood over the window ending at ``now`` (an empty mood for a chat never seen)."""
        with self._lock:
            seen = self._between(chat, now - self.window, now)
            panicking = self._panicking(chat, now)
        index, count = _index(seen)
        split = now - self.rule.recent
        trend = _index(s for s in seen if s.at > split)[0] - _index(s for s in seen if s.at <= split)[0]
        labels = Counter(s.label for s in seen)
        mentions = Counter(symbol for s in seen for symbol in s.symbols)
        top = sorted(mentions.items(), key=lambda item: (-item[1], item[0]))[: self.top]
        buckets = int(self.window / self.bucket)
        series = []
        for i in range(buckets):
            start = now - self.window + i * self.bucket
            inside = [s for s in seen if start < s.at <= start + self.bucket]
            bucket_index, bucket_count = _index(inside)
            series.append(MoodPoint(start, bucket_index if bucket_count else None, bucket_count))
        return Mood(chat=chat, as_of=now, mood_index=index, messages=count, bullish=labels["bullish"],
                    bearish=labels["bearish"], neutral=labels["neutral"],
                    fear_share=sum(s.fear for s in seen) / count if count else 0.0, trend=trend,
                    top_symbols=tuple(SymbolCount(symbol, n) for symbol, n in top), series=tuple(series),
                    panicking=panicking)
