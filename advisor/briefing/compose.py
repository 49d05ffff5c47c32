"""One chat's market briefing, composed from quotes the caller already fetched: ``BriefingComposer.compose``.

Pure: the composer makes no market-data request. The runner fetches every unique symbol once per run (for
all due chats together) and hands each chat the same dict, so a thousand chats cost one batch of quotes.

What the message says, in this order: a header (market, local date); the market's indices; the watchlist's
biggest movers; where every number came from and as of when (rule G1); a spotlight quoting one or two cited
research sentences about the kind of thing that moved most; a risk reminder; the disclaimer. A number that
is missing is written as missing ("data unavailable"), never as 0 and never guessed (rule G10).

Research text is data. Its sentences are screened by the compliance guard before they are quoted (a quotation
inside a message is not screened again: the guard reads quoted text as shown, not said), and the templates
around them are fixed catalogue strings that the tests screen too.

Spotlights are memoised per (query, language): queries depend only on the kind of mover and its direction,
so a run over 1,000 chats searches a dozen times at most instead of 1,000 times (~40 ms per hybrid search).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from advisor.briefing.markets import MARKETS
from advisor.briefing.subscription import Subscription
from advisor.briefing.types import Briefing, BriefLine, Spotlight
from advisor.catalogue import INDEX_NAMES_ZH, briefing_query, message
from advisor.composer import split_sentences
from advisor.guard import check_sentence
from advisor.market.data import Quote
from advisor.market.pricerisk import override_for
from advisor.market.symbols import symbol_kind
from advisor.portfolio.render import moment, price
from advisor.risk import FUND_SYMBOLS, TOPICS
from advisor.types import Citation, Language
from knowledge.lexical import tokenize
from knowledge.retrieval import Hit, Retriever

log = logging.getLogger(__name__)

Kind = Literal["index", "etf", "stock", "fx", "crypto", "leveraged"]
KINDS: tuple[Kind, ...] = ("index", "etf", "stock", "fx", "crypto", "leveraged")  # the risk reminder's order

MAX_MOVERS_SHOWN = 5  # a phone screen; the JSON lists every line
EXCERPT_CHARS = 300
SEARCH_K = 5
MEMO_SIZE = 256  # (query, language) pairs: 12 queries x 2 languages today, room for more kinds
MAX_REASON_CHARS = 120
# Sentences a spotlight does not quote: hypotheticals, and sentences leaning on an example it leaves out.
HYPOTHETICAL = re.compile(r"\b(?:suppose|hypothetical(?:ly)?|imagine|for (?:example|instance)|(?:the|this|that) "
                          r"example|in (?:that|this) case)\b|假设|假如|例如|比如|上例|该例", re.IGNORECASE)
# Kinds whose spotlight must name them: the taxonomy's own patterns, in English and Chinese.
TOPIC_OF: dict[Kind, re.Pattern[str]] = {
    "crypto": TOPICS["crypto"].pattern,
    "leveraged": re.compile("|".join(TOPICS[key].pattern.pattern for key in ("leveraged_etf", "options", "margin")),
                            re.IGNORECASE),
}


@dataclass(frozen=True)
class Research:
    """What a spotlight quotes: screened sentences from the best hit, and their citation."""

    excerpt: str
    citation: Citation


@functools.lru_cache(maxsize=4096)  # a third of a briefing's cost before: the same symbols come up in every run
def line_kind(symbol: str, is_index: bool = False) -> Kind:
    """What moved, for the spotlight's query and the risk reminder, from the spelling alone (no data request).
    ``is_index``: the market lists it among its indices (Shanghai's "000300.SS" is not spelled like one)."""
    if is_index or symbol_kind(symbol) == "index":
        return "index"
    override = override_for(symbol)
    if override == "crypto":
        return "crypto"
    if override is not None:  # leveraged or inverse funds, options, futures: R5 whatever their history
        return "leveraged"
    if symbol_kind(symbol) == "fx":
        return "fx"
    return "etf" if symbol in FUND_SYMBOLS else "stock"


def move_text(change_pct: float) -> str:
    arrow = "▲" if change_pct > 0 else "▼" if change_pct < 0 else "■"
    return f"{arrow} {change_pct:+.2%}"


class BriefingComposer:
    def __init__(self, retriever: Retriever | None) -> None:
        self.retriever = retriever
        self._memo: OrderedDict[tuple[str, Language], Research | None] = OrderedDict()
        self._lock = threading.Lock()
        self.searches = 0  # retriever calls made, for the benchmark and tests

    def symbols(self, sub: Subscription) -> list[str]:
        """Every symbol the chat's briefing shows: the market's indices, then the watchlist, each once."""
        ordered = [symbol for symbol, _ in MARKETS[sub.market].indices] + list(sub.watchlist)
        return list(dict.fromkeys(ordered))

    def compose(self, sub: Subscription, quotes: Mapping[str, Quote], local_date: date, language: Language, *,
                unavailable: str = "") -> Briefing:
        """The briefing for ``sub`` on ``local_date``. ``unavailable`` is the provider's failure at send time:
        then every line says its data is unavailable and one line says why."""
        market = MARKETS[sub.market]
        known: Mapping[str, Quote] = {} if unavailable else quotes
        index_symbols = [symbol for symbol, _ in market.indices]
        indices = tuple(_line(symbol, _index_name(symbol, name, language), known.get(symbol))
                        for symbol, name in market.indices)
        watched = [s for s in dict.fromkeys(sub.watchlist) if s not in index_symbols]
        watchlist = tuple(sorted((_line(s, "", known.get(s)) for s in watched), key=_mover_order))

        mover = _biggest_mover(indices + watchlist)
        spotlight = None
        if mover is not None and mover.change_pct is not None:
            kind = line_kind(mover.symbol, mover.symbol in index_symbols)
            direction = "down" if mover.change_pct < 0 else "up"
            research = self.research(briefing_query(kind, direction, language), language, kind)
            if research is not None:
                spotlight = _spotlight(mover, kind, research, language)
        kinds = {"index", *(line_kind(line.symbol) for line in watchlist)}
        reminders = [message(f"brief_risk_{k}", language) for k in KINDS if k in kinds]
        risk = ("" if language == "zh" else " ").join(  # Chinese sentences run on without spaces
            [*reminders, message("brief_risk_close", language)])
        disclaimer = message("disclaimer", language)
        text = _text(sub, local_date, language, indices, watchlist, spotlight, risk, disclaimer, unavailable)
        briefing = Briefing(sub.chat_key, local_date, sub.market, language, indices, watchlist, spotlight, risk,
                            disclaimer, text)
        if sub.chart and any(line.change_pct is not None for line in indices + watchlist):
            briefing = replace(briefing, chart=_chart(briefing))
        return briefing

    # -- the research spotlight --------------------------------------------------------------------------

    def research(self, query: str, language: Language, kind: Kind | None = None) -> Research | None:
        """The screened, cited excerpt for ``query``, memoised (a miss is remembered too; a failure is not).
        ``kind`` is what the query is about (each query belongs to one kind, so it need not be in the key)."""
        key = (query, language)
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        if self.retriever is None:
            return None
        try:
            hits = self.retriever.search(query, k=SEARCH_K)
        except Exception as exc:  # a briefing without its spotlight still goes out
            log.warning("briefing spotlight search failed (%s)", type(exc).__name__)
            return None
        found = _excerpt(query, hits, language, TOPIC_OF.get(kind) if kind else None)
        with self._lock:
            self.searches += 1
            self._memo[key] = found
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return found


def _excerpt(query: str, hits: list[Hit], language: Language, topic: re.Pattern[str] | None) -> Research | None:
    """One or two consecutive sentences of the best hit in the briefing's language that has a usable one: the
    sentence covering most of the query, and the next if it fits. Each passes the compliance guard, is no
    hypothetical (next to a real symbol's move, "suppose a company's accounts..." would read as about it)
    and, for kinds with a topic of their own, names it (a Chinese crypto query otherwise finds bond notes)."""
    terms = set(tokenize(query))
    joiner = "" if language == "zh" else " "
    for hit in hits:
        if hit.metadata.get("language") not in (None, "", language):
            continue
        sentences = split_sentences(hit.text)
        usable = [len(s) <= EXCERPT_CHARS and not HYPOTHETICAL.search(s) and check_sentence(s).allowed
                  for s in sentences]
        candidates = [i for i, ok in enumerate(usable) if ok and (topic is None or topic.search(sentences[i]))]
        if not candidates:
            continue
        best = max(candidates, key=lambda i: (len(terms & set(tokenize(sentences[i]))), -i))
        chosen = [sentences[best]]
        if best + 1 < len(sentences) and usable[best + 1] \
                and len(chosen[0]) + len(sentences[best + 1]) + 1 <= EXCERPT_CHARS:
            chosen.append(sentences[best + 1])
        excerpt = joiner.join(chosen)
        citation = Citation(hit.doc_id, hit.title, hit.source, str(hit.metadata.get("date", "")), excerpt)
        return Research(excerpt, citation)
    return None


def _spotlight(mover: BriefLine, kind: Kind, research: Research, language: Language) -> Spotlight:
    cited = research.citation
    dated = f", {cited.date}" if cited.date else ""
    assert mover.change_pct is not None
    text = message("brief_spotlight", language, mover=mover.name if kind == "index" else mover.symbol,
                   move=f"{mover.change_pct:+.2%}", topic=message(f"brief_topic_{kind}", language),
                   excerpt=research.excerpt, citation=f"{cited.title} ({cited.source}{dated})")
    return Spotlight(text, (cited,))


# -- lines ---------------------------------------------------------------------------------------------------

def _index_name(symbol: str, english: str, language: Language) -> str:
    return INDEX_NAMES_ZH.get(symbol, english) if language == "zh" else english


def _line(symbol: str, name: str, quote: Quote | None) -> BriefLine:
    if quote is None or not math.isfinite(quote.price):
        return BriefLine(symbol, name or symbol)
    change = quote.change_pct
    return BriefLine(symbol, name or quote.name or symbol, quote.price,
                     change if change is not None and math.isfinite(change) else None,
                     quote.currency, quote.as_of, quote.source, quote.stale)


def _mover_order(line: BriefLine) -> tuple[int, float]:
    """Biggest absolute move first, then priced lines without a move, then lines without data."""
    if line.price is None:
        return (2, 0.0)
    if line.change_pct is None:
        return (1, 0.0)
    return (0, -abs(line.change_pct))


def _biggest_mover(lines: Sequence[BriefLine]) -> BriefLine | None:
    moved = [line for line in lines if line.price is not None and line.change_pct]  # 0.0 and None: no move
    return max(moved, key=lambda line: abs(line.change_pct or 0.0), default=None)


# -- the message ---------------------------------------------------------------------------------------------

def _text(sub: Subscription, local_date: date, language: Language, indices: tuple[BriefLine, ...],
          watchlist: tuple[BriefLine, ...], spotlight: Spotlight | None, risk: str, disclaimer: str,
          unavailable: str) -> str:
    zone = ZoneInfo(sub.zone)
    weekday = message("brief_weekdays", language).split()[local_date.weekday()]
    header = message("brief_header", language, market=message(f"brief_market_{sub.market}", language),
                     date=local_date.isoformat(), weekday=weekday)
    blocks = [header]
    if unavailable:
        reason = re.sub(r"\s+", " ", unavailable).strip()[:MAX_REASON_CHARS]
        blocks.append(message("brief_outage", language, reason=reason))
    priced = [line for line in indices + watchlist if line.price is not None]
    origins = {(line.as_of, line.source) for line in priced}
    per_line = len(origins) > 1  # one footer when every number shares its source and as-of time

    def number(line: BriefLine, label: str, currency: bool) -> str:
        assert line.price is not None
        text = f"**{label}** {price(line.price)}"
        if currency and line.currency:  # index points have no currency worth showing
            text += f" {line.currency}"
        text += " " + (move_text(line.change_pct) if line.change_pct is not None
                       else message("brief_no_change", language))
        if line.stale:
            text += " " + message("brief_stale", language)
        if per_line:
            text += " · " + _provenance(line, zone, language)
        return text

    blocks.append("\n".join([message("brief_indices", language)] + [
        number(line, line.name, currency=False) if line.price is not None
        else message("brief_unavailable", language, name=f"**{line.name}**") for line in indices]))
    if watchlist:
        shown = [line for line in watchlist if line.price is not None][:MAX_MOVERS_SHOWN]
        rows = [message("brief_watchlist", language)] + [number(line, line.symbol, currency=True)
                                                            for line in shown]
        hidden = sum(1 for line in watchlist if line.price is not None) - len(shown)
        if hidden:
            rows.append(message("brief_more", language, count=hidden))
        missing = [f"**{line.symbol}**" for line in watchlist if line.price is None]
        if missing:
            rows.append(message("brief_unavailable", language, name=", ".join(missing)))
        blocks.append("\n".join(rows))
    footer = []
    if priced and not per_line:
        footer.append(message("brief_data", language, provenance=_provenance(priced[0], zone, language)))
    if any(line.stale for line in priced):
        footer.append(message("brief_stale_note", language))
    if footer:
        blocks.append("\n".join(footer))
    if spotlight is not None:
        blocks.append(spotlight.text)
    blocks.append(message("brief_risk", language, risk=risk))
    blocks.append(disclaimer)
    return "\n\n".join(blocks)


def _provenance(line: BriefLine, zone: ZoneInfo, language: Language) -> str:
    when = moment(line.as_of.astimezone(zone)) if line.as_of else "?"
    return message("brief_provenance", language, source=line.source or "?", moment=when)


def _chart(briefing: Briefing) -> bytes | None:
    try:
        from advisor.briefing.chart import briefing_chart  # matplotlib loads with the first chart only

        return briefing_chart(briefing)
    except Exception as exc:  # the text is the briefing; a chart that fails must not take it along
        log.warning("briefing chart for %s failed (%s)", briefing.chat, type(exc).__name__)
        return None
