"""Types, catalogue, compliance rules, risk labels and suitability: the advisor's pure logic."""

from __future__ import annotations

import re
import string

import pytest

from advisor.catalogue import EDUCATION_QUERIES, MESSAGES, RISK_REASONS
from advisor.compliance import (
    check_sentence,
    detect_language,
    mentions_performance,
    needs_balance,
    promissory_words,
)
from advisor.intent import classify
from advisor.risk import annualised_volatility, label_for, risk_from_volatility, srri_class
from advisor.suitability import QUESTIONNAIRE, Profile, QuestionnaireError, assess, level_for, max_risk, score
from advisor.types import Answer, RiskLabel


def test_an_answer_cannot_exist_without_risk_label_and_disclaimer() -> None:
    label = RiskLabel("R2", "bonds")
    with pytest.raises(ValueError, match="disclaimer"):
        Answer(text="x", risk=label, disclaimer="  ", language="en")
    with pytest.raises(TypeError):
        Answer(text="x", risk=None, disclaimer="d", language="en")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RiskLabel("R9", "nope")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RiskLabel("R1", " ")


def test_catalogue_has_both_languages_with_the_same_placeholders() -> None:
    for table in (MESSAGES, RISK_REASONS, EDUCATION_QUERIES):
        for key, texts in table.items():
            assert set(texts) == {"en", "zh"}, key
            fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
            assert fields[0] == fields[1], key


@pytest.mark.parametrize(("question", "intent"), [
    ("Should I buy TSLA?", "personal_advice"),
    ("is NVDA a good buy right now", "personal_advice"),
    ("你推荐买什么股票", "personal_advice"),
    ("茅台现在该不该买", "personal_advice"),
    ("will BTC hit 100k?", "prediction"),
    ("what's your price target for Apple", "prediction"),
    ("比特币会涨到10万吗", "prediction"),
    ("what is a leveraged ETF?", "education"),
    ("什么是港股通", "education"),
])
def test_classify(question: str, intent: str) -> None:
    assert classify(question) == intent  # the cases the old classifier knew still route the same


@pytest.mark.parametrize(("sentence", "allowed"), [
    ("This fund is guaranteed to double.", False),
    ("Crypto is risk-free if you hold long enough.", False),
    ("稳赚不赔的好机会。", False),
    ("This stock will reach $500 next year.", False),
    ("目标价为200元。", False),
    ("You should buy TSLA now.", False),
    ("I made 300% last year with this strategy.", False),
    ("No investment is risk-free.", True),
    ("货币基金不保本，也可能亏损。", True),
    ('Scammers often promise "guaranteed" returns.', True),
    ("A post promising guaranteed returns is a red flag.", True),
    ("Bond prices fall when interest rates rise.", True),
    ("Returns are not guaranteed.", True),
    # Near-misses found in review: a warning-ish word or a stray negation must not excuse a promise.
    ("This promising stock is guaranteed to give you 20% a year.", False),
    ("Nobody can stop it: the price will reach $100.", False),
    ("No doubt about it, this fund is guaranteed to pay 10% a year.", False),
])
def test_check_sentence(sentence: str, allowed: bool) -> None:
    assert check_sentence(sentence).allowed is allowed


def test_balance_and_performance_notes() -> None:
    assert needs_balance("Index funds have delivered strong returns.")
    assert not needs_balance("Index funds can deliver returns but also losses.")
    assert mentions_performance("The fund returned 12% a year over a decade.")
    assert mentions_performance("该基金年化收益 8%。")
    assert not mentions_performance("Fees are 0.1% of assets.")


def test_promissory_words_audit_ignores_quotes_and_warnings() -> None:
    assert promissory_words('Beware of "guaranteed" returns. This is risk-free.') == ["risk-free"]
    assert promissory_words("Past performance does not guarantee future results.") == []


def test_detect_language() -> None:
    assert detect_language("什么是ETF？") == "zh"
    assert detect_language("What is Stock Connect (港股通)?") == "en"


@pytest.mark.parametrize(("question", "level"), [
    ("how do leveraged ETFs work", "R5"), ("explain options trading risks", "R5"), ("什么是融资融券", "R5"),
    ("is bitcoin volatile", "R5"), ("should I buy TSLA", "R4"), ("what is an index fund", "R3"),
    ("how do bonds react to rates", "R2"), ("what is diversification", "R2"),
    ("how big should my emergency fund be", "R1"), ("货币基金安全吗", "R1"),
    ("leveraged ETFs versus bonds", "R5"),
    ("what are options?", "R5"), ("how do covered calls and options work", "R5"), ("what are junk bonds", "R3"),
    ("are high-yield bond funds safe", "R3"), ("what are my options for saving", "R3"),
])
def test_risk_taxonomy(question: str, level: str) -> None:
    label = label_for(question, [], "en")
    assert label.level == level and label.reason


def test_risk_falls_back_to_evidence_front_matter() -> None:
    label = label_for("tell me more", [{"risk": "R4", "title": "IPOs"}], "zh")
    assert label.level == "R4" and re.search(r"[\u4e00-\u9fff]", label.reason)
    assert label_for("tell me more", [], "en").level == "R3"
    # A question that names no topic takes the riskiest of its cited sources, not the first one.
    mixed = label_for("tell me more", [{"risk": "R1", "title": "Savings"}, {"risk": "R5", "title": "Crypto"}], "en")
    assert mixed.level == "R5" and "crypto" in mixed.reason


@pytest.mark.parametrize("question", ["How much can I put in a Roth IRA?", "What does the SEC do?",
                                      "Is my CD covered by FDIC insurance?", "What is an ETF?"])
def test_capitalised_words_are_not_tickers(question: str) -> None:
    assert label_for(question, [], "en").level != "R4"


@pytest.mark.parametrize("question", ["Should I buy PLTR?", "what about $sofi", "is NVDA volatile"])
def test_known_symbols_and_dollar_tickers_are_single_stocks(question: str) -> None:
    assert label_for(question, [], "en").level == "R4"


def test_srri_bands_and_mapping() -> None:
    assert [srri_class(v) for v in (0.004, 0.01, 0.03, 0.07, 0.12, 0.2, 0.4)] == [1, 2, 3, 4, 5, 6, 7]
    assert [risk_from_volatility(v) for v in (0.004, 0.03, 0.07, 0.12, 0.3)] == ["R1", "R2", "R3", "R4", "R5"]
    assert risk_from_volatility(0.01, always_r5=True) == "R5"
    assert annualised_volatility([0.01, -0.01] * 26) == pytest.approx(0.0101 * 52 ** 0.5, rel=0.01)


def answers(choice: int | str) -> dict[str, int]:
    """The same choice for every question: "min", "max" or an index (capped at the last choice)."""
    def pick(n: int) -> int:
        return {"min": 0, "max": n - 1}[choice] if isinstance(choice, str) else min(choice, n - 1)

    return {item.key: pick(len(item.choices)) for item in QUESTIONNAIRE}


def test_questionnaire_scores_span_all_levels() -> None:
    assert 6 <= len(QUESTIONNAIRE) <= 10
    assert score(answers("min")) == 0 and score(answers("max")) == 100
    assert [level_for(p) for p in (0, 19, 20, 39, 40, 59, 60, 79, 80, 100)] == [
        "C1", "C1", "C2", "C2", "C3", "C3", "C4", "C4", "C5", "C5"]
    assert Profile.from_answers("u", answers(2)).level in {"C3", "C4"}
    with pytest.raises(QuestionnaireError):
        score({"horizon": 0})
    with pytest.raises(QuestionnaireError):
        score({**answers("min"), "horizon": 9})


@pytest.mark.parametrize(("level", "risk", "match"), [
    ("C1", "R1", "ok"), ("C1", "R2", "warn"), ("C1", "R4", "education_only"), ("C1", "R5", "education_only"),
    ("C3", "R3", "ok"), ("C3", "R5", "warn"), ("C5", "R5", "ok"), ("C2", "R4", "warn"),
])
def test_suitability_matching(level: str, risk: str, match: str) -> None:
    profile = Profile("u", level)  # type: ignore[arg-type]
    result = assess(profile, risk, "en")  # type: ignore[arg-type]
    assert result.match == match
    assert max_risk(profile.level) == f"R{level[1]}"
    if match == "warn":
        assert "Warning" in result.note and risk in result.note
    assert assess(None, "R1", "zh").match == "none"
