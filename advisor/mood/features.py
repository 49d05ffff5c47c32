"""Message text -> the features the sentiment model weighs: words, word pairs and polarity-lexicon tags.

Text goes through the shared ``advisor.text.normalise`` first, then web addresses, cashtags and numbers are
folded into placeholders (``$TSLA`` or a price says nothing about mood on its own; "+12%" and "-12%" do, so the
sign survives). A token is a run of Latin letters/digits, or any other single character: an emoji (🚀), a
punctuation mark, one Chinese character. Features are the tokens and adjacent token pairs, so Chinese text is
read as characters and character pairs.

Why the lexicon tags: the training data (financial tweets, StockTwits) is English only. A word on the small
bilingual polarity lists below also yields ``__pos__``/``__neg__``; the model learns those two features' weights
from the English words and applies them to the Chinese words, which is how "大涨" and "暴跌" get a sensible label
without Chinese training data.

Two feature sets, chosen by the weights file (``advisor.mood.model``): the first (``features``: tokens, token
pairs, lexicon tags) is what the first shipped files were trained on. Both shipped files now add a second group
(``rich_features``): token triples, ``__pos__``/``__neg__`` for the direction verbs of news headlines
(``DIRECTION_TAG``: "lifts", "trims", "slumps"...) and the character 3-5-grams of each Latin word padded as
``<word>``. The character grams let one weight cover "downgrade", "downgrades" and "downgraded", and a
misspelling or a word seen once in training still shares most of its grams with words that were seen; they
raised macro-F1 on the "tune" split of Twitter Financial News from 0.75 to 0.79 (scripts/train_sentiment.py;
that split proved optimistic: on 5-fold cross-validation the fast model scores 0.75).
"""

from __future__ import annotations

import html
import itertools
import re

from advisor.text import normalise

URL = re.compile(r"https?://\S+|www\.\S+")
CASHTAG = re.compile(r"\$[a-z][a-z0-9.\-]{0,9}\b")
SIGNED_PERCENT = re.compile(r"([+\-])\s?\d[\d,.]*\s?%")
NUMBER = re.compile(r"\d[\d,.]*")
TOKEN = re.compile(r"[a-z0-9_']+|[^\sa-z0-9_']")

# Polarity words (normalised spelling). English: market words whose sign is plain; Chinese: the usual chat terms.
POSITIVE = frozenset("""
bull bullish bulls rally rallies rallied surge surges surged soar soars soared gain gains gained beat beats upgrade
upgraded upgrades outperform breakout moon mooning rocket rip ripping squeeze long calls buy buying bought higher
record strong strength profit profits rebound recovery up green 🚀 📈 🐂 💎
涨 大涨 上涨 暴涨 涨停 利好 看多 看涨 牛 牛市 抄底 突破 新高 反弹 加仓 买入 赚 盈利 强势 拉升 起飞 红
""".split())
NEGATIVE = frozenset("""
bear bearish bears crash crashes crashed plunge plunges plunged drop drops dropped fall falls fell tank tanks
tanked dump dumping downgrade downgraded downgrades underperform selloff short shorting puts sell selling
sold lower weak weakness loss losses miss misses missed cut cuts warning lawsuit bankrupt bankruptcy down red 📉
🐻 跌 大跌 下跌 暴跌 跌停 利空 看空 看跌 熊 熊市 崩 崩盘 新低 割肉 亏 亏损 减仓 清仓 卖出 套牢 跳水 绿
""".split())
# Latin words are whole tokens: one dictionary look-up each. Chinese words (no spaces between them) and emoji are
# found as substrings, longest first, and only in text that is not plain ASCII.
TOKEN_TAG = {w: "__pos__" for w in POSITIVE if w.isascii()} | {w: "__neg__" for w in NEGATIVE if w.isascii()}
WIDE_POLAR = sorted((w for w in POSITIVE | NEGATIVE if not w.isascii()), key=len, reverse=True)
WIDE_POLAR_RE = re.compile("|".join(map(re.escape, WIDE_POLAR)))


# Headline verbs of direction that the polarity lists above lack (the lists stay as they are: the first
# feature set's weights were fitted with them). Only the rich feature set reads these.
DIRECTION_TAG = {w: "__pos__" for w in """
raises raised lifts lifted hikes hiked boosts boosted tops topped jumps jumped climbs climbed rises rose advances
advanced upbeat beats outperforms overweight accumulate""".split()} | {w: "__neg__" for w in """
lowers lowered trims trimmed slashes slashed slides slid slumps slumped sinks sank tumbles tumbled falls declines
declined misses underweight reduce halts probe recall layoffs""".split()}
WORD = re.compile(r"[a-z][a-z']+")  # the Latin words whose character grams are features (two letters or more)
CHAR_GRAM_SIZES = (3, 4, 5)


def clean(text: str) -> str:
    """The normalised text with placeholders: what both tokens and the fear lexicon read."""
    folded = normalise(html.unescape(text)) if "&" in text else normalise(text)
    if "http" in folded or "www." in folded:
        folded = URL.sub(" _url_ ", folded)
    if "$" in folded:
        folded = CASHTAG.sub(" _tkr_ ", folded)
    if "%" in folded:
        folded = SIGNED_PERCENT.sub(lambda m: " _up_pct_ " if m.group(1) == "+" else " _down_pct_ ", folded)
    return NUMBER.sub("0", folded)


def features(text: str) -> list[str]:
    """The feature strings of one message (repeats kept; the model counts each distinct feature once)."""
    return features_of_clean(clean(text))


def features_of_clean(cleaned: str) -> list[str]:
    """``features`` for text that has been through ``clean`` already."""
    tokens = TOKEN.findall(cleaned)
    feats = tokens + list(map(" ".join, itertools.pairwise(tokens)))  # map/join: the per-message hot path
    feats += [TOKEN_TAG[token] for token in tokens if token in TOKEN_TAG]
    if not cleaned.isascii():
        feats += ["__pos__" if word in POSITIVE else "__neg__" for word in WIDE_POLAR_RE.findall(cleaned)]
    return feats


def rich_features(cleaned: str) -> list[str]:
    """The word group of the rich feature set: ``features_of_clean`` plus token triples and direction tags."""
    tokens = TOKEN.findall(cleaned)
    feats = features_of_clean(cleaned)
    feats += map(" ".join, zip(tokens, tokens[1:], tokens[2:], strict=False))
    feats += [DIRECTION_TAG[token] for token in tokens if token in DIRECTION_TAG]
    return feats


def grams_of_word(word: str) -> set[str]:
    """The distinct character 3-5-grams of ``<word>``, each marked with "#" so no gram is mistaken for a token."""
    padded = f"<{word}>"
    return {"#" + padded[i:i + size] for size in CHAR_GRAM_SIZES for i in range(len(padded) - size + 1)}


def char_grams(cleaned: str, word_features: list[str]) -> list[str]:
    """The character group of the rich feature set: each distinct Latin word's grams (a gram two words share
    comes twice: the group is the sum of its words), plus "#__pos__"/"#__neg__" when the message's word group
    (``word_features``) has that lexicon tag. The tags are here too so that a message without Latin words (Chinese)
    still has a character group, and its polarity words carry its weight."""
    grams = [gram for word in set(WORD.findall(cleaned)) for gram in grams_of_word(word)]
    grams += [f"#{tag}" for tag in ("__pos__", "__neg__") if tag in word_features]
    return grams
