"""Suitability: a short risk questionnaire -> investor level C1-C5, and matching against R1-R5.

Scoring follows the compliance notes: eight questions worth up to 100 points; 0-19 C1, 20-39 C2,
40-59 C3, 60-79 C4, 80-100 C5. Matching: C1 -> R1, C2 -> R1-R2, ... C5 -> R1-R5. A product above the
member's level gets an explicit warning; the most protected level (C1) asking about R4-R5 gets
education only; a member with no profile gets the general disclaimer and an invitation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from advisor.catalogue import message
from advisor.types import INVESTOR_LEVELS, RISK_LEVELS, InvestorLevel, Language, RiskLevel


@dataclass(frozen=True)
class Choice:
    en: str
    zh: str
    points: int


@dataclass(frozen=True)
class Item:
    key: str
    en: str
    zh: str
    choices: tuple[Choice, ...]

    def text(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en

    def choice_texts(self, language: Language) -> list[str]:
        return [c.zh if language == "zh" else c.en for c in self.choices]


def _item(key: str, en: str, zh: str, *choices: tuple[str, str, int]) -> Item:
    return Item(key, en, zh, tuple(Choice(*c) for c in choices))


QUESTIONNAIRE: tuple[Item, ...] = (
    _item("horizon", "How long could you leave this money invested?", "这笔资金您计划投资多长时间？",
          ("Less than 1 year", "少于1年", 0), ("1 to 3 years", "1至3年", 5),
          ("3 to 5 years", "3至5年", 10), ("More than 5 years", "5年以上", 15)),
    _item("loss", "What is the largest fall in value you could live with in one year?",
          "一年内您能承受的最大亏损幅度是多少？",
          ("No loss at all", "不能接受任何亏损", 0), ("Up to 5%", "5%以内", 5),
          ("Up to 15%", "15%以内", 10), ("Up to 30%", "30%以内", 15), ("More than 30%", "30%以上", 20)),
    _item("reaction", "If your investments fell 20% in a month, what would you most likely do?",
          "如果您的投资在一个月内下跌20%，您最可能怎么做？",
          ("Sell everything", "全部卖出", 0), ("Sell some", "卖出一部分", 4),
          ("Wait", "继续持有观望", 8), ("Invest more", "追加投资", 12)),
    _item("experience", "How many years have you invested in shares, funds or similar products?",
          "您投资股票、基金等产品有多少年？",
          ("None", "没有经验", 0), ("Less than 2 years", "少于2年", 4),
          ("2 to 5 years", "2至5年", 8), ("More than 5 years", "5年以上", 12)),
    _item("knowledge", "Which best describes your investment knowledge?", "以下哪项最符合您的投资知识水平？",
          ("I am new to investing", "刚开始了解投资", 0), ("I know shares, bonds and funds", "了解股票、债券和基金", 5),
          ("I also understand leverage, options or short selling", "还了解杠杆、期权或卖空", 10)),
    _item("income", "How stable is your income?", "您的收入稳定程度如何？",
          ("No regular income", "没有稳定收入", 0), ("Somewhat stable", "较为稳定", 5),
          ("Stable, with savings to spare", "稳定且有结余", 10)),
    _item("reserve", "How many months of expenses do you hold in cash outside this investment?",
          "在这笔投资之外，您持有可覆盖几个月开支的现金？",
          ("Less than 1 month", "不足1个月", 0), ("1 to 3 months", "1至3个月", 3),
          ("3 to 6 months", "3至6个月", 6), ("More than 6 months", "6个月以上", 8)),
    _item("objective", "What is your main goal for this money?", "这笔资金的主要投资目标是什么？",
          ("Keep it safe", "保持资金安全", 0), ("Steady income", "获得稳定收益", 4),
          ("Balanced growth", "稳健增长", 8),
          ("Maximum growth, accepting large swings", "追求较高增长，接受大幅波动", 13)),
)
MAX_POINTS = sum(max(c.points for c in item.choices) for item in QUESTIONNAIRE)


class QuestionnaireError(ValueError):
    """Answers that do not fit the questionnaire."""


def score(answers: dict[str, int]) -> int:
    """Points (0-100) for answers given as {item key: choice index}."""
    total = 0
    for item in QUESTIONNAIRE:
        if item.key not in answers:
            raise QuestionnaireError(f"missing answer to {item.key!r}")
        index = answers[item.key]
        if not isinstance(index, int) or not 0 <= index < len(item.choices):
            raise QuestionnaireError(f"answer {index!r} is not a choice for {item.key!r}")
        total += item.choices[index].points
    unknown = set(answers) - {item.key for item in QUESTIONNAIRE}
    if unknown:
        raise QuestionnaireError(f"unknown questions: {sorted(unknown)}")
    return round(total * 100 / MAX_POINTS)


def level_for(points: int) -> InvestorLevel:
    return INVESTOR_LEVELS[min(4, max(0, points) // 20)]


def max_risk(level: InvestorLevel) -> RiskLevel:
    return RISK_LEVELS[INVESTOR_LEVELS.index(level)]


@dataclass(frozen=True)
class Profile:
    user_id: str
    level: InvestorLevel
    answers: dict[str, int] = field(default_factory=dict)
    points: int = 0
    taken_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def from_answers(cls, user_id: str, answers: dict[str, int]) -> Profile:
        points = score(answers)
        return cls(user_id, level_for(points), dict(answers), points)


Match = Literal["none", "ok", "warn", "education_only", "confirmed"]


@dataclass(frozen=True)
class Suitability:
    match: Match
    note: str


def assess(profile: Profile | None, risk: RiskLevel, language: Language) -> Suitability:
    if profile is None:
        return Suitability("none", message("suitability_none", language))
    allowed = max_risk(profile.level)
    if RISK_LEVELS.index(risk) <= RISK_LEVELS.index(allowed):
        return Suitability("ok", message("suitability_ok", language, risk=risk, level=profile.level))
    if profile.level == "C1" and RISK_LEVELS.index(risk) >= 3:
        return Suitability("education_only",
                           message("suitability_education_only", language, level=profile.level, risk=risk))
    allowed_range = "R1" if allowed == "R1" else f"R1-{allowed}"
    return Suitability("warn", message("suitability_warn", language, risk=risk, level=profile.level,
                                       allowed=allowed_range))
