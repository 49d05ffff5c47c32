"""The checks every quiz question must pass, written once and used twice: the generator drops a candidate
distractor that fails them, and the tests run them over every generated question.

"Supported by the quote" is measured, not assumed: an option is supported when most of its content words (English)
or character pairs (Chinese) appear in the quoted sentence. A question is sound when the quote is verbatim in the
note, exactly one option (the answer) is supported, and no two options read the same.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from advisor.text import normalise

SUPPORTED = 0.75  # share of an option's content found in the quote for it to count as supported
UNSUPPORTED = 0.4  # a distractor must stay below this, so "supported" and "not" never sit close together
# Words too common to say anything about a topic: they would make every option look half-supported.
STOPWORDS = frozenset("""a an the and or but of to in on at by for with from as is are was were be been being it its
this that these those there their they them what which who whom how when where why would could should will can
may might must does do did have has had not no nor than then so such very more most much many some any each every
also only into over about after before while your you yours i me my mine our we us if own one other others""".split())
WORD = re.compile(r"[a-z0-9][a-z0-9\-']*")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@functools.lru_cache(maxsize=4096)  # a note's text is tokenised once, not once per candidate option
def content_tokens(text: str) -> frozenset[str]:
    """Content words (crudely singularised) of English text, or character pairs of Chinese text."""
    flat = normalise(text)
    tokens = {w.rstrip("s") if len(w) > 3 else w for w in WORD.findall(flat) if w not in STOPWORDS and len(w) > 2}
    for run in CJK_RUN.findall(flat):
        tokens.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            tokens.add(run)
    return frozenset(tokens)


def support(option: str, quote: str) -> float:
    """The share of the option's content that the quote contains (0.0 when the option has no content)."""
    wanted = content_tokens(option)
    if not wanted:
        return 0.0
    return len(wanted & content_tokens(quote)) / len(wanted)


def novelty(option: str, note_text: str) -> float:
    """The share of the option's content that the whole note never mentions: a distractor the cited note says
    nothing like (high novelty) cannot be defended as "what the note says"."""
    wanted = content_tokens(option)
    if not wanted:
        return 0.0
    return len(wanted - content_tokens(note_text)) / len(wanted)


def problems(options: Sequence[str], answer: int, quote: str, note_text: str) -> list[str]:
    """What is wrong with a question (empty: it is sound)."""
    found: list[str] = []
    if quote not in note_text:
        found.append("the quote is not verbatim in the note")
    if not 0 <= answer < len(options):
        return [*found, "the answer is not one of the options"]
    if len({normalise(o) for o in options}) != len(options):
        found.append("two options read the same")
    if support(options[answer], quote) < SUPPORTED:
        found.append("the quote does not support the answer")
    backed = [i for i, option in enumerate(options) if i != answer and support(option, quote) >= UNSUPPORTED]
    if backed:
        found.append(f"the quote also supports option(s) {backed}")
    return found
