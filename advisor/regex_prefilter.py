"""Skip a regex cheaply when it cannot match: literal pieces one of which every match must contain.

Python's ``re`` tries a pattern at every position of a text (a leading ``\\b`` or look-behind even turns
off its literal-prefix scan), so a hundred patterns would cost about a millisecond per sentence. Most
patterns, though, need a word that ordinary text rarely holds ("guarantee", "will", 稳赚).
``required_pieces`` reads the parsed pattern and returns strings one of which is in every match;
``PieceFinder`` says which pieces a text holds; a caller runs a pattern only when one of its pieces is there.

Both are conservative: every item of a sequence must match, so any item's pieces serve; an alternation
needs pieces for every branch; optional and zero-width parts give nothing. Of the candidate sets the most
selective is kept: one without very common words ("all", "for") if there is one, then the one whose
shortest piece is longest. When no selective set exists the answer is None and the pattern always runs,
so a surprise here costs speed, never a verdict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

try:
    import re._parser as sre_parse  # the parser behind re.compile (private, CPython 3.11+)
except ImportError:  # elsewhere ``required_pieces`` answers None: every pattern runs, only slower
    sre_parse = None  # type: ignore[assignment, unused-ignore]

Pieces = frozenset[str] | None  # one of these is in every match; None: no useful set known
MIN_BYTES = 3  # "will" and 稳 are worth looking for; "i" and "to" are in nearly every clause
MAX_CACHED_WORDS = 50_000
# Words in most clauses of ordinary prose (and of research notes): a set holding one of these is a poor choice
# when the pattern offers another.
COMMON_WORDS = frozenset(
    "all and any are but can for has have her his its may not now one our out she the was who you your "
    "about after also been being into more most much only other over same some such than that their them then "
    "there these they this those what when where which while with set take hold market risk money value "
    "return pay call sell buy asset stake investment".split())


def required_pieces(pattern: str) -> Pieces:
    try:
        pieces = _required(list(sre_parse.parse(pattern)))
    except Exception:  # an unfamiliar parse tree: no prefilter, the pattern always runs
        return None
    return pieces if pieces and _weight(pieces) >= MIN_BYTES else None


def _weight(pieces: frozenset[str]) -> int:
    """The bytes of the set's shortest piece."""
    return min(len(piece.encode()) for piece in pieces)


def _preference(pieces: frozenset[str]) -> tuple[bool, bool, int, int]:
    usable = _weight(pieces) >= MIN_BYTES
    return usable, usable and COMMON_WORDS.isdisjoint(pieces), _weight(pieces), -len(pieces)


def _required(items: list[tuple[object, object]]) -> Pieces:
    options: list[frozenset[str]] = []
    run = ""  # consecutive literal characters

    def close_run() -> None:
        if run.strip():
            options.append(frozenset([run.strip()]))

    for op, arg in items:
        if op is sre_parse.LITERAL:
            run += chr(arg)  # type: ignore[arg-type]
            continue
        close_run()
        run = ""
        found: Pieces = None
        if op is sre_parse.SUBPATTERN:
            found = _required(list(arg[3]))  # type: ignore[index]
        elif op is sre_parse.BRANCH:
            branches = [_required(list(branch)) for branch in arg[1]]  # type: ignore[index]
            if all(branches):
                found = frozenset().union(*branches)  # type: ignore[arg-type]
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1:  # type: ignore[index]
            found = _required(list(arg[2]))  # type: ignore[index]
        if found:
            options.append(found)
    close_run()
    return max(options, key=_preference, default=None)


class PieceFinder:
    """Which of a fixed set of pieces occur in a text.

    Checking each piece with ``in`` costs a few hundred nanoseconds a piece, hundreds of pieces a clause. A
    one-word ASCII piece lies inside one whitespace-separated word of the text, so each distinct word is
    checked once and remembered; a piece of several words is checked only when its first word was found;
    Chinese pieces (no spaces to split on) are looked up by their first character.
    """

    def __init__(self, pieces: Iterable[str]) -> None:
        pieces = set(pieces)
        phrases = {p for p in pieces if p.isascii() and " " in p}
        self.phrases_by_first_word: dict[str, list[str]] = defaultdict(list)
        for phrase in phrases:
            self.phrases_by_first_word[phrase.split()[0]].append(phrase)
        self.one_word = frozenset(p for p in pieces if p.isascii() and " " not in p)
        self.looked_for = self.one_word | self.phrases_by_first_word.keys()  # what each word is checked for
        self.by_first: dict[str, list[str]] = defaultdict(list)
        for piece in pieces - self.one_word - phrases:
            self.by_first[piece[0]].append(piece)
        self.words: dict[str, frozenset[str]] = {}

    def __call__(self, text: str) -> frozenset[str]:
        seen: set[str] = set()
        for word in set(text.split()):
            known = self.words.get(word)
            if known is None:
                if len(self.words) >= MAX_CACHED_WORDS:  # any text can be screened: bound the memory
                    self.words.clear()
                known = self.words[word] = frozenset(p for p in self.looked_for if p in word)
            seen |= known
        found = seen & self.one_word
        for first in self.phrases_by_first_word.keys() & seen:
            found.update(p for p in self.phrases_by_first_word[first] if p in text)
        for char in self.by_first.keys() & set(text):
            found.update(p for p in self.by_first[char] if p in text)
        return frozenset(found)
