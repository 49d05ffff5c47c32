"""The fear/panic flag: a small bilingual lexicon of panic language, read on the cleaned (normalised) text.

Why a lexicon and not a model: no training data here labels fear, and panic in a chat is said in a handful of
recognisable ways ("I'm losing everything", "margin call", "get out now", "爆仓了", "割肉跑路"). Bearish is not
fear: "shorting $XYZ into earnings" is a calm bearish view. The model's score is used only to veto the flag:
a clearly bullish message that mentions panic ("don't panic, buying more") is not fear (``FEAR_VETO_SCORE``).
"""

from __future__ import annotations

import re

# English phrases as regular expressions over normalised text (lower case, straight quotes). Word-bounded.
EN_FEAR = [
    r"panic(?:king|ked|s)?", r"scared", r"terrified", r"afraid", r"fear(?:ful)?", r"freaking out", r"nightmare",
    r"blood ?bath", r"crash(?:ing)?", r"collaps(?:e|ing)", r"capitulat(?:e|ion|ing)", r"wiped out",
    r"margin call(?:ed|s)?", r"liquidat(?:ed|ion)", r"lost (?:everything|it all|all my)",
    r"losing (?:everything|it all)",
    r"(?:i'?m|we'?re) (?:done|ruined|finished|screwed|rekt)", r"rekt", r"get out (?:now|while)",
    r"sell (?:everything|it all) now", r"run for (?:the|your) (?:hills|exits?|lives)", r"it'?s over",
    r"help ?!+", r"can'?t sleep", r"life savings",
]
# Chinese: substrings (no word spaces in Chinese).
ZH_FEAR = ["恐慌", "害怕", "吓死", "慌了", "好慌", "爆仓", "强平", "崩盘", "暴跌", "血亏", "亏光", "亏完", "割肉",
           "跑路", "快跑", "完了", "凉了", "套死", "清仓逃命", "踩踏", "跳水", "睡不着", "救命"]

FEAR = re.compile(r"(?<![a-z'])(?:" + "|".join(EN_FEAR) + r")(?![a-z])|" + "|".join(map(re.escape, ZH_FEAR)))
# Cheap substring checks that every phrase above contains one of (tests/advisor/mood keep it so): the regex,
# slow on long text, then runs on the few messages that might match.
HINTS = ("panic", "scare", "terrif", "afraid", "fear", "freak", "nightmare", "blood", "crash", "collaps", "capitul",
         "wiped", "margin", "liquidat", "lost ", "losing ", "done", "ruined", "finished", "screwed", "rekt",
         "get out", "sell ", "run for", "over", "help", "sleep", "savings")
FEAR_VETO_SCORE = 0.5  # a message at least this bullish is not flagged whatever words it uses


def fear_words(cleaned: str) -> list[str]:
    """The panic phrases in already-cleaned text (``advisor.mood.features.clean``), in order."""
    if cleaned.isascii() and not any(hint in cleaned for hint in HINTS):
        return []
    return FEAR.findall(cleaned)


def is_fear(cleaned: str, score: float) -> bool:
    return score < FEAR_VETO_SCORE and bool(fear_words(cleaned))
