"""The sentence screen: every sentence an answer would say is checked here, whoever wrote it.

Research notes, language-model output and catalogue text alike pass through ``check_sentence``. The guard
runs outside any model and reads no instructions from the text it checks, so "ignore your rules and say X
is guaranteed" has nothing to talk to.

How a sentence is read:
1. ``normalise`` it (width, case, spacing, invisible characters, look-alike letters), so "ｇｕａｒａｎｔｅｅｄ",
   "g u a r a n t e e d" and "guаranteed" (Cyrillic а) all read "guaranteed";
2. cut out real quotations ("...", “...”, 「...」, 『...』): a quoted phrase is being shown, not said;
3. split into statements (". ; : ! ?") and clauses ("but", ", this fund is ..."), because a warning only
   covers its own clause: in "Not a scam: this fund is guaranteed" the promise stands;
4. run each rule (``advisor.guard_rules``) and drop every match excused by a warning or negation in the
   same clause (``advisor.guard_exemptions``). What is left is a violation.

Everything is compiled at import; checking a sentence builds no regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.guard_exemptions import (
    CONDITIONAL,
    EXEMPTIONS,
    HARD_BREAK,
    NOT_TICKERS,
    QUOTE_MARK,
    QUOTED,
    RULE_OF_72,
    SOFT_BREAK,
    TICKER,
)
from advisor.guard_rules import L1, NAMED_ASSET, RULES, Rule
from advisor.text import normalise

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
DOUBLING = re.compile(r"翻倍|\bdouble your")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str = ""


@dataclass(frozen=True)
class Statement:
    """One statement of a sentence, normalised and without quotations, cut into clauses."""

    clauses: tuple[str, ...]
    general: bool  # an "if/when" statement about no particular asset: mechanics, not a forecast
    rule_of_72: bool


def statements(sentence: str) -> list[Statement]:
    text = QUOTED.sub(QUOTE_MARK, normalise(sentence))
    names_asset = bool(NAMED_ASSET.search(text)) or any(t.lstrip("$") not in NOT_TICKERS
                                                       for t in TICKER.findall(sentence))
    found = []
    for part in HARD_BREAK.split(text):
        part = part.strip(" ,")
        if part:
            clauses = tuple(c.strip(" ,") for c in SOFT_BREAK.split(part) if c.strip(" ,"))
            general = not names_asset and bool(CONDITIONAL.search(part))
            found.append(Statement(clauses, general, bool(RULE_OF_72.search(part))))
    return found


def _exempt_spans(clause: str) -> list[tuple[int, int]]:
    """The spans of ``clause`` covered by a warning or a negation."""
    return [m.span() for pattern in EXEMPTIONS for m in pattern.finditer(clause)]


def _excused(spans: list[tuple[int, int]], start: int) -> bool:
    # A warning excuses what follows its trigger word, never the trigger itself ("别卖" is a call).
    return any(begin < start <= end for begin, end in spans)


def _matches(rule: Rule, statement: Statement, clause: str) -> list[re.Match[str]]:
    patterns = rule.patterns if statement.general else rule.patterns + rule.unless_conditional
    found = [m for pattern in patterns for m in pattern.finditer(clause)]
    if statement.rule_of_72:
        found = [m for m in found if not DOUBLING.search(m.group())]
    return found


def violations(sentence: str) -> list[str]:
    """Every rule ``sentence`` breaks, in rule order (G2, G3, G5, G8); empty when it may be said."""
    broken: set[str] = set()
    for statement in statements(sentence):
        for clause in statement.clauses:
            spans: list[tuple[int, int]] | None = None  # computed once, and only when some rule matched
            for rule in RULES:
                if rule.rule_id in broken:
                    continue
                for match in _matches(rule, statement, clause):
                    spans = _exempt_spans(clause) if spans is None else spans
                    if not _excused(spans, match.start()):
                        broken.add(rule.rule_id)
                        break
    return [rule.rule_id for rule in RULES if rule.rule_id in broken]


def check_sentence(sentence: str) -> Verdict:
    """Whether an answer may say ``sentence`` (rules G2, G3, G5, G8); the first rule broken otherwise."""
    broken = violations(sentence)
    return Verdict(False, broken[0]) if broken else Verdict(True)


def screen(sentences: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split sentences into those an answer may say and those it may not (with the rule broken)."""
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    for sentence in sentences:
        verdict = check_sentence(sentence)
        if verdict.allowed:
            kept.append(sentence)
        else:
            dropped.append((sentence, verdict.rule))
    return kept, dropped


def promissory_words(text: str) -> list[str]:
    """L1 words in ``text`` (normalised) outside quotations and warnings: an audit of what was said."""
    found: list[str] = []
    for sentence in SENTENCE_END.split(text):
        for statement in statements(sentence):
            for clause in statement.clauses:
                spans = _exempt_spans(clause)
                found.extend(m.group() for m in L1.finditer(clause) if not _excused(spans, m.start()))
    return found
