"""The sentence screen (advisor.guard): what an answer may and may not say, in English and Chinese.

The red-team file (tests/data/guard_redteam.jsonl) was written before the rules and split into a tuning
half and a held-out half; the probe file (tests/data/guard_probes.jsonl) holds later rounds of fresh
sentences. Both must pass in full: no promise, forecast, call or testimonial gets through, and no lesson,
warning or quotation is blocked.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from advisor.compliance import check_sentence, promissory_words, screen
from advisor.composer import split_sentences
from advisor.guard import ENTRIES, clauses, violations
from advisor.regex_prefilter import PieceFinder, required_pieces
from knowledge.documents import SourceDocument, read_documents
from knowledge.research import BUNDLED_CORPUS

DATA = Path(__file__).parent.parent / "data"
PROMISE, FORECAST, CALL, TESTIMONIAL = "G2 promise", "G3 forecast", "G5 trade call", "G8 testimonial"


def rows(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def misjudged(cases: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(blocked sentences the guard let through, allowed sentences it blocked)."""
    let_through = [c["text"] for c in cases if c["label"] == "blocked" and not violations(c["text"])]
    blocked = [c["text"] for c in cases if c["label"] == "allowed" and violations(c["text"])]
    return let_through, blocked


def test_red_team_file_is_large_balanced_and_split() -> None:
    cases = rows("guard_redteam.jsonl")
    assert len(cases) >= 300
    labels = Counter(c["label"] for c in cases)
    assert 0.50 <= labels["blocked"] / len(cases) <= 0.60
    assert 0.30 <= sum(c["lang"] == "zh" for c in cases) / len(cases) <= 0.40
    for label in ("blocked", "allowed"):
        halves = Counter(c["split"] for c in cases if c["label"] == label)
        assert abs(halves["tune"] - halves["test"]) <= 0.05 * labels[label]
    assert {c["rule"] for c in cases if c["label"] == "blocked"} == {PROMISE, FORECAST, CALL, TESTIMONIAL}
    assert {"promise", "forecast", "call", "testimonial", "obfuscation", "education", "warning"} == {
        c["kind"] for c in cases}


@pytest.mark.parametrize("split", ["tune", "test"])
def test_red_team_no_false_negatives_and_no_false_positives(split: str) -> None:
    cases = [c for c in rows("guard_redteam.jsonl") if c["split"] == split]
    let_through, blocked = misjudged(cases)
    blocked_total = sum(c["label"] == "blocked" for c in cases)
    assert not let_through, f"FN {len(let_through)}/{blocked_total}: {let_through}"
    assert not blocked, f"FP {len(blocked)}/{len(cases) - blocked_total}: {blocked}"


def test_red_team_blocked_sentences_break_the_expected_rule() -> None:
    wrong = [(c["text"], c["rule"], violations(c["text"])) for c in rows("guard_redteam.jsonl")
             if c["label"] == "blocked" and c["rule"] not in violations(c["text"])]
    assert not wrong


def test_probe_rounds_pass_in_full() -> None:
    let_through, blocked = misjudged(rows("guard_probes.jsonl"))
    assert not let_through and not blocked, (let_through, blocked)


# --- the bypasses found in review, by name ----------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "rule"), [
    pytest.param("It's guaranteed, and you can't lose.", PROMISE, id="apostrophes-are-not-quotes"),
    pytest.param("It\u2019s guaranteed, and you can\u2019t lose.", PROMISE, id="curly-apostrophes-are-not-quotes"),
    pytest.param("Stocks will rise over the next year.", FORECAST, id="future-tense-forecast"),
    pytest.param("The price will climb to $500.", FORECAST, id="price-target"),
    pytest.param("This fund guarantees 8% a year.", PROMISE, id="guarantees-as-a-verb"),
    pytest.param("Zero risk: your capital is fully protected.", PROMISE, id="zero-risk"),
    pytest.param("Buy VTI and hold it forever.", CALL, id="imperative-call"),
    pytest.param("I'd put everything into NVDA.", CALL, id="first-person-call"),
    pytest.param("这只股票肯定涨。", FORECAST, id="ken-ding-zhang"),
    pytest.param("建议大家买入。", CALL, id="jian-yi-da-jia-mai-ru"),
    pytest.param("Not a scam: this fund is guaranteed to pay 10%.", PROMISE, id="not-a-scam-excuses-nothing"),
    pytest.param("Beware: NVDA will double by March.", FORECAST, id="beware-excuses-nothing"),
    pytest.param("This scam-free fund is guaranteed.", PROMISE, id="scam-word-excuses-nothing"),
    pytest.param("Not only is it safe, it is guaranteed to pay 9%.", PROMISE, id="not-excuses-nothing"),
    pytest.param("不是骗局：这只基金保本保息。", PROMISE, id="bu-shi-pian-ju-excuses-nothing"),
    pytest.param("骗你是小狗，这只股票下周必然暴涨。", FORECAST, id="pian-word-excuses-nothing"),
    pytest.param('This fund is "guaranteed" to pay 10% a year.', PROMISE, id="scare-quotes"),
    pytest.param("This plan is 'guaranteed' to work.", PROMISE, id="single-quotes-are-not-quotes"),
])
def test_review_bypasses_are_blocked(sentence: str, rule: str) -> None:
    verdict = check_sentence(sentence)
    assert not verdict.allowed and rule in violations(sentence)


@pytest.mark.parametrize("sentence", [
    "ｇｕａｒａｎｔｅｅｄ returns",                  # full width
    "guar\u200banteed returns",                      # zero-width space
    "g u a r a n t e e d returns",                   # spaced out
    "It's a s.u.r.e t.h.i.n.g.",                     # dotted, after an article
    "Totally r i s k - f r e e income.",             # spaced with a hyphen
    "gu\u0430r\u0430nteed returns",                  # Cyrillic а
    "GU\u0410R\u0410NTEED RETURNS",                  # capital Cyrillic А
    "GuArAnTeEd 20% a month.",                       # mixed case
    "稳 赚 不 赔",                                    # spaced Chinese
    "稳\u200b赚",                                     # zero-width in Chinese
])
def test_obfuscated_promises_are_blocked(sentence: str) -> None:
    assert violations(sentence) == [PROMISE]


# --- what stays allowed -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    # Quotations and warnings about promises.
    'Scammers often promise "guaranteed" returns.',
    "\u201cRisk-free\u201d is a word regulators tell investors to distrust.",
    "「稳赚不赔」是非法荐股的常见宣传语。",
    "警惕\u201c稳赚不赔\u201d的宣传。",
    "Claims that X is guaranteed are a red flag.",
    "Be wary of anyone who promises guaranteed returns.",
    "No investment is risk-free.",
    "Returns are not guaranteed.",
    "Past performance does not guarantee future results.",
    "声称保本保收益的都是骗局。",
    "任何投资都不保本。",
    # Mechanics in the future tense, and history in the past tense.
    "Bond prices fall when interest rates rise.",
    "If rates rise, bond prices will fall.",
    "An ETF will track its index minus fees.",
    "The fund will charge a fee of 0.2% a year.",
    "Your order will be filled at the next available price.",
    "In 2008 the S&P 500 fell about 37%.",
    "利率上升时，债券价格会下跌。",
    # Terms of the trade.
    "The Sharpe ratio uses the risk-free rate.",
    "看涨期权赋予买方以约定价格买入标的资产的权利。",
    "A buy order placed after the close executes at the next open.",
])
def test_lessons_warnings_and_quotations_are_allowed(sentence: str) -> None:
    assert check_sentence(sentence).allowed, violations(sentence)


def test_a_warning_covers_only_its_own_clause() -> None:
    assert check_sentence("Returns are not guaranteed, but this fund will double by March.").rule == FORECAST
    assert check_sentence("Be wary of hype; NVDA will double by March.").rule == FORECAST
    assert check_sentence("Some newsletters promise to double your money; treat them with suspicion.").allowed
    assert not check_sentence("The issuer says returns are guaranteed.").allowed


def test_history_in_the_past_tense_is_not_a_testimonial() -> None:
    assert check_sentence("Stocks were up 20% in 2021.").allowed  # "were" is not "we're"
    assert check_sentence("We're up 40% this year.").rule == TESTIMONIAL
    assert check_sentence("im up 300% this month").rule == TESTIMONIAL


def test_a_condition_excuses_mechanics_but_not_a_named_asset() -> None:
    assert check_sentence("If the index falls 10%, a fund that tracks it will fall by about as much.").allowed
    assert check_sentence("If the ETF is approved, bitcoin will rally to $120,000.").rule == FORECAST
    assert check_sentence("When the Fed cuts rates, NVDA will rip higher.").rule == FORECAST


def test_screen_keeps_allowed_sentences_and_names_the_rule_for_the_rest() -> None:
    kept, dropped = screen(["ETFs trade on exchanges like shares.", "ETFs are guaranteed to double.",
                            "I made 300% last year."])
    assert kept == ["ETFs trade on exchanges like shares."]
    assert dropped == [("ETFs are guaranteed to double.", PROMISE), ("I made 300% last year.", TESTIMONIAL)]


def test_promissory_words_lists_l1_words_outside_quotes_and_warnings() -> None:
    text = ('Scammers promise "guaranteed" returns. Returns are not guaranteed. '
            "It's guaranteed, and you can't lose. 这只基金稳赚不赔。任何投资都不保本。")
    assert promissory_words(text) == ["guaranteed", "can't lose", "稳赚不赔"]


# --- the bundled research notes ---------------------------------------------------------------------------
def corpus_sentences() -> list[str]:
    docs = [d for d in read_documents([BUNDLED_CORPUS]) if isinstance(d, SourceDocument)]  # front-matter stripped
    return [s for d in docs for s in split_sentences(d.text)]


def test_at_most_two_percent_of_the_bundled_notes_is_blocked() -> None:
    sentences = corpus_sentences()
    assert len(sentences) > 500
    blocked = [(s, violations(s)) for s in sentences if violations(s)]
    assert len(blocked) <= 0.02 * len(sentences), blocked


# --- speed without blind spots ----------------------------------------------------------------------------
@pytest.mark.parametrize(("pattern", "pieces"), [
    (r"\bguaranteed\b", {"guaranteed"}),
    (r"\b(?:will|'ll) (?:rise|fall)", {"rise", "fall"}),    # shortest piece of 4 bytes beats "'ll" (3)
    (r"稳赚(?:不赔)?", {"稳赚"}),
    (r"(?:going to|set to) (?:soar|crash)", {"going to", "set to"}),
    (r"\b(?:i|we) made", {"made"}),                           # "i" is too short to look for
    (r"\d+x", None),                                          # nothing literal at all: always runs
])
def test_required_pieces_read_from_the_pattern(pattern: str, pieces: set[str] | None) -> None:
    assert required_pieces(pattern) == (None if pieces is None else frozenset(pieces))


def test_piece_finder_finds_words_phrases_and_chinese() -> None:
    find = PieceFinder(["guarantee", "going to", "稳赚"])
    assert find("it's guaranteed and going to pay; 稳赚") == {"guarantee", "going to", "稳赚"}
    assert find("going nowhere, no guarantees") == {"guarantee"}


def test_the_prefilter_never_skips_a_pattern_that_would_match() -> None:
    texts = [c["text"] for name in ("guard_redteam.jsonl", "guard_probes.jsonl") for c in rows(name)]
    for sentence in texts + corpus_sentences():
        for clause in clauses(sentence):
            candidates = {id(entry) for entry in clause.sentence.candidates}
            skipped = [e.pattern.pattern for e in ENTRIES if e.pattern.search(clause.text) and id(e) not in candidates]
            assert not skipped, (sentence, skipped)


# --- the normaliser fixes this guard relies on (advisor/text.py) ------------------------------------------
@pytest.mark.parametrize(("text", "normalised"), [
    ("It's g u a r a n t e e d", "it's guaranteed"),        # the "s" of "it's" is not a spaced letter
    ("a s.u.r.e t.h.i.n.g", "a sure thing"),                # dots join letters, the space stays a word break
    ("r i s k - f r e e", "risk-free"),                     # a spaced hyphen stays a hyphen
    ("GU\u0410R\u0410NTEED", "guaranteed"),                  # capital Cyrillic look-alikes
])
def test_normaliser_joins_spaced_letters_and_folds_capital_look_alikes(text: str, normalised: str) -> None:
    from advisor.text import normalise

    assert normalise(text) == normalised
