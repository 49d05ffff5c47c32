"""Everything a briefing says passes the compliance guard, the research it quotes included."""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Callable

import pytest

from advisor.briefing.compose import BriefingComposer
from advisor.briefing.subscription import Subscription
from advisor.catalogue import BRIEFING_QUERIES, MESSAGES, message
from advisor.guard import SENTENCE_END, screen
from advisor.market.data import Quote
from advisor.types import Language
from knowledge.retrieval import Retriever
from tests.advisor.briefing.conftest import DAY

QuotesFor = Callable[[Subscription], dict[str, Quote]]
WATCHING = ("AAPL", "MSFT", "NVDA", "SPY", "TSLA", "XOM", "BTC-USD", "0700.HK", "TQQQ", "EURUSD=X")


def sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in SENTENCE_END.split(line) if s.strip()]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("biggest", ["AAPL", "BTC-USD", "SPY", "^GSPC", "TQQQ", "EURUSD=X"])
def test_every_sentence_of_a_briefing_passes_the_guard(
        composer: BriefingComposer, quotes_for: QuotesFor, language: Language, biggest: str) -> None:
    sub = Subscription("telegram:-100", watchlist=WATCHING)
    quotes = quotes_for(sub)
    # Whatever moved most, in either direction, the spotlight's research and the words around it are allowed.
    for sign in (1, -1):
        moved = dict(quotes)
        base = moved.get(biggest) or dataclasses.replace(quotes["MSFT"], symbol=biggest, name=biggest)
        moved[biggest] = dataclasses.replace(base, price=100.0, previous_close=100.0 / (1 + sign * 0.2))
        moved["NVDA"] = dataclasses.replace(moved["NVDA"], stale=True)
        briefing = composer.compose(sub, moved, DAY, language)
        if briefing.spotlight is None:  # the Chinese notes have nothing on crypto: no spotlight beats a wrong one
            assert (language, biggest) == ("zh", "BTC-USD")
        citations = briefing.spotlight.citations if briefing.spotlight else ()
        said = sentences(briefing.text) + [c.quote for c in citations]  # the quoted research too
        kept, dropped = screen(said)
        assert dropped == [], dropped
        assert kept


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_outage_briefing_passes_the_guard(composer: BriefingComposer, quotes_for: QuotesFor,
                                             language: Language) -> None:
    sub = Subscription("telegram:-100", watchlist=WATCHING)
    briefing = composer.compose(sub, quotes_for(sub), DAY, language, unavailable="yahoo: HTTP 429 Too Many Requests")
    assert screen(sentences(briefing.text))[1] == []


def test_every_briefing_string_passes_the_guard_in_both_languages() -> None:
    keys = [key for key in MESSAGES if key.startswith("brief_")]
    assert len(keys) > 20
    for key in keys:
        for language in ("en", "zh"):
            template = MESSAGES[key][language]
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            text = message(key, language, **{f: "AAPL" if f == "mover" else "x" for f in fields})
            assert screen(sentences(text))[1] == [], (key, language)


def test_spotlight_queries_exist_for_every_kind_both_ways_in_both_languages() -> None:
    for kind in ("index", "stock", "etf", "crypto", "leveraged", "fx"):
        for direction in ("up", "down"):
            assert set(BRIEFING_QUERIES[f"{kind}_{direction}"]) == {"en", "zh"}
            assert f"brief_topic_{kind}" in MESSAGES and f"brief_risk_{kind}" in MESSAGES
    for texts in BRIEFING_QUERIES.values():
        assert re.search(r"[\u4e00-\u9fff]", texts["zh"]) and texts["en"].isascii()


def test_the_real_hybrid_retriever_gives_a_cited_spotlight(bundled_research, quotes_for: QuotesFor) -> None:  # type: ignore[no-untyped-def]
    retriever: Retriever = bundled_research.retriever("research")
    composer = BriefingComposer(retriever)
    sub = Subscription("telegram:-100", watchlist=("AAPL", "MSFT"))
    for language, topic in (("en", "single-stock risk"), ("zh", "个股风险")):
        briefing = composer.compose(sub, quotes_for(sub), DAY, language)  # type: ignore[arg-type]
        assert briefing.spotlight is not None
        assert topic in briefing.spotlight.text
        (cited,) = briefing.spotlight.citations
        assert cited.doc_id.endswith(".md") and cited.title and cited.date == "2026-11-20"
        assert cited.quote in briefing.spotlight.text
        assert screen([*sentences(briefing.text), cited.quote])[1] == []
