"""Which group posts are public calls: one symbol, one direction, said as a call (not asked, not negated)."""

from __future__ import annotations

import pytest

from advisor.community.calls import Call, detect_call


@pytest.mark.parametrize(("post", "call"), [
    ("buy TSLA", Call("TSLA", 1)),
    ("$NVDA to the moon 🚀", Call("NVDA", 1)),
    ("short AAPL, it's overvalued", Call("AAPL", -1)),
    ("I'm long 0700.HK", Call("0700.HK", 1)),
    ("tesla is going down hard", Call("TSLA", -1)),
    ("买入茅台", Call("600519.SS", 1)),
    ("做空 腾讯", Call("0700.HK", -1)),
    ("buy ＴＳＬＡ", Call("TSLA", 1)),  # a full-width ticker, as spammers write them
])
def test_a_call_names_one_symbol_and_one_direction(post: str, call: Call) -> None:
    assert detect_call(post) == call


@pytest.mark.parametrize("post", [
    "should I buy TSLA?",  # asking is not calling
    "茅台能买入吗",
    "is it time to sell AAPL",
    "don't buy TSLA",  # a negated direction
    "不要买入茅台",
    "buy or sell NVDA",  # both directions
    "AAPL and MSFT, buy",  # which one?
    "I bought AAPL yesterday",  # a report, not a call
    "TSLA earnings are on Wednesday",  # no direction
    "buy the dip",  # no symbol
])
def test_questions_negations_and_ambiguous_posts_are_not_calls(post: str) -> None:
    assert detect_call(post) is None
