"""What crosses the advisor's boundary: a member's ``Question`` in, a compliant ``Answer`` out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Language = Literal["en", "zh"]
RiskLevel = Literal["R1", "R2", "R3", "R4", "R5"]
InvestorLevel = Literal["C1", "C2", "C3", "C4", "C5"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("R1", "R2", "R3", "R4", "R5")
INVESTOR_LEVELS: tuple[InvestorLevel, ...] = ("C1", "C2", "C3", "C4", "C5")


@dataclass(frozen=True)
class Question:
    text: str
    user_id: str = "anonymous"
    chat_id: str = "local"
    is_group: bool = False
    language: Language | None = None  # None: detect from the text
    asked_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    source: str
    date: str
    quote: str

    def to_json(self) -> dict[str, str]:
        return {"doc_id": self.doc_id, "title": self.title, "source": self.source, "quote": self.quote}


@dataclass(frozen=True)
class RiskLabel:
    level: RiskLevel
    reason: str

    def __post_init__(self) -> None:
        if self.level not in RISK_LEVELS:
            raise ValueError(f"risk level must be one of {RISK_LEVELS}, not {self.level!r}")
        if not self.reason.strip():
            raise ValueError("a risk label needs a reason")

    def __str__(self) -> str:
        return f"{self.level}: {self.reason}"


@dataclass(frozen=True)
class Answer:
    """A compliant answer. It cannot exist without a risk label and a disclaimer (rule G1)."""

    text: str
    risk: RiskLabel
    disclaimer: str
    language: Language
    citations: tuple[Citation, ...] = ()
    suitability: str = ""  # shown with the answer, to whoever reads it
    abstained: bool = False
    abstain_reason: str = ""
    intent: str = "education"
    refused: bool = False  # a personal trade call, a prediction or an injection was declined
    private_note: str = ""  # group answers: the asker's own suitability note, for a private message
    confirm_risk: RiskLevel | None = None  # G6: the asker may confirm they understand this level
    securities: tuple[str, ...] = ()  # what a quote or portfolio question named, for the market features

    def __post_init__(self) -> None:
        if not isinstance(self.risk, RiskLabel):
            raise TypeError("an Answer needs a RiskLabel")
        if not self.disclaimer.strip():
            raise ValueError("an Answer needs a disclaimer")

    def to_json(self, question: str, question_id: str | None = None) -> dict[str, Any]:
        return {
            "id": question_id,
            "question": question,
            "answer": self.text,
            "citations": [c.to_json() for c in self.citations],
            "risk": {"level": self.risk.level, "reason": self.risk.reason},
            "disclaimer": self.disclaimer,
            "suitability": self.suitability,
            "abstained": self.abstained,
            "language": self.language,
            "intent": self.intent,
            "refused": self.refused,
        }
