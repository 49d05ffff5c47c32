"""Coordinated pump detection: near-duplicate posts about one symbol from several accounts, and the pump
channel's script (announcement with exchange and time, countdown, coin reveal).

Near-duplicates: each post naming a symbol gets a MinHash signature (64 hashes over character 4-grams of the
normalised text); LSH with 16 bands of 4 rows finds candidates (a pair at Jaccard 0.8 shares a band with
probability > 0.999), and the signature estimate decides. When ``Policy.pump_accounts`` accounts have posted
the same symbol in near-duplicate text within ``Policy.pump_minutes``, the post is a pump.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from advisor.moderation.types import Policy

HASHES, BANDS = 64, 16
ROWS = HASHES // BANDS
SHINGLE = 4
MINHASH_CHARS = 600  # near-duplicates are judged on the first 600 characters
_RNG = np.random.default_rng(20240611)  # fixed seed: the same text always gets the same signature
_SEEDS = _RNG.integers(1, 2**63, size=HASHES, dtype=np.uint64)
_MULTIPLIERS = _RNG.integers(1, 2**63, size=HASHES, dtype=np.uint64) | np.uint64(1)
Signature = npt.NDArray[np.uint64]


def minhash(text: str) -> Signature:
    """The MinHash signature of ``text``'s character 4-grams (the whole text if shorter), vectorised: each 4-gram
    of code points is packed into one 64-bit number and mixed, then every seed gives one permutation."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) < SHINGLE:
        points = np.concatenate([points, np.zeros(SHINGLE - len(points), dtype=np.uint64)])
    n = len(points) - SHINGLE + 1
    # Wrapping uint64 arithmetic on arrays is silent in numpy: no errstate (entering one costs more than this).
    grams = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):  # code points fit in 21 bits; shifted by 16 they overlap a little, mixed below
        grams ^= points[k:k + n] << np.uint64(16 * k)
    # Duplicate 4-grams need no np.unique (a sort): they cannot change a minimum.
    grams ^= grams >> np.uint64(33)
    grams *= np.uint64(0xFF51AFD7ED558CCD)
    grams ^= grams >> np.uint64(33)
    # Xor-multiply hashing (wrapping 64-bit arithmetic): one independent-looking permutation per seed. One row per
    # seed, multiplied in place, each row's minimum over contiguous memory: 6x faster than a (grams x seeds)
    # product reduced down its columns, same numbers.
    mixed = _SEEDS[:, None] ^ grams[None, :]
    mixed *= _MULTIPLIERS[:, None]
    signature: Signature = mixed.min(axis=1)
    return signature


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' 4-gram sets."""
    return float(np.count_nonzero(a == b)) / HASHES


BAND_BYTES = ROWS * 8


def bands(signature: Signature) -> list[bytes]:
    """The LSH keys: each band's rows as bytes, tagged with the band's number (sliced from one ``tobytes``)."""
    raw = signature.tobytes()
    return [raw[i * BAND_BYTES:(i + 1) * BAND_BYTES] + _BAND_TAGS[i] for i in range(BANDS)]


_BAND_TAGS = [bytes([i]) for i in range(BANDS)]


# -- symbols ------------------------------------------------------------------------------------------

CASHTAG_RE = re.compile(r"\$\s?([a-z][a-z0-9]{1,9})\b")
PAIR_RE = re.compile(r"\b([a-z][a-z0-9]{1,9})\s?[/-]\s?(?:usdt|usdc|btc|eth|bnb|usd|busd)\b")
# A six-digit A-share code (600519, 000001, 300750): a whole run of six digits opening with 0, 3 or 6. Found by its
# first digit, not by listing every run of digits and keeping the six-long ones (the same codes, 3x faster).
# "[036](?<!\d[036])" is "(?<!\d)[036]" with the digit first, so re jumps to 0, 3 and 6 (a leading look-behind
# would have it try every position).
SHARE_CODE_RE = re.compile(r"[036](?<!\d[036])\d{5}(?!\d)")
# A capitalised ticker: a whole run of ASCII letters and digits, 2-8 long, starting with a capital, no lower case
# (the literal-first form of "a token that is upper case and starts with a letter"; the lookbehind sits after
# the first letter, so the regex is found by a fast scan, not tried at every position).
UPPER_TOKEN_RE = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z0-9]{1,7}(?![A-Za-z0-9])")
# Capitalised words that are not symbols: units, time zones, shouting.
NOT_SYMBOLS = frozenset(
    "I A OK USA UK EU GMT UTC BST EST PST PM AM CEX DEX VIP DM PM ATH TP SL ETA FAQ USD USDT USDC BUSD ASAP LOL "
    "NEW NOW BUY SELL HOLD THE AND FOR YOU ALL TODAY PUMP COIN JOIN NOT LIVE BIG TIME DATE EXCHANGE PAIR TARGET "
    "NEXT MIN HOURS MINUTES LEFT IPO CEO ETF FOMO FUD HODL DYOR NFA "
    # Common short English words people shout: "LET'S GO", "WE DID IT AGAIN".
    "LET GO WE DID IT IS AT TO IN ON OF OR BE BY MY ME US SO NO YES UP OUT GET GOT HIT JUST NOW AGAIN GUYS WOW "
    "HIGH LOW MOON WAIT READY DONE WIN BIG HUGE GREAT GOOD NICE THANK THANKS HERE THERE WHAT WHY HOW WHO".split())


def symbols(text: str, original: str) -> set[str]:
    """Symbols a post names: cashtags, trading pairs, six-digit A-share codes, capitalised tickers."""
    found = {m.group(1) for m in CASHTAG_RE.finditer(text)} if "$" in text else set()
    if any(quote in text for quote in ("usd", "btc", "eth", "bnb")):
        found |= {m.group(1) for m in PAIR_RE.finditer(text)}
    # Six-digit A-share codes and capitalised tickers, each by a regex that jumps to its first character.
    found |= set(SHARE_CODE_RE.findall(text))
    found |= {t.lower() for t in UPPER_TOKEN_RE.findall(original[:2000]) if t not in NOT_SYMBOLS}
    return found


# -- the pump channel's script ------------------------------------------------------------------------

_UNIT = r"(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?)"
_AMOUNT = rf"\d+(?:\.\d)?\s?{_UNIT}\b"
# A countdown: "5 mins left", "last 10 minutes", "coin reveal in 5 min", "倒计时". Literal-led like REVEAL_RE below
# ("\d(?<!\w\d)" is "\b\d"); the "^\W*5 min" opening is COUNTDOWN_START_RE, matched apart, because one "^"
# alternative stops re from jumping to candidate characters (together: 2x faster, the same posts on every dev line).
COUNTDOWN_RE = re.compile(
    rf"\d(?<!\w\d)\d*(?:\.\d)?\s?{_UNIT}\b\s*(?:more\s|is\s|\W\s?)?"
    r"(?:left|remaining|to go|until|unil|till|before|for)\b|"
    rf"(?:l(?<!\wl)ast|f(?<!\wf)inal|o(?<!\wo)nly|j(?<!\wj)ust)\s{_AMOUNT}|"
    r"(?:p(?<!\wp)ump|c(?<!\wc)oin|s(?<!\ws)ignal|r(?<!\wr)eveal)\w*\s(?:is\s|will be\s|starts?\s)?in\s"
    rf"(?:just\s|only\s)?\d+\s?{_UNIT}\b|"
    rf"l(?<!\wl)ess than \d+\s?{_UNIT}\b|i(?<!\wi)n \d+\s?{_UNIT}\b.{{0,30}}\b(?:coin|pump|signal)\b|"
    r"倒计时|还有\s?\d+\s?(?:分钟|小时|秒)|\d+\s?(?:分钟|小时)后(?:公布|揭晓|拉盘|开始)")
COUNTDOWN_START_RE = re.compile(rf"\W*{_AMOUNT}")


def is_countdown(text: str) -> bool:
    """Whether ``text`` has a countdown anywhere (COUNTDOWN_RE) or opens with one (COUNTDOWN_START_RE)."""
    return bool(COUNTDOWN_START_RE.match(text) or COUNTDOWN_RE.search(text))


# A message that is nothing but a countdown: "4 minutes ...", "1 MINUTE LEFT ...", "2 days left !".
BARE_COUNTDOWN_RE = re.compile(rf"^\W*\d+\s?{_UNIT}\b(?:\s?(?:left|remaining|to go|more))?\W*$")
COIN_WORD_RE = re.compile(r"\b(?:coin|token|signal|alt|next (?:post|message))\b|币")
# The script's regexes lead with a literal letter and check the word boundary after it: "c(?<!\wc)oin" is
# "\bcoin" (the letter before is not a word character), but re then jumps to candidate letters instead of trying
# every position, as a leading \b makes it do (3x faster, same matches on every dev line).
REVEAL_RE = re.compile(
    r"(?:c(?<!\wc)oin|t(?<!\wt)oken)\b[^.!?]{0,40}?\b(?:is|will be)\s?:|"
    r"(?:c(?<!\wc)oin|t(?<!\wt)oken)(?: name)?\s?(?:is|:)|"
    r"t(?<!\wt)he coin (?:we are|we're|to|of the day|for today)|s(?<!\ws)elected (?:coin|token)|"
    r"t(?<!\wt)rading pair\s?:|b(?<!\wb)uy link\s?:|c(?<!\wc)oin to pump\b|t(?<!\wt)oday'?s coin\b|"
    r"p(?<!\wp)ump(?:ing)? coin\s?:|"
    r"币种?(?:是|为|:)|代码(?:是|为|:)|今天的?(?:币|票)是")
# "(?<!\w)" is the leading \b (names start with a letter); "_cex" with a look-behind is "\w+_cex" (2x faster).
EXCHANGE_RE = re.compile(
    r"(?<!\w)(?:binance|kucoin|mexc|hotbit|yobit|bittrex|cryptopia|latoken|poloniex|uniswap|pancakeswap|raydium|"
    r"lbank|gate\.?io|huobi|bitmart|coinex|xt|bybit|okx|digifinex|probit|bitrue)(?:_?(?:cex|dex))?\b|"
    r"_(?:cex|dex)\b(?<=\w_cex|\w_dex)|交易所")
# Literal-led like REVEAL_RE: "\d(?<!\w\d)\d?" is "\b\d{1,2}", "p(?<!\wp)ump" is "\bpump" (4x faster, same matches).
TIME_RE = re.compile(r"\d(?<!\w\d)\d?(?:[:.]\s?\d{2})?\s?(?:am|pm|gmt|utc|est|bst)\b|\d(?<!\w\d)\d?:\d{2}\b|"
                     r"\d\d?[点時时]")
PUMP_WORD_RE = re.compile(r"p(?<!\wp)ump(?:s|ing)?\b|拉盘|拉升|抬轿")
ANNOUNCE_RE = re.compile(r"\b(?:next|new|big|mega|official|huge|heavy|our|upcoming|scheduled)\b.{0,20}\bpumps?\b|"
                         r"\bpump (?:announcement|alert|signal|day|update|starts?|schedule\w*|is in|will be)\b")
# A reveal in a chat that saw a countdown lately is at most this short: "Appc", "COIN: OST".
SHORT_REVEAL_WORDS = 6
CONTEXT_HOURS = 2.0


UNITS = frozenset(("sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour",
                   "hours", "day", "days"))
# A word that is a number with its unit ("5min", "10mins", "2h"): found by a regex jumping to digits, not by a
# Python loop over the post's words (a third of the pump script's time).
NUMBER_UNIT_RE = re.compile(r"\d(?<!\w\d)\w*(?:sec|secs|second|seconds|min|mins|minute|minutes|h|hr|hrs|hour|hours|day|"
                            r"days)(?!\w)")
COUNTDOWN_CJK = ("倒计时", "分钟", "小时", "秒", "还有")
REVEAL_WORDS = frozenset({"coin", "token", "pair", "link", "selected"})
REVEAL_CJK = ("币", "代码", "票")
WORD_RE = re.compile(r"\w+")


def script_reason(text: str, words: set[str] | None = None) -> str:
    """Why this post reads as part of a pump channel's script on its own, or "". The regexes below scan slowly,
    so each runs only when the post has a word it needs (a time unit, "coin" ...)."""
    words = set(WORD_RE.findall(text)) if words is None else words
    cjk = not text.isascii()
    countdown = not UNITS.isdisjoint(words) or bool(NUMBER_UNIT_RE.search(text)) or \
        (cjk and any(hint in text for hint in COUNTDOWN_CJK))
    # A pump's countdown keeps its coin secret until the reveal; "$AMZN 10 days till ER" names it: investor talk.
    countdown = countdown and not ("$" in text and CASHTAG_RE.search(text))
    if countdown and is_countdown(text) and (PUMP_WORD_RE.search(text) or EXCHANGE_RE.search(text) or
                                      COIN_WORD_RE.search(text) or len(text.split()) <= 8):
        return "pump countdown"
    if countdown and BARE_COUNTDOWN_RE.match(text):
        return "pump countdown"
    if (not REVEAL_WORDS.isdisjoint(words) or (cjk and any(h in text for h in REVEAL_CJK))) and REVEAL_RE.search(text):
        return "coin reveal"
    if "pump" not in text and not (cjk and PUMP_WORD_RE.search(text)):
        return ""
    if ANNOUNCE_RE.search(text) and (EXCHANGE_RE.search(text) or TIME_RE.search(text)):
        return "pump announcement (exchange and time)"
    if PUMP_WORD_RE.search(text) and EXCHANGE_RE.search(text) and TIME_RE.search(text):
        return "exchange + time post"
    return ""


@dataclass
class _Seen:
    at: datetime
    user: str
    symbols: frozenset[str]
    text: str
    signature: Signature | None = None  # computed only once a symbol has enough accounts to matter
    keys: list[bytes] | None = None  # the signature's LSH band keys, kept: eviction and look-ups need them again

    def sign(self) -> Signature:
        if self.signature is None:
            self.signature = minhash(self.text)
            self.keys = bands(self.signature)
        return self.signature

    def band_keys(self) -> list[bytes]:
        self.sign()
        assert self.keys is not None
        return self.keys


@dataclass
class ChatPumpWindow:
    """One chat's recent symbol posts (for near-duplicates) and its last pump-script post (for reveals).

    Posts are indexed by symbol; MinHash signatures are computed only when a symbol has been posted by enough
    accounts in the window to make a cluster possible, so an ordinary post costs a few dictionary look-ups.
    Signed posts go into LSH buckets (per symbol and band), so a busy symbol is not compared pair by pair.
    Index entries are dicts keyed by ``id`` (insertion-ordered like a list, but an eviction is one delete, not a
    rebuild), and each symbol counts its posts per account, so "how many accounts" is not a scan of the window.
    """

    posts: deque[_Seen] = field(default_factory=deque)
    by_symbol: dict[str, dict[int, _Seen]] = field(default_factory=dict)
    accounts_by_symbol: dict[str, Counter[str]] = field(default_factory=dict)
    buckets: dict[str, dict[bytes, dict[int, _Seen]]] = field(default_factory=dict)  # symbol -> band key -> posts
    last_script: datetime | None = None

    def evict(self, now: datetime, keep: timedelta) -> None:
        while self.posts and now - self.posts[0].at > keep:
            old = self.posts.popleft()
            for symbol in old.symbols:
                self._drop(self.by_symbol, symbol, old)
                accounts = self.accounts_by_symbol[symbol]
                accounts[old.user] -= 1
                if not accounts[old.user]:
                    del accounts[old.user]
                    if not accounts:
                        del self.accounts_by_symbol[symbol]
                symbol_buckets = self.buckets.get(symbol)
                if old.keys is not None and symbol_buckets is not None:
                    # Inline, with one look-up of the symbol's buckets: a call and a key tuple for each of 16
                    # bands cost half of eviction's time. (A post signed for another symbol may be in none.)
                    for key in old.keys:
                        entries = symbol_buckets.get(key)
                        if entries is not None:
                            entries.pop(id(old), None)
                            if not entries:
                                del symbol_buckets[key]
                    if not symbol_buckets:
                        del self.buckets[symbol]

    @staticmethod
    def _drop(index: dict[Any, dict[int, _Seen]], key: Any, old: _Seen) -> None:
        entries = index.get(key)
        if entries is not None:
            entries.pop(id(old), None)
            if not entries:
                del index[key]

    def _index(self, seen: _Seen, symbol: str) -> None:
        symbol_buckets = self.buckets.setdefault(symbol, {})
        for key in seen.band_keys():
            symbol_buckets.setdefault(key, {})[id(seen)] = seen

    def near_duplicates(self, text: str, original: str, user: str, at: datetime, policy: Policy) -> str:
        """Record this post; if it completes a near-duplicate cluster from enough accounts, say so."""
        named = symbols(text, original)
        if not named:
            return ""
        self.evict(at, timedelta(minutes=policy.pump_minutes))
        seen = _Seen(at, user, frozenset(named), text[:MINHASH_CHARS])
        accounts = {user}
        shared: set[str] = set()
        for symbol in sorted(named):  # sorted: the same decisions in every run (set order varies by run)
            earlier = self.by_symbol.setdefault(symbol, {})
            posters = self.accounts_by_symbol.get(symbol)
            if posters is None:  # not setdefault(symbol, Counter()): that builds a Counter on every call
                posters = self.accounts_by_symbol[symbol] = Counter()
            if len(posters) + (user not in posters) >= policy.pump_accounts:
                for entry in earlier.values():
                    if entry.signature is None:
                        self._index(entry, symbol)
                symbol_buckets = self.buckets.get(symbol, {})
                candidates = {id(e): e for key in seen.band_keys() for e in symbol_buckets.get(key, {}).values()}
                for other in candidates.values():
                    if other.user != user and similarity(seen.sign(), other.sign()) >= policy.pump_similarity:
                        accounts.add(other.user)
                        shared.add(symbol)
                self._index(seen, symbol)
            earlier[id(seen)] = seen
            posters[user] += 1
        self.posts.append(seen)
        if len(accounts) >= policy.pump_accounts:
            return (f"near-duplicate posts about {', '.join(sorted(shared)).upper()} from {len(accounts)} accounts "
                    f"within {policy.pump_minutes:g} minutes")
        return ""
    def check(self, text: str, original: str, user: str, at: datetime, policy: Policy,
              words: set[str] | None = None) -> list[str]:
        reasons = []
        script = script_reason(text, words)
        if script:
            reasons.append(script)
        elif (self.last_script is not None and timedelta(0) <= at - self.last_script
              <= timedelta(hours=CONTEXT_HOURS) and len(text.split()) <= SHORT_REVEAL_WORDS
              and (symbols(text, original) or re.fullmatch(r"\W*[a-z][a-z0-9]{1,9}\W*|\W*0x[0-9a-f]{40}\W*", text))):
            reasons.append("coin reveal after a countdown")
        if script:
            self.last_script = at
        duplicate = self.near_duplicates(text, original, user, at, policy)
        if duplicate:
            reasons.append(duplicate)
        return reasons
