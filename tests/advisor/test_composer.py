from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from advisor.advisor import Advisor
from advisor.composer import DEFAULT_CHECK, GroundedComposer, RelevanceCheck, content_terms, split_sentences
from advisor.profiles import MemoryProfileStore
from advisor.types import Answer, Question
from knowledge.lexical import tokenize
from knowledge.research import Research
from knowledge.retrieval import Hit


def hit(doc: str, text: str, score: float) -> Hit:
    return Hit(doc, f"{doc}-c", score, doc.title(), f"{doc}.md", text, {"doc_id": doc})


def test_split_sentences_skips_headings_questions_and_fragments() -> None:
    text = ("## Heading\nBond prices fall when rates rise. Duration measures that sensitivity!\n"
            "Is this right for you? Short bit.\n分散投资可以降低单一资产的风险。你准备好了吗？")
    assert split_sentences(text) == ["Bond prices fall when rates rise.", "Duration measures that sensitivity!",
                                     "分散投资可以降低单一资产的风险。"]


def test_compose_picks_relevant_sentences_in_reading_order() -> None:
    hits = [
        hit("bonds", "Bonds are loans to issuers. Bond prices fall when interest rates rise. "
                     "Longer bonds are more sensitive to rate changes. Coupons are paid twice a year.", 0.8),
        hit("cats", "Cats sleep for most of the day. Cats enjoy warm windowsills and boxes.", 0.3),
        hit("rates", "When interest rates rise, existing bonds with lower coupons lose value.", 0.7),
    ]
    draft = GroundedComposer().compose("why do bond prices fall when interest rates rise?", hits)
    texts = [c.text for c in draft.sentences]
    assert "Bond prices fall when interest rates rise." in texts
    assert not any("Cats" in t for t in texts)
    assert len(texts) <= 4 and draft.strength > 0.5
    ranks = [(c.rank, c.position) for c in draft.sentences]
    assert ranks == sorted(ranks)  # grouped by source, reading order within it
    assert draft.sentences[0].hit.doc_id == "bonds"


def test_duplicates_from_overlapping_chunks_are_quoted_once() -> None:
    sentence = "Margin calls can force a sale at the worst moment."
    hits = [hit("m1", f"{sentence} Leverage magnifies losses.", 0.9), hit("m2", sentence, 0.8)]
    draft = GroundedComposer().compose("what is a margin call", hits)
    assert [c.text for c in draft.sentences].count(sentence) == 1


def test_no_hits_make_an_empty_draft() -> None:
    draft = GroundedComposer().compose("anything", [])
    assert draft.sentences == () and draft.strength == 0.0


# -- the relevance check: quoted sentences must be about what was asked --------------------------------


def test_content_terms_skip_question_framing_and_characters_inside_words() -> None:
    assert content_terms(set(tokenize("What is the difference between a call and a put option?"))) == {
        "call", "put", "option"}
    chinese = content_terms(set(tokenize("北交所开户需要什么条件？")))
    assert {"北交", "开户", "条件"} <= chinese
    assert "交" not in chinese and "需要" not in chinese  # 交 alone would match 交易所 in unrelated notes
    assert content_terms(set(tokenize("税是什么？"))) == {"税"}  # a one-character word still counts


def test_relevance_check_keeps_evidence_and_drops_weak_or_padding_sentences() -> None:
    check = RelevanceCheck(chunk_weight=3.0, min_chunk=0.3, min_relevance=0.3, relative=0.75)
    coverage = np.array([1.0, 0.4, 0.0, 0.5, 0.05])
    chunk = np.array([0.7, 0.7, 0.8, 0.25, 0.45])
    # on point; related; shares no word with the question; passage too weak; mostly carried by its passage
    assert check.passing(coverage, chunk).tolist() == [True, True, False, False, False]
    assert not check.passing(np.array([0.1]), np.array([0.3])).any()  # weak everywhere: nothing to quote


def test_weakly_matched_passages_are_no_longer_quoted_as_padding() -> None:
    hits = [
        hit("liquidity", "The best bid might be 1.90 dollars for only 1,000 shares, with the next bids lower. "
                         "Thinly traded securities often have wide spreads and shallow order books.", 0.31),
        hit("orders", "A market order asks the broker to buy or sell immediately at the best available price. "
                      "A day order expires at the end of the trading session.", 0.30),
    ]
    question = "How do closing auctions set the final price of a share?"
    before = GroundedComposer(check=None).compose(question, hits)
    assert len(before.sentences) == 4  # the old selection padded to four sentences about something else
    assert GroundedComposer().compose(question, hits).sentences == ()


@pytest.fixture
def advisors(bundled_research: Research) -> dict[str, Advisor]:
    return {run: Advisor(bundled_research.retriever, GroundedComposer(check=check), MemoryProfileStore())
            for run, check in (("old", None), ("new", DEFAULT_CHECK))}


@pytest.mark.parametrize("question", ["How does mortgage refinancing work?", "What is an annuity?", "什么是可转债？"])
def test_a_question_the_notes_do_not_cover_gets_nearest_topics_not_padding(advisors: dict[str, Advisor],
                                                                          question: str) -> None:
    before = advisors["old"].answer(Question(question))
    assert len(quoted(before)) == 4  # four sentences from notes that never mention the subject
    answer = advisors["new"].answer(Question(question))
    assert answer.abstained and answer.abstain_reason == "no relevant sentence" and answer.citations == ()
    assert ("closest" in answer.text or "最接近" in answer.text) and answer.disclaimer


def test_an_answer_keeps_its_relevant_sentences_and_drops_the_unrelated_one(advisors: dict[str, Advisor]) -> None:
    question = Question("What is a lock-up period after an IPO?")
    before = {doc for doc, _ in quoted(advisors["old"].answer(question))}
    assert before == {"ipos.md", "liquidity.md"}  # liquidity: "assets with lock-up periods" -- another sense
    after = quoted(advisors["new"].answer(question))
    assert {doc for doc, _ in after} == {"ipos.md"}
    assert any("Lock-up periods restrict some existing shareholders" in sentence for _, sentence in after)


def test_the_labelled_test_split_keeps_answers_on_topic(advisors: dict[str, Advisor]) -> None:
    """tests/data/answers.jsonl, test split (thresholds were tuned on the other half). Floors sit a little
    under the figures measured by benchmarks/answers.py, so a regression fails here."""
    rows = [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == "test"]
    figures = {run: _figures(rows, [quoted(advisor.answer(Question(r["text"]))) for r in rows])
               for run, advisor in advisors.items()}
    new, old = figures["new"], figures["old"]
    assert new["overall"] >= 0.82 and new["overall"] >= old["overall"] + 0.12  # measured 88.4% vs 69.4%
    assert new["precision"] >= 0.94  # measured 98.0%
    # Sentences quoted per answer: measured 3.02 vs 3.27. It was 2.92 before the bundled notes were embedded with
    # both MiniLM and e5 (issue 13): Chinese answers now quote a little more (2.81 -> 3.11) while their overall
    # score rose from 96.6% to 100% and no answerable question abstains. The ceiling keeps answers short.
    assert new["per_answer"] <= 3.1 and new["per_answer"] < old["per_answer"]
    assert new["abstain_unanswerable"] >= 0.55  # measured 64.7% (old 23.5%)
    assert new["abstain_off_topic"] >= 0.88  # measured 94.1%
    assert new["abstain_answerable"] <= 0.06 and new["cites_relevant"] >= 0.94  # measured 1.9%, 98.1%


ANSWERS = Path(__file__).parents[1] / "data" / "answers.jsonl"
QUOTE = re.compile(r"(\S.*?) \[(\d+)\](?= |$)")


def quoted(answer: Answer) -> list[tuple[str, str]]:
    """(doc id, sentence) for each research sentence an answer quotes."""
    if answer.abstained:
        return []
    docs = [c.doc_id for c in answer.citations]
    return [(docs[int(n) - 1], sentence) for part in answer.text.split("\n\n")
            for sentence, n in QUOTE.findall(part)]


def _figures(rows: list[dict[str, Any]], quotes: list[list[tuple[str, str]]]) -> dict[str, float]:
    """The figures benchmarks/answers.py reports, for one run over ``rows``."""
    pairs = list(zip(rows, quotes, strict=True))
    answerable = [(r, q) for r, q in pairs if r["kind"] == "answerable"]
    kept = [doc in r["relevant_docs"] for r, q in answerable for doc, _ in q]
    answered = [q for q in quotes if q]
    out = {"precision": sum(kept) / len(kept), "overall": sum(kept) / sum(len(q) for q in quotes),
           "per_answer": sum(len(q) for q in answered) / len(answered),
           "cites_relevant": sum(any(doc in r["relevant_docs"] for doc, _ in q) for r, q in answerable)
           / len(answerable)}
    for kind in ("answerable", "unanswerable", "off_topic"):
        of_kind = [q for r, q in pairs if r["kind"] == kind]
        out[f"abstain_{kind}"] = sum(not q for q in of_kind) / len(of_kind)
    return out
