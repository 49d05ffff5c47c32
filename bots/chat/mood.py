"""Mood in the chat core: every group message is observed (sentiment and fear, in memory), /mood shows a chat's
rolling mood with a small chart, and a panic spike posts one calm risk reminder per cooldown.

Mood describes the conversation, not the market: every /mood says it is not a signal, and the panic reminder is
education only (no prediction, no trade call, nothing cited that we cannot show).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from advisor.mood.types import Mood, Sentiment
from advisor.types import Language
from bots.chat.messages import Incoming, Outgoing
from bots.chat.throttle import Throttle

log = logging.getLogger(__name__)

# How often (in message time) a chat is asked whether it is panicking: the tracker's rule looks at the last 15
# minutes, so a check every half minute loses nothing, and asking on every message would cost more than the rest
# of the pipeline together in a busy chat.
PANIC_CHECK = timedelta(seconds=30)
NOT_A_SIGNAL = ("Mood describes this conversation, not the market: it is not a signal to buy or sell. "
                "Not investment advice.")
PANIC: dict[Language, str] = {
    "en": ("**A calm moment, please.** Many messages here sound worried right now. When markets move fast:\n"
           "• decisions made in a panic are often the ones people regret; selling after a fall turns a paper "
           "loss into a real one;\n"
           "• a diversified portfolio and a time horizon that matches your goals are there for days like this;\n"
           "• only invest money you can leave invested, and check your risk level with /profile.\n"
           "Nobody here, me included, can tell what prices will do next. This is general education, not "
           "investment advice."),
    "zh": ("**请先冷静一下。** 目前群里很多消息带有担忧情绪。市场剧烈波动时：\n"
           "• 恐慌中做出的决定往往最容易后悔；下跌后卖出会把账面亏损变成实际亏损；\n"
           "• 分散投资和与目标相匹配的投资期限，正是为这样的日子准备的；\n"
           "• 只投入可以长期不动用的资金，可用 /profile 了解自己的风险等级。\n"
           "包括我在内，没有人能预知价格的下一步走势。以上为一般性投资者教育，不构成投资建议。"),
}


class Classifier(Protocol):
    def classify(self, text: str) -> Sentiment: ...


class Tracker(Protocol):
    """``advisor.mood.MoodTracker``'s API as the chat core uses it."""

    def observe(self, chat: str, text: str, at: datetime, sentiment: Sentiment | None = None) -> None: ...
    def mood(self, chat: str, now: datetime) -> Mood: ...
    def panic(self, chat: str, now: datetime) -> bool: ...


class ActivityCounter(Protocol):
    """``advisor.report.activity.ActivityRecorder``'s API as the chat core uses it: counts, never text."""

    def count(self, chat: str, at: datetime, sentiment: Sentiment) -> None: ...


class MoodCommands:
    def __init__(self, tracker: Tracker, model: Classifier, language_of: Callable[[str], Language | None],
                 activity: ActivityCounter | None = None) -> None:
        self.tracker = tracker
        self.model = model
        self.activity = activity  # hourly counts that outlive the process, for `roundtable report`
        self.language_of = language_of  # the chat's language setting (read only when a reminder is due)
        self._checks = Throttle(PANIC_CHECK)  # when each chat was last asked about panic

    def observe(self, msg: Incoming) -> list[Outgoing]:
        """One group message into the chat's mood; the panic reminder when the tracker says it is due."""
        if msg.edited or not msg.text.strip() or msg.text.startswith("/"):
            return []  # an edit is the same message again; a bare photo or a command to a bot is not the mood
        try:
            sentiment = self.model.classify(msg.text)
            self.tracker.observe(msg.chat_key, msg.text, msg.received_at, sentiment)
            if self.activity is not None:
                self.activity.count(msg.chat_key, msg.received_at, sentiment)
            if not self._due(msg.chat_key, msg.received_at) or not self.tracker.panic(msg.chat_key, msg.received_at):
                return []
        except Exception:
            log.exception("mood tracking failed on a message in %s", msg.chat_key)
            return []
        log.info("panic spike in %s: posting the risk reminder", msg.chat_key)
        try:
            language = self.language_of(msg.chat_key) or "en"
        except Exception:
            log.exception("could not read the language of %s", msg.chat_key)
            language = "en"
        return [Outgoing(PANIC[language], reply=False)]

    def _due(self, chat: str, at: datetime) -> bool:
        return self._checks.due(chat, at)

    def mood(self, msg: Incoming, _: str) -> list[Outgoing]:
        if msg.chat_kind != "group":
            return [Outgoing("Mood is measured in groups: send /mood in one.")]
        mood = self.tracker.mood(msg.chat_key, msg.received_at)
        if mood.messages == 0:
            return [Outgoing("I haven't seen enough messages here yet to describe the mood. " + NOT_A_SIGNAL)]
        try:
            png: bytes | None = mood_chart(mood)
        except Exception as exc:  # the numbers are the answer; a chart that fails must not take them along
            log.warning("mood chart failed (%s)", type(exc).__name__)
            png = None
        return [Outgoing(mood_text(mood), image=png)]


def mood_text(mood: Mood) -> str:
    trend = "steady" if abs(mood.trend) < 5 else f"{'rising' if mood.trend > 0 else 'falling'} ({mood.trend:+.0f})"
    symbols = ", ".join(f"{s.symbol} ({s.mentions})" for s in mood.top_symbols[:5]) or "none mentioned"
    return (f"**Mood of this chat**: {mood.mood_index:+.0f} on a scale from -100 (bearish) to +100 (bullish), "
            f"trend {trend}\n"
            f"{mood.messages} messages: {mood.bullish} bullish, {mood.bearish} bearish, {mood.neutral} neutral; "
            f"{mood.fear_share:.0%} sound fearful\n"
            f"most mentioned: {symbols}\n"
            f"as of {mood.as_of.astimezone(UTC):%d %b %H:%M} UTC\n{NOT_A_SIGNAL}")


def mood_chart(mood: Mood) -> bytes:
    """The index per bucket as bars (green above 0, red below, gaps where nobody spoke). matplotlib's object API
    on an Agg canvas, loaded on the first chart only: no pyplot, nothing shared between threads."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    points = [p for p in mood.series if p.mood_index is not None]
    figure = Figure(figsize=(6, 2.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # x: hours before now (negative), which reads the same in every time zone
    axes.bar([(p.start - mood.as_of).total_seconds() / 3600 for p in points], [p.mood_index or 0.0 for p in points],
             width=_bar_width(mood), color=["#2f855a" if (p.mood_index or 0) >= 0 else "#c53030" for p in points])
    axes.axhline(0, color="#4a5568", linewidth=0.8)
    axes.set_ylim(-100, 100)
    axes.set_ylabel("mood index")
    axes.set_xlabel("hours before now")
    axes.set_title("Chat mood (not a market signal)", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bar_width(mood: Mood) -> float:
    """Bars as wide as 80% of a bucket, in hours."""
    if len(mood.series) < 2:
        return 0.2
    return (mood.series[1].start - mood.series[0].start).total_seconds() / 3600 * 0.8
