"""Named, precompiled rules that run on every question, written readably and compiled to run fast.

Why ``fast_pattern`` exists: Python's regex engine skips ahead to a pattern's first literal letters, but
only when the pattern starts with them. A leading word boundary (``\\bshould``) turns that off, and every
position of the text is then tried in full: measured on a 55-character question, 3 µs a search instead of
0.15 µs. ``fast_pattern`` rewrites a leading ``\\bword`` as ``word(?<!\\wword)`` ("word, not preceded by a
word character"), and a leading ``\\b(?:a|b)rest`` as ``a(?<!\\wa)rest|b(?<!\\wb)rest`` (the engine
builds its skip-ahead only when every branch starts with a literal); both match exactly the same text. Rules
are still written with ``\\b``; tests check the rewrite matches what the original matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A plain literal run: letters, digits, spaces, apostrophes, hyphens; nothing the regex engine reads specially.
PLAIN = re.compile(r"[a-z0-9' \-]+")
WORD = re.compile(r"[a-z0-9]+")
QUANTIFIERS = "?*+{"


def _top_level_branches(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (not inside groups, classes or after a backslash)."""
    branches, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":  # "[]...]": a leading "]" is a literal inside the class
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


def _guarded(word: str) -> str:
    return f"{word}(?<!\\w{word})"


def _group_end(text: str) -> int:
    """Index of the ``)`` closing the group that opens at ``text[0]``, or -1."""
    depth, i = 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = text.index("]", i + 2 if text[i + 1:i + 2] == "]" else i + 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _guard_start(alternative: str) -> str | None:
    """``alternative`` with a word boundary in front of it moved behind its first word, or None if it does not
    start with a plain word."""
    literal = WORD.match(alternative)
    if not literal:
        return None
    word = literal.group()
    if alternative[len(word):len(word) + 1] in tuple(QUANTIFIERS):  # "coins?": the quantifier binds the last letter
        word = word[:-1]
    return _guarded(word) + alternative[len(word):] if word else None


def _fast_branch(branch: str) -> str:
    """One top-level branch made to start with a literal: ``\\bword`` -> ``word(?<!\\wword)``, and
    ``\\b(?:a|b)rest`` -> ``a(?<!\\wa)rest|b(?<!\\wb)rest`` (the same matches, tried in the same order)."""
    if not branch.startswith(r"\b"):
        return branch
    rest = branch[2:]
    if rest.startswith("(?:"):
        end = _group_end(rest)
        if end < 0 or rest[end + 1:end + 2] in tuple(QUANTIFIERS):
            return branch
        after = rest[end + 1:]
        guarded = [_guard_start(alternative) for alternative in _top_level_branches(rest[3:end])]
        if all(guarded):
            return "|".join(f"{alternative}{after}" for alternative in guarded)
        return branch
    return _guard_start(rest) or branch


def fast_pattern(pattern: str) -> str:
    """``pattern`` with each top-level branch made to start with a literal where it can (same matches)."""
    return "|".join(_fast_branch(branch) for branch in _top_level_branches(pattern))


def compile_fast(pattern: str) -> re.Pattern[str]:
    return re.compile(fast_pattern(pattern))


# A rule whose every branch starts with a guarded word ("should(?<!\\wshould) ...") can only match where a
# word of the text begins with one of those words. Its anchors are the first ANCHOR_LENGTH letters of those
# words; a question's scan holds the first 1..ANCHOR_LENGTH letters of each of its words. A rule with no anchor
# in the scan cannot match, and its regex is not run (measured: about a fifth less time per question). Short
# keys keep the scan cheap; they make the check coarser, never wrong.
GUARDED_START = re.compile(r"([a-z0-9]+)\(\?<!\\w\1\)")
WORD_RUN = re.compile(r"[a-z0-9]+")
ANCHOR_LENGTH = 3


def anchors_of(fast: str) -> frozenset[str] | None:
    """The word beginnings every match of ``fast`` (a ``fast_pattern``) starts with, or None if a branch has
    no guarded word to start with (such a rule always runs)."""
    anchors = set()
    for branch in _top_level_branches(fast):
        start = GUARDED_START.match(branch)
        if not start:
            return None
        anchors.add(start.group(1)[:ANCHOR_LENGTH])
    return frozenset(anchors)


@dataclass(frozen=True)
class Scan:
    """What a question is made of, worked out once: which scripts it uses (Chinese rules never run on English
    text, nor English rules on Chinese) and the beginnings of its words (for rule anchors)."""
    latin: bool
    cjk: bool
    word_starts: frozenset[str]


LATIN = re.compile(r"[a-z]")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def scan(normalised: str) -> Scan:
    latin = bool(LATIN.search(normalised))
    starts = frozenset(start for word in WORD_RUN.findall(normalised)
                       for start in (word[:1], word[:2], word[:3])) if latin else frozenset()
    return Scan(latin, not normalised.isascii() and bool(CJK.search(normalised)), starts)


Rule = tuple[str, re.Pattern[str], frozenset[str] | None]  # name, compiled pattern, anchors


@dataclass(frozen=True)
class RuleSet:
    """One intent's named rules, precompiled, split by script (a ``zh_`` name marks a Chinese rule).

    Rules run against ``advisor.text.normalise``d text: lower case, straight quotes, no spaces between
    Chinese characters.
    """
    english: tuple[Rule, ...]
    chinese: tuple[Rule, ...]
    written: dict[str, str] = field(default_factory=dict, compare=False)  # rule name -> pattern as written

    @classmethod
    def of(cls, **patterns: str) -> RuleSet:
        rules: list[Rule] = []
        for name, pattern in patterns.items():
            fast = fast_pattern(pattern)
            rules.append((name, re.compile(fast), None if name.startswith("zh_") else anchors_of(fast)))
        return cls(tuple(r for r in rules if not r[0].startswith("zh_")),
                   tuple(r for r in rules if r[0].startswith("zh_")), dict(patterns))

    def first(self, text: str, scanned: Scan) -> str | None:
        """The name of the first rule that matches ``text``, or None."""
        if scanned.latin:
            for name, pattern, anchors in self.english:
                if (anchors is None or not anchors.isdisjoint(scanned.word_starts)) and pattern.search(text):
                    return name
        if scanned.cjk:
            for name, pattern, _ in self.chinese:
                if pattern.search(text):
                    return name
        return None
