"""What the mood of a chat is made of: one message's ``Sentiment`` and a chat's ``Mood`` over a rolling window.

These are plain values (frozen, platform-free) so the chat router, the ``/mood`` command, the panic nudge and the
``roundtable mood`` batch tool all speak the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Label = Literal["bullish", "bearish", "neutral"]
LABELS: tuple[Label, ...] = ("bearish", "neutral", "bullish")  # the model's class order: score runs bear -> bull


@dataclass(frozen=True, slots=True)
class Sentiment:
    """One message's reading.

    ``score`` is P(bullish) - P(bearish) from the classifier, in [-1, 1]: -1 clearly bearish, 0 neutral or
    mixed, 1 clearly bullish. ``label`` is the most probable class (so a "neutral" message can still carry a
    small score). ``fear`` flags panic or fear language ("I'm losing everything", "爆仓了"), which is not the
    same as bearish: "shorting $XYZ into earnings" is bearish and calm.
    """

    label: Label
    score: float
    fear: bool

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(self.score, 4), "fear": self.fear}


@dataclass(frozen=True, slots=True)
class SymbolCount:
    """A normalised (Yahoo-spelled) symbol and how many messages in the window mentioned it."""

    symbol: str
    mentions: int

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "mentions": self.mentions}


@dataclass(frozen=True, slots=True)
class MoodPoint:
    """One bucket of the chart: its start, the mood index of the messages in it, and how many there were.

    ``mood_index`` is None for a bucket with no messages (the chart leaves a gap rather than drawing a 0)."""

    start: datetime
    mood_index: float | None
    messages: int


@dataclass(frozen=True, slots=True)
class Mood:
    """A chat's mood over the tracker's rolling window, as of ``as_of``.

    ``mood_index`` runs from -100 (every message clearly bearish) to 100 (every message clearly bullish): 100 x the
    mean sentiment score of the messages in the window; 0 with no messages. ``trend`` is the index of the recent
    part of the window (``MoodTracker.recent``) minus the index of the part before it: negative when the chat is
    turning bearish. ``fear_share`` is the fraction of messages in the window flagged as fear (0-1).
    ``panicking`` says the panic rule holds right now (see ``MoodTracker.panic``, which also rate-limits).
    """

    chat: str
    as_of: datetime
    mood_index: float
    messages: int
    bullish: int
    bearish: int
    neutral: int
    fear_share: float
    trend: float
    top_symbols: tuple[SymbolCount, ...]
    series: tuple[MoodPoint, ...]
    panicking: bool

    def summary_json(self) -> dict[str, Any]:
        """The ``{"mood_index", "top_symbols"}`` summary that ``roundtable mood --json`` prints last."""
        return {"mood_index": round(self.mood_index, 1), "top_symbols": [s.to_json() for s in self.top_symbols]}
