"""A small trained spam classifier: logistic regression over hashed character n-grams and a few shape features.

Why a model next to the lexicon: the lexicon catches the phrases someone wrote down, and spam templates change
their wording faster than anyone edits a list. The model scores what spam looks like: links and contact handles,
money amounts and currency signs, emoji runs, shouting, words mixing alphabets, plus character 3- and 4-grams of
the normalised text (so "заработ", "earn" and "t.me/" count in any inflection or spelling).

Language is never evidence on its own: ``spam_probability`` returns 0 for a post with none of the shape cues
(no link, handle, amount, emoji run, mixed-script word or spam-lexicon word), however its n-grams score, so an
ordinary line in Russian, German or Spanish cannot be flagged for its alphabet or its common words.

The weights (``spam_model.npz``, a few kilobytes) are trained by ``scripts/train_spam.py`` on the "tune" half
of the tg-spam dev set, adverts and chat lines written for the project, and 1,200 lines of real investor chatter
as ham (Twitter Financial News headlines and the StockTwits tune half): a news link, a dollar figure or a row of
rockets look like an advert's cues, and the tg-spam hams (Russian small talk) have few of them, so the model has
to be shown investor chatter to learn that it is not advertising. The file holds the weights, the bias and the
threshold chosen by cross-validation on that data. The tg-spam and StockTwits report halves stay held out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from advisor.moderation import rules
from advisor.moderation.lexicon import Words

BUCKETS = 4096  # hashed n-gram slots; the shape features sit after them
MAX_CHARS = 1_000  # a spam template shows itself in its first thousand characters
WEIGHTS_FILE = Path(__file__).with_name("spam_model.npz")

EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
CURRENCY_RE = re.compile(r"[$€£₽¥💵💰💸]|usdt|руб")
# The gate's currency cue leaves out cashtags ("$tsla"): in an investor chat nearly every post has one, and
# asking the model about each costs most of the pipeline's time for nothing (measured: 5,796 of 5,800 StockTwits
# posts opened the gate, and none was flagged).
CURRENCY_GATE_RE = re.compile(r"\$(?![a-z])|[€£₽¥💵💰💸]|usdt|руб")
HASHTAG_RE = re.compile(r"(?<!\w)#\w")
CASHTAG_RE = re.compile(r"\$[a-z]{1,6}\b")  # "$tsla": how investors name a stock; adverts rarely do
SHAPES = ("link", "handle", "amount", "currency", "emoji", "emoji_density", "shouting", "mixed_script", "digits",
          "exclamations", "hashtags", "spam_strong", "spam_weak", "length", "cashtags")
# The cues that let the model speak (digits, length, exclamations and shouting are not spam on their own).
GATE_CUES = ("link", "handle", "amount", "currency", "mixed_script", "hashtags", "spam_strong", "spam_weak", "emoji")
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Cues:
    """The language-free shape of a post, each scaled to [0, 1]. ``any`` says whether the model may speak."""

    values: tuple[float, ...]
    money: bool = True  # a currency sign that is not a cashtag's (``CURRENCY_GATE_RE``)

    @property
    def any(self) -> bool:
        named = dict(zip(SHAPES, self.values, strict=True))
        return any(named[name] > 0 for name in GATE_CUES if name not in {"emoji", "currency"}) or \
            named["emoji"] >= 0.3 or (named["currency"] > 0 and self.money)


def currencies(text: str) -> int:
    """How many currency signs and words ``text`` has (CURRENCY_RE's matches)."""
    if text.isascii():
        # In ASCII text CURRENCY_RE can only find "$" and "usdt" (which cannot overlap): str.count runs in C.
        return text.count("$") + text.count("usdt")
    return len(CURRENCY_RE.findall(text))


def opens_gate(words: Words, original: str) -> bool:
    """``cues(words, original).any``, without the counts only the model itself needs (letters, capitals, digits:
    three passes over a thousand characters): most posts keep the gate shut, so they are asked the cheap cues
    only, cheapest first (the lexicon's finds are already remembered by ``spam_findings``)."""
    text = words.text
    if rules.SPAM_STRONG_RE.found(words) or rules.SPAM_WEAK_RE.found(words) or rules.has_link(text):
        return True
    if ("@" in text and rules.HANDLE_RE.search(text)) or rules.AMOUNT_RE.search(text):
        return True
    if "#" in text and HASHTAG_RE.search(text):
        return True
    head = original[:MAX_CHARS]
    # isascii() is a flag look-up: an ASCII post has no Cyrillic letter to look for.
    if not head.isascii() and rules.CYRILLIC_RE.search(head) and rules.MIXED_WORD_RE.search(head):
        return True
    if currencies(text) and ("$" not in text or CURRENCY_GATE_RE.search(text)):
        return True
    return not head.isascii() and len(EMOJI_RE.findall(head)) >= 3  # the emoji cue's 0.3


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))
_ASCII_DIGITS = bytes(range(48, 58))


def char_counts(head: str) -> tuple[int, int, int]:
    """How many of ``head``'s characters are letters, capitals and digits (str.isalpha, isupper, isdigit)."""
    if head.isascii():
        # Deleting a class with bytes.translate runs in C, 4x faster than map() over the characters; in ASCII,
        # isalpha/isupper/isdigit are exactly A-Za-z, A-Z and 0-9.
        raw = head.encode("ascii")
        return (len(raw) - len(raw.translate(None, _ASCII_LETTERS)), len(raw) - len(raw.translate(None, _ASCII_UPPER)),
                len(raw) - len(raw.translate(None, _ASCII_DIGITS)))
    # Character counts with map(): a generator expression costs a Python frame step per character.
    return sum(map(str.isalpha, head)), sum(map(str.isupper, head)), sum(map(str.isdigit, head))


def cues(words: Words, original: str) -> Cues:
    text = words.text
    head = original[:MAX_CHARS]
    letters, upper, digits = char_counts(head)
    emoji = len(EMOJI_RE.findall(head)) if not head.isascii() else 0
    strong = len(rules.SPAM_STRONG_RE.found(words))
    weak = len(rules.SPAM_WEAK_RE.found(words))
    mixed = len(rules.MIXED_WORD_RE.findall(head)) if not head.isascii() and rules.CYRILLIC_RE.search(head) else 0
    values = (
        float(rules.has_link(text)),
        float("@" in text and bool(rules.HANDLE_RE.search(text))),
        float(bool(rules.AMOUNT_RE.search(text))),
        min(currencies(text), 3) / 3,
        min(emoji, 10) / 10,
        min(emoji / max(len(head), 1) * 20, 1.0),
        upper / letters if letters >= 12 else 0.0,
        min(mixed, 5) / 5,
        min(digits / max(len(head), 1) * 5, 1.0),
        min(head.count("!"), 5) / 5,
        min(len(HASHTAG_RE.findall(text)), 3) / 3 if "#" in text else 0.0,
        min(strong, 3) / 3,
        min(weak, 5) / 5,
        min(len(head), MAX_CHARS) / MAX_CHARS,
        min(len(CASHTAG_RE.findall(text)), 3) / 3 if "$" in text else 0.0,
    )
    return Cues(values, money="$" not in text or bool(CURRENCY_GATE_RE.search(text)) if values[3] else False)


_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_SHIFT = np.uint64(33)
_SEEDS = np.array([[3], [4]], dtype=np.uint64)  # the n-gram's length seeds its hash: "abc" and "abc " differ


def ngram_slots(text: str) -> npt.NDArray[np.int64]:
    """The distinct hashed slots of the text's character 3- and 4-grams (padded with a space each side), computed
    with numpy: each n-gram of code points is folded into one 64-bit number (FNV-style, seeded by n), mixed, and
    reduced to a slot. Both lengths are hashed in one two-row array: a 4-gram's first three steps are a 3-gram's
    with another seed, so the rows share every operation but the 4-grams' last step (half the numpy calls)."""
    points = np.frombuffer(f" {text[:MAX_CHARS]} ".encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(points) - 2  # 3-grams; there is one 4-gram fewer
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    # Wrapping uint64 arithmetic on arrays is silent in numpy: no errstate (entering one costs more than this).
    grams = np.repeat(_SEEDS, count, axis=1)
    for k in range(3):  # in place: the same (grams * prime) ^ point, without new arrays at each step
        grams *= _PRIME
        grams ^= points[k:k + count]
    fours = grams[1, :count - 1]  # a view: the 4-grams' fourth step, in place
    fours *= _PRIME
    fours ^= points[3:3 + count - 1]
    grams ^= grams >> _SHIFT
    grams *= _MIX
    grams ^= grams >> _SHIFT
    slots = grams % np.uint64(BUCKETS)
    # The distinct slots, in order: marking a 4,096-slot mask is cheaper than np.unique's sort. (The 4-gram row's
    # last entry is not an n-gram: it is left out.)
    mask = np.zeros(BUCKETS, dtype=bool)
    mask[slots[0].astype(np.intp)] = True
    mask[slots[1, :count - 1].astype(np.intp)] = True
    return np.flatnonzero(mask)


def vector(words: Words, original: str, shape: Cues | None = None) -> tuple[npt.NDArray[np.int64], FloatArray, Cues]:
    """The post's sparse feature vector: n-gram slots (binary, scaled to unit length, so a long post does not
    outvote a short one) followed by the shape features (``shape``, when already computed)."""
    slots = ngram_slots(words.text)
    shape = cues(words, original) if shape is None else shape
    index = np.concatenate([slots, np.arange(BUCKETS, BUCKETS + len(SHAPES), dtype=np.int64)])
    scale = 1.0 / np.sqrt(max(len(slots), 1))
    values = np.concatenate([np.full(len(slots), scale), np.asarray(shape.values, dtype=np.float64)])
    return index, values, shape


DIMENSIONS = BUCKETS + len(SHAPES)


@dataclass(frozen=True)
class SpamModel:
    weights: FloatArray
    bias: float
    threshold: float

    def probability(self, words: Words, original: str) -> tuple[float, Cues | None]:
        """The model's spam probability and the post's cues (0 and None when the post has no cue: then neither
        the cues' counts nor the n-grams are computed)."""
        if not opens_gate(words, original):
            return 0.0, None
        shape = cues(words, original)
        return self._probability(words, original, shape), shape

    def flags(self, words: Words, original: str) -> tuple[float, Cues] | None:
        """The probability and cues when the post reaches the threshold, else None: ``probability`` for the
        pipeline, which skips the n-grams (half the model's cost) when even the n-gram weights' best case
        (``ngram_ceiling``) could not lift the post's shape score to the threshold."""
        if not opens_gate(words, original):
            return None
        shape = cues(words, original)
        slots_at_most = min(2 * len(words.text[:MAX_CHARS]) + 1, BUCKETS)  # 3- and 4-grams of " text "
        best_case = self.bias + float(self.shape_weights @ np.asarray(shape.values)) + \
            float(self.ngram_ceiling[min(slots_at_most, len(self.ngram_ceiling)) - 1])
        if best_case < self.logit_threshold - 1e-9:  # the margin dwarfs any float rounding in the real score
            return None
        probability = self._probability(words, original, shape)
        return (probability, shape) if probability >= self.threshold else None

    def _probability(self, words: Words, original: str, shape: Cues) -> float:
        """``vector``'s dot product with the weights, summed in parts (the n-gram slots share one value)."""
        slots = ngram_slots(words.text)
        ngrams = float(self.weights[slots].sum()) / math.sqrt(max(len(slots), 1))
        score = self.bias + float(self.shape_weights @ np.asarray(shape.values)) + ngrams
        return 1.0 / (1.0 + math.exp(-score))

    @cached_property
    def shape_weights(self) -> FloatArray:
        return self.weights[BUCKETS:]

    @cached_property
    def logit_threshold(self) -> float:
        """The score at which the probability reaches the threshold."""
        return math.log(self.threshold / (1.0 - self.threshold))

    @cached_property
    def ngram_ceiling(self) -> FloatArray:
        """[k - 1]: the most k distinct n-gram slots can add to a score. They add (sum of their weights) / sqrt(k),
        at most the k largest positive weights' sum / sqrt(k); the running maximum covers "k or fewer"."""
        positive = np.sort(self.weights[:BUCKETS][self.weights[:BUCKETS] > 0])[::-1]
        if not len(positive):
            return np.zeros(1)
        ceiling: FloatArray = np.maximum.accumulate(np.cumsum(positive) / np.sqrt(np.arange(1, len(positive) + 1)))
        return ceiling

    def save(self, path: Path) -> None:
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=np.float64(self.bias),
                            threshold=np.float64(self.threshold), buckets=np.int64(BUCKETS),
                            shapes=np.asarray(SHAPES))


@cache
def load(path: Path = WEIGHTS_FILE) -> SpamModel | None:
    """The shipped model, or None when the weights file is missing or was built for other features."""
    if not path.exists():
        return None
    with np.load(path) as data:
        if int(data["buckets"]) != BUCKETS or tuple(str(s) for s in data["shapes"]) != SHAPES:
            return None
        return SpamModel(data["weights"].astype(np.float64), float(data["bias"]), float(data["threshold"]))
