"""Text normalisation shared by every rule that reads people's text (intent routing, the compliance guard).

Rules are written against one canonical form, so nobody slips past them with full-width letters
(ｇｕａｒａｎｔｅｅｄ), zero-width characters (guar\u200banteed), look-alike letters from other scripts
(Cyrillic "а" for Latin "a"), spaced-out letters (g u a r a n t e e d) or odd spacing and case.
``normalise`` is meant for matching only: what a member sees is always the original text.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that split a word without showing: zero-width space/joiners, word joiner, BOM,
# soft hyphen, and the bidi marks.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Letters from other scripts that look like Latin ones (the usual spoofing set), mapped after NFKC.
HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ν": "v", "ο": "o", "α": "a", "ε": "e", "τ": "t",
    "κ": "k", "ι": "i", "ρ": "p", "υ": "u", "χ": "x", "Ꭵ": "i",
})
# Curly quotes and primes become straight ones, so rules need one apostrophe and one double quote.
QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "′": "'"})
# Three or more single letters separated by spaces, dots or dashes: "g u a r a n t e e d", "s.u.r.e t.h.i.n.g",
# "r i s k - f r e e". The first letter must start a word: in "it's g u a r ..." the "s" belongs to "it's".
# (The lookbehind sits after the first letter: a regex that starts with a lookbehind is tried at every position.)
SPACED_LETTERS = re.compile(r"[a-z](?<![\w'][a-z])(?: ?[.\-_*] ?| {1,2})(?:[a-z](?: ?[.\-_*] ?| {1,2}))+[a-z]\b")
SEPARATOR = re.compile(r" ?[.\-_*] ?| {1,2}")
# Spacing or filler between Chinese characters ("稳 赚 不 赔", "稳-赚") carries nothing in Chinese.
CJK_GAP = re.compile(r"(?<=[\u3400-\u4dbf\u4e00-\u9fff])[\s.\-_*·]+(?=[\u3400-\u4dbf\u4e00-\u9fff])")


def _join_spaced(match: re.Match[str]) -> str:
    """Join the letters on the separator used most; any other separator marks a word break ("a s.u.r.e t.h.i.n.g"
    -> "a sure thing") or, if it holds a dash, a hyphen ("r i s k - f r e e" -> "risk-free")."""
    text = match.group()
    separators = SEPARATOR.findall(text)
    joiner = max(separators, key=separators.count)  # ties: the first seen (a set's order varies by run)
    letters = SEPARATOR.split(text)
    out = letters[0]
    for separator, letter in zip(separators, letters[1:], strict=True):
        out += ("" if separator == joiner else "-" if "-" in separator else " ") + letter
    return out


# One table for both maps: str.translate with a dict costs a look-up per character, so it runs once, and only
# on text that is not plain ASCII (every key but the backtick is non-ASCII).
LOOKALIKES = {**HOMOGLYPHS, **QUOTES}
# Most non-ASCII posts (emoji, Chinese) hold none of those characters: one C scan for them is ten times cheaper
# than translate's per-character look-ups, and translate changes nothing without them.
LOOKALIKE_RE = re.compile("[" + "".join(re.escape(chr(code)) for code in LOOKALIKES) + "]")


def normalise(text: str) -> str:
    """Canonical form for matching: NFKC (full width -> ASCII), no invisible characters, Latin look-alikes,
    straight quotes, lower case, spaced-out letters and Chinese characters joined, runs of whitespace collapsed."""
    if text.isascii():
        # The fast path (the moderation pipeline sees every group message): for ASCII, NFKC and the invisible
        # characters are no-ops, casefold is lower, and the only mapped character is the backtick.
        folded = text.lower().replace("`", "'")
    else:
        folded = unicodedata.normalize("NFKC", text)
        # Case-fold before mapping look-alikes, so capital Cyrillic "А" (folded to "а") is caught as well.
        folded = INVISIBLE.sub("", folded).casefold()
        if LOOKALIKE_RE.search(folded):
            folded = folded.translate(LOOKALIKES)
    folded = SPACED_LETTERS.sub(_join_spaced, folded)
    if not folded.isascii():  # only Chinese characters have gaps to close
        folded = CJK_GAP.sub("", folded)
    return " ".join(folded.split())
