"""What a briefing says: index and watchlist lines, a cited research spotlight, the risk reminder and the
disclaimer, and the one message (``text``) a phone shows. ``to_json`` is the `brief preview --json` contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from advisor.types import Citation, Language


@dataclass(frozen=True)
class BriefLine:
    """One number with its provenance; ``price`` None means the data was unavailable (never shown as 0)."""

    symbol: str
    name: str
    price: float | None = None
    change_pct: float | None = None  # a fraction, as in /quote's JSON: 0.0123 is +1.23 %
    currency: str = ""
    as_of: datetime | None = None
    source: str | None = None
    stale: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "name": self.name,
                "price": None if self.price is None else round(self.price, 4),
                "change_pct": None if self.change_pct is None else round(self.change_pct, 8),  # as /quote: a fraction
                "currency": self.currency or None, "as_of": self.as_of.isoformat() if self.as_of else None,
                "source": self.source, "stale": self.stale}


@dataclass(frozen=True)
class Spotlight:
    text: str
    citations: tuple[Citation, ...]

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "citations": [c.to_json() for c in self.citations]}


@dataclass(frozen=True)
class Briefing:
    chat: str  # the chat key
    local_date: date
    market: str
    language: Language
    indices: tuple[BriefLine, ...]
    watchlist: tuple[BriefLine, ...]
    spotlight: Spotlight | None
    risk: str
    disclaimer: str
    text: str  # the whole message, light markup (**bold** only)
    chart: bytes | None = None  # a PNG, when the chat turned charts on

    def to_json(self) -> dict[str, Any]:
        return {"chat": self.chat, "local_date": self.local_date.isoformat(), "market": self.market,
                "language": self.language, "indices": [line.to_json() for line in self.indices],
                "watchlist": [line.to_json() for line in self.watchlist],
                "spotlight": self.spotlight.to_json() if self.spotlight else None,
                "risk": self.risk, "disclaimer": self.disclaimer, "text": self.text}
