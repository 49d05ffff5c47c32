"""``Advisor.answer(question) -> Answer``: the one entry point of the advisor.

question -> validate -> read intent (quotes, portfolios, off-topic and injections stop here) -> retrieve ->
compose (grounded, or model + verifier) -> screen every sentence (compliance) -> risk label -> suitability
-> notes -> Answer. Personal trade calls and predictions are refused, saying why, and get the education
that applies instead. In groups the member's own suitability note travels privately (``private_note``).
The compliance steps run after whatever composed the text, outside any model, so nothing in a question or
a document can switch them off.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from advisor.catalogue import education_query, message, risk_reason
from advisor.compliance import detect_language, mentions_performance, needs_balance, screen
from advisor.composer import Draft, GroundedComposer
from advisor.intent import read_intent
from advisor.market.names import yahoo_symbols
from advisor.market.pricerisk import PriceRisk
from advisor.profiles import ProfileStore
from advisor.risk import TAXONOMY, label_for, level_index, riskiest_topic
from advisor.suitability import Suitability, assess
from advisor.types import Answer, Citation, Language, Question, RiskLabel
from knowledge.errors import CollectionNotFoundError, InvalidQueryError
from knowledge.retrieval import Hit, Retriever, clean_text

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
RETRIEVE_K = 10
# Research whose best passage scores under this (hybrid score: 0.7 cosine + 0.3 normalised BM25) is not an
# answer. Calibrated with `benchmarks/advisor.py --calibrate`: answerable dev questions score above it
# (2nd percentile: FiQA 0.28, TAT-QA 0.39, bundled notes 0.33) and off-topic ones below (90th percentile
# 0.22-0.24 on all three collections; 91-94% of off-topic questions abstain).
ABSTAIN_BELOW = 0.25
# Intents answered with one line and no research: quotes and portfolios have features of their own (the chat
# router sends these intents there; elsewhere the member hears which command to use), off-topic questions and
# attempts to rewrite the bot's rules get no padding.
SHORT_REPLIES = {"quote": "quote_hint", "portfolio": "portfolio_hint", "off_topic": "off_topic",
                 "injection": "injection"}


class InvalidQuestionError(InvalidQueryError):
    pass


class Rephraser(Protocol):
    """The optional language-model step (``advisor.model``): verified rewrites of a draft, or None."""

    def rephrase(self, question: str, draft: Draft, language: Language) -> list[tuple[str, Hit]] | None: ...


@dataclass
class Advisor:
    retriever_for: Callable[[str], Retriever]
    composer: GroundedComposer
    profiles: ProfileStore
    collection: str = "research"
    rephraser: Rephraser | None = None
    abstain_below: float = ABSTAIN_BELOW
    price_risk: PriceRisk | None = None  # labels named securities from their price history (SRRI)
    # An answer waits this long for price history; a slower fetch finishes in the background and fills the
    # market-data cache for the next question, and this answer keeps its taxonomy label.
    price_budget: float = 3.0
    _pricing: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(2, "price-risk"), repr=False)

    def answer(self, question: Question, collection: str | None = None) -> Answer:
        text = clean_question(question.text)
        language = question.language or detect_language(text)
        reading = read_intent(text)
        intent = reading.intent
        log.info("intent %s (rule %s)", intent, reading.rule)
        if intent in SHORT_REPLIES:  # routed before retrieval: research sentences would only be padding
            return Answer(text=message(SHORT_REPLIES[intent], language), risk=label_for(text, [], language),
                          disclaimer=message("disclaimer", language), language=language, intent=intent,
                          refused=intent == "injection", abstained=intent == "off_topic",
                          securities=reading.securities)
        refused = intent in {"personal_advice", "prediction"}
        # A trade call or a prediction is not answered; what is taught instead is the topic's risks.
        search_text = education_query(riskiest_topic(text), language) if refused else text
        hits = self._retrieve(search_text, collection or self.collection)
        draft = self.composer.compose(search_text, hits) if hits else Draft((), 0.0)

        lines = self._draft_lines(text, draft, language)
        kept, dropped = screen([sentence for sentence, _ in lines])
        for sentence, rule in dropped:
            log.info("compliance guard dropped a sentence (%s, %d chars)", rule, len(sentence))
        lines = [(s, h) for s, h in lines if s in kept]

        weak = not refused and (not hits or hits[0].score < self.abstain_below)
        if not refused and (not lines or weak):
            # An empty draft from retrieved research means no sentence passed the composer's relevance
            # check: the research does not answer this, so the member gets the nearest topics instead.
            reason = ("weak evidence" if lines else "no relevant sentence" if hits and not draft.sentences
                      else "no usable evidence")
            return self._abstain(text, hits, language, question, reason=reason)

        citations, body = _cite(lines)
        risk = self._priced(text, reading.securities,
                            label_for(text, [h.metadata for h in _unique_hits(lines)], language), language)
        personal = self._suitability(question, risk, language)
        parts: list[str] = []
        if refused:
            parts.append(message(intent, language))
        if personal.match == "education_only" and not question.is_group:
            parts.append(message("education_only_note", language))
        if body:
            parts.append(body)
        joined = " ".join(parts)
        if needs_balance(joined):
            parts.append(message("balance", language))
        if mentions_performance(joined):
            parts.append(message("past_performance", language))
        if refused:
            parts.append(message("questionnaire_invite", language))
        return Answer(text="\n\n".join(parts), risk=risk, disclaimer=message("disclaimer", language),
                      language=language, citations=citations, intent=intent, refused=refused,
                      **self._notes(question, risk, personal, language))

    def _priced(self, text: str, securities: tuple[str, ...], risk: RiskLabel, language: Language) -> RiskLabel:
        """The SRRI-based label of the securities a question names, when their price history allows one.

        The taxonomy keeps the last word where it says R5: a leveraged fund, a coin, or words like "options"
        and "margin" around a stock. Without usable prices (unknown symbol, outage) the taxonomy label stands.
        """
        symbols = yahoo_symbols(securities)
        if self.price_risk is None or not symbols:
            return risk
        try:
            readings = self._pricing.submit(self.price_risk.readings, symbols).result(timeout=self.price_budget)
        except Exception as exc:  # market data is an enrichment here: the answer never waits on an outage
            log.warning("price-based risk unavailable (%s); using the taxonomy label", type(exc).__name__)
            return risk
        priced = [r for r in readings.values() if r.srri is not None and r.volatility is not None]
        words = [t for t in TAXONOMY if t.level == "R5" and t.pattern.search(text)]
        if not priced or words or any(r.overridden for r in readings.values()):
            return risk
        top = max(priced, key=lambda r: level_index(r.level))
        as_of = top.as_of.date().isoformat() if top.as_of else "?"
        return RiskLabel(top.level, risk_reason("prices", language, symbol=top.symbol, srri=top.srri,
                                                window=top.window, volatility=top.volatility, source=top.source,
                                                as_of=as_of))

    def _suitability(self, question: Question, risk: RiskLabel, language: Language) -> Suitability:
        """The asker's own match against the topic (G6); out-of-profile matches are logged."""
        profile = self.profiles.get(question.user_id)
        personal = assess(profile, risk.level, language)
        if personal.match in {"warn", "education_only"}:
            log.info("suitability %s: %s profile, %s topic", personal.match,
                     profile.level if profile else "-", risk.level)
        if personal.match == "warn" and profile and self.profiles.confirmed(question.user_id, risk.level):
            return Suitability("confirmed", message("suitability_confirmed", language, risk=risk.level,
                                                    level=profile.level))
        return personal

    @staticmethod
    def _notes(question: Question, risk: RiskLabel, personal: Suitability, language: Language) -> dict[str, Any]:
        """Where the suitability note goes. A group answer reads the same for every member, profiled or not:
        it names the topic's rating only, and the member's own note travels privately."""
        confirm = risk.level if personal.match == "warn" else None
        if not question.is_group:
            return {"suitability": personal.note, "confirm_risk": confirm}
        return {"suitability": message("suitability_group", language, risk=risk.level),
                "private_note": personal.note, "confirm_risk": confirm}

    def _retrieve(self, text: str, collection: str) -> list[Hit]:
        try:
            return self.retriever_for(collection).search(text, k=RETRIEVE_K)
        except CollectionNotFoundError:
            log.warning("collection %s does not exist; answering without research", collection)
            return []

    def _draft_lines(self, question: str, draft: Draft, language: Language) -> list[tuple[str, Hit]]:
        grounded = [(c.text, c.hit) for c in draft.sentences]
        if self.rephraser is None or not grounded:
            return grounded
        try:
            rewritten = self.rephraser.rephrase(question, draft, language)
        except Exception as exc:  # a model failure must never reach the member
            log.warning("language model failed (%s); using the grounded answer", type(exc).__name__)
            return grounded
        if rewritten is None:
            log.info("language model output did not survive verification; using the grounded answer")
            return grounded
        return rewritten

    def _abstain(self, question: str, hits: list[Hit], language: Language, asked: Question, *,
                 reason: str) -> Answer:
        topics = list(dict.fromkeys(h.title for h in hits))[:3]
        parts = [message("no_research", language)]
        if topics:
            parts.append(message("nearest_topics", language, topics=", ".join(topics)))
        risk = label_for(question, [], language)
        # Only a private chat hears that the member has no profile; a group must not learn it.
        note = message("suitability_none", language) if not asked.is_group and \
            self.profiles.get(asked.user_id) is None else ""
        return Answer(text=" ".join(parts), risk=risk, disclaimer=message("disclaimer", language),
                      language=language, suitability=note, abstained=True, abstain_reason=reason)


def clean_question(text: str) -> str:
    """Validate a member's question; raises ``InvalidQuestionError`` with a message for them."""
    cleaned = clean_text(text, "question", MAX_QUESTION_CHARS, InvalidQuestionError)
    if not re.search(r"\w", cleaned):
        raise InvalidQuestionError("The question has no words in it.")
    return cleaned


def _unique_hits(lines: list[tuple[str, Hit]]) -> list[Hit]:
    """The hits behind ``lines``, one per document, in order of first use."""
    return list({hit.doc_id: hit for _, hit in lines}.values())


def _cite(lines: list[tuple[str, Hit]]) -> tuple[tuple[Citation, ...], str]:
    """Number sources in order of first use and end each sentence with its source's [n]."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    body: list[str] = []
    for sentence, hit in lines:
        if hit.doc_id not in numbers:
            numbers[hit.doc_id] = len(numbers) + 1
            citations.append(Citation(hit.doc_id, hit.title, hit.source, str(hit.metadata.get("date", "")),
                                      sentence))
        body.append(f"{sentence} [{numbers[hit.doc_id]}]")
    return tuple(citations), " ".join(body)

