"""Public symbol calls: a group post that names ONE symbol with a direction ("buy TSLA", "$NVDA to the moon",
"short AAPL", "做空腾讯"). Track records grade them later against the market (``advisor.community.records``).

What is not a call, on purpose (a false call would put words in a member's mouth on the leaderboard):
- a question ("should I buy TSLA?", "茅台能买吗"): asking is not calling;
- a post naming several symbols ("AAPL and MSFT, buy"): which one was called is a guess;
- both directions in one post ("buy or sell NVDA"), or a negated direction ("don't buy TSLA", "不要买入"):
  the direction is a guess;
- a past-tense report ("I bought AAPL"): the direction words below are imperative or predictive forms only.

Cheap first: one regex decides whether a post has a direction word at all; only then are symbols looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from advisor.mood.symbols import mentioned_symbols
from advisor.text import normalise

Direction = Literal[1, -1]  # 1: the price should rise (long); -1: it should fall (short)

# English forms are matched on the normalised (casefolded) text with word boundaries; Chinese forms anywhere.
UP_EN = (r"buy(?:ing)?|go(?:ing)? long|long|bullish|load(?:ing)? up on|calls? on|to the moon|moon(?:ing)?|"
         r"breakout|going (?:up|higher)|undervalued")
DOWN_EN = (r"sell(?:ing)?|short(?:ing)?|go(?:ing)? short|bearish|puts? on|dump(?:ing)? it|going (?:down|lower)|"
           r"overvalued|get out of")
UP_ZH = "买入|买进|看多|做多|看涨|加仓|抄底|上车"
DOWN_ZH = "卖出|抛售|看空|做空|看跌|减仓|清仓|下车"
UP_RE = re.compile(rf"\b(?:{UP_EN})\b|{UP_ZH}|🚀")
DOWN_RE = re.compile(rf"\b(?:{DOWN_EN})\b|{DOWN_ZH}")
ANY_RE = re.compile(f"{UP_RE.pattern}|{DOWN_RE.pattern}")
# A negation just before a direction word turns the post into something we cannot grade.
NEGATED_RE = re.compile(rf"\b(?:don'?t|do not|never|not|no|won'?t|wouldn'?t|stop)\b(?:\s+\w+){{0,2}}\s+"
                        rf"(?:{UP_EN}|{DOWN_EN})\b|(?:不要|别|不|没有|勿)(?:{UP_ZH}|{DOWN_ZH})")
QUESTION_RE = re.compile(r"[?？]|^(?:should|shall|is|are|can|could|would|will|do|does|what|why|how|when|which)\b|"
                         r"[吗么嘛]\s*$|是否|能不能|该不该|要不要")


@dataclass(frozen=True)
class Call:
    symbol: str  # Yahoo spelling, as market data spells it
    direction: Direction


def detect_call(text: str, normalised: str | None = None) -> Call | None:
    """The call ``text`` makes, or None when it makes none (see the module docstring for what is excluded)."""
    text_n = normalise(text) if normalised is None else normalised
    if not ANY_RE.search(text_n) or QUESTION_RE.search(text_n.strip()) or NEGATED_RE.search(text_n):
        return None
    up, down = bool(UP_RE.search(text_n)), bool(DOWN_RE.search(text_n))
    if up == down:
        return None  # both directions: "buy or sell?", "long AAPL short MSFT" (several symbols anyway)
    symbols = mentioned_symbols(text, text_n)
    if len(symbols) != 1:
        return None
    return Call(symbols[0], 1 if up else -1)
