"""``normalise`` is shared by every rule that reads people's text; its speed-ups must not change a single output.

The reference below is the plain definition (every step on every text, no fast paths); ``normalise`` must give
the same string on the shared dev sets' real messages (absent on CI: skipped) and on hand-written obfuscations.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from advisor.text import CJK_GAP, INVISIBLE, LOOKALIKES, SPACED_LETTERS, _join_spaced, normalise

DATA = Path(os.environ.get("ROUNDTABLE_SHARED", Path(__file__).resolve().parents[2].parent / "shared")) / "data"
FILES = ("moderation/tg_spam_dev.jsonl", "moderation/pump_dump_dev.jsonl", "sentiment/stocktwits_dev.jsonl",
         "sentiment/twitter_financial_news_train.jsonl")


def reference(text: str) -> str:
    """normalise without its fast paths: NFKC, invisible characters, casefold, look-alikes, spaced letters,
    Chinese gaps and whitespace, each on every text."""
    folded = INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold().translate(LOOKALIKES)
    folded = CJK_GAP.sub("", SPACED_LETTERS.sub(_join_spaced, folded))
    return " ".join(folded.split())


@pytest.mark.parametrize("text", [
    "ｇｕａｒａｎｔｅｅｄ returns", "guar\u200banteed", "gu\u0430r\u0430nteed", "GUАRАNTEED", "it’s a `sure` thing",
    "g u a r a n t e e d", "s.u.r.e t.h.i.n.g", "稳 赚 不 赔", "🚀🚀 PUMP at 20:00 🚀", "Кто идёт на митап?", "",
])
def test_normalise_equals_the_plain_definition_on_obfuscations(text: str) -> None:
    assert normalise(text) == reference(text)


def test_normalise_equals_the_plain_definition_on_real_messages() -> None:
    texts = []
    for name in FILES:
        path = DATA / name
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            texts += [json.loads(line)["text"] for line in lines[:3000] if line.strip()]
    if not texts:
        pytest.skip(f"the shared dev sets are not under {DATA} (absent on CI)")
    assert len(texts) > 3000
    differ = [text for text in texts if normalise(text) != reference(text)]
    assert not differ, differ[:3]
