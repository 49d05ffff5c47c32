"""The optional briefing chart: on when the chat asked for it, and never at the cost of the text."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import pytest

from advisor.briefing import chart
from advisor.briefing.compose import BriefingComposer
from advisor.briefing.subscription import Subscription
from advisor.market.data import Quote
from tests.advisor.briefing.conftest import DAY

QuotesFor = Callable[[Subscription], dict[str, Quote]]
PNG = b"\x89PNG\r\n\x1a\n"
WITH_CHART = Subscription("telegram:-100", watchlist=("AAPL", "MSFT", "NOSUCH"), chart=True)


def test_a_chat_with_charts_on_gets_a_png_of_the_moves(composer: BriefingComposer, quotes_for: QuotesFor) -> None:
    briefing = composer.compose(WITH_CHART, quotes_for(WITH_CHART), DAY, "zh")
    assert briefing.chart is not None and briefing.chart.startswith(PNG)
    # Indices first, then the watchlist's movers; a symbol without data has no bar.
    assert [line.symbol for line in chart.chart_lines(briefing)] == ["^GSPC", "^IXIC", "^DJI", "AAPL", "MSFT"]
    assert "chart" not in briefing.to_json()


def test_a_chat_with_charts_off_gets_none(composer: BriefingComposer, quotes_for: QuotesFor) -> None:
    sub = dataclasses.replace(WITH_CHART, chart=False)
    assert composer.compose(sub, quotes_for(sub), DAY, "en").chart is None


def test_nothing_to_draw_means_no_chart(composer: BriefingComposer, quotes_for: QuotesFor) -> None:
    briefing = composer.compose(WITH_CHART, quotes_for(WITH_CHART), DAY, "en", unavailable="yahoo: timed out")
    assert briefing.chart is None
    with pytest.raises(ValueError, match="at least one move"):
        chart.briefing_chart(briefing)


def test_a_failing_chart_keeps_the_text_and_logs_a_warning(
        composer: BriefingComposer, quotes_for: QuotesFor, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(briefing: object) -> bytes:
        raise MemoryError("no room for a figure")

    monkeypatch.setattr(chart, "briefing_chart", broken)
    with caplog.at_level(logging.WARNING, logger="advisor.briefing.compose"):
        briefing = composer.compose(WITH_CHART, quotes_for(WITH_CHART), DAY, "en")
    assert briefing.chart is None
    assert "**AAPL** 193.80 USD ▼ -3.10%" in briefing.text
    assert "briefing chart for telegram:-100 failed (MemoryError)" in caplog.text


def test_a_long_watchlist_is_cut_to_a_readable_number_of_bars(composer: BriefingComposer,
                                                              quotes_for: QuotesFor) -> None:
    sub = dataclasses.replace(WITH_CHART, watchlist=tuple(f"S{n}" for n in range(20)))
    quotes = quotes_for(sub)
    for n in range(20):
        quotes[f"S{n}"] = dataclasses.replace(quotes["^GSPC"], symbol=f"S{n}", price=100.0 + n, previous_close=100.0)
    briefing = composer.compose(sub, quotes, DAY, "en")
    shown = chart.chart_lines(briefing)
    assert len(shown) == chart.MAX_BARS
    assert [line.symbol for line in shown[3:6]] == ["S19", "S18", "S17"]  # biggest movers first
    assert briefing.chart is not None and briefing.chart.startswith(PNG)
