"""The trained spam classifier next to the lexicon: it catches advertising by its shape, in any language, and
never flags an ordinary chat line for the language it is written in."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import numpy as np
import pytest

from advisor.moderation import Moderator, Post
from advisor.moderation import spam_model as sm
from advisor.moderation.lexicon import Words
from advisor.text import normalise

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
_ids = count(1)


def post(text: str) -> Post:
    number = next(_ids)
    return Post(str(number), "club", f"member{number}", text, NOON)


def probability(text: str) -> float:
    model = sm.load()
    assert model is not None
    return model.probability(Words(normalise(text)), text)[0]


def test_the_shipped_weights_load_and_are_small() -> None:
    assert sm.WEIGHTS_FILE.stat().st_size < 64_000
    model = sm.load()
    assert model is not None and model.weights.shape == (sm.DIMENSIONS,)
    assert 0.5 <= model.threshold < 1.0  # chosen on the tune half, never below an even chance


# Ordinary chat lines written for this test, several with an amount, a link, a handle or emoji (so the model
# is asked, not just skipped), in Russian, German, Spanish, English and Chinese.
ORDINARY = [
    "Привет всем, кто-нибудь смотрел вчерашний матч?",
    "Я купил новый ноутбук за 1200$, доволен, батарея держит весь день 🙂",
    "Спасибо за ссылку, почитаю вечером https://habr.com/ru/articles/123456/",
    "Ребята, подскажите, как настроить VPN на роутере?",
    "Guten Morgen! Hat jemand Erfahrung mit ETFs auf den MSCI World?",
    "Ich habe gestern 50 € für das Konzert bezahlt, es war großartig!",
    "Weiß jemand, wann das Update für die App kommt?",
    "Hola a todos, ¿alguien sabe cuándo abre la bolsa de Madrid mañana?",
    "Compré un libro sobre inversión por 20 €, lo recomiendo 👍",
    "¡Qué buen partido ayer! Nos vemos el sábado.",
    "AAPL is up 3% today after the results, anyone holding?",
    "I lost $500 on that trade last year, lesson learned about stop losses 😅",
    "@alex_k thanks, that helped a lot!",
    "我上个月买了100股，现在亏了5%，大家怎么看？",
    "BTC pulled back from $4,100 to $3,800 this week, support looks like $3,500.",  # market talk has money in it
    "Bought 10 shares of MSFT at $410, long term hold 🙂",
    "Dividend yield of 4% on $10,000 is $400 a year before tax.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_lines_in_any_language_are_not_spam(text: str) -> None:
    model = sm.load()
    assert model is not None
    assert probability(text) < model.threshold
    assert Moderator().check(post(text)).verdict == "ok"


@pytest.mark.parametrize("text", [
    "AAPL is up 3% today after earnings, anyone holding?",
    "Apple's profit rose and income beat estimates: $2bn buy-back https://example.com/apple-results",
    "European banks slash $280bn from main US businesses https://t.co/Gwahc0Sc0F",
])
def test_investor_chatter_and_news_links_are_not_spam(text: str) -> None:
    assert Moderator().check(post(text)).verdict == "ok"


def test_a_line_without_any_spam_cue_is_never_scored_whatever_its_language() -> None:
    # No link, handle, amount, emoji run, mixed-script word or spam-lexicon word: the model is not asked.
    for text in ("Кто идёт на митап в субботу?", "Wer kommt am Samstag zum Treffen?",
                 "¿Quién viene el sábado a la reunión?"):
        assert probability(text) == 0.0
        assert not sm.cues(Words(normalise(text)), text).any


@pytest.mark.parametrize(("text", "opens"), [
    ("Кто идёт на митап в субботу?", False),
    ("AAPL $TSLA and $NVDA all up today", False),                  # cashtags' $ is not money
    ("Costs 20$ now", True),                                        # an amount
    ("fees in usdt are lower", True),                               # a currency word, no cashtag
    ("$TSLA fees in usdt are lower", True),                         # usdt counts even next to a cashtag
    ("€ and $TSLA", True),                                          # a currency sign that is not a cashtag's
    ("great day 🚀🚀", False), ("great day 🚀🚀🚀", True),            # three emoji make the emoji cue 0.3
    ("see example.com", True), ("ask @someone_here", True), ("#crypto", True),
    ("Cpeдний дoxoд", True),                                        # words mixing alphabets
    ("airdrop today", True), ("earn", True),                        # strong and weak spam words
])
def test_the_cheap_gate_says_what_the_full_cues_say(text: str, opens: bool) -> None:
    """``opens_gate`` skips the counts only the model needs; it must agree with ``cues(...).any`` exactly."""
    words = Words(normalise(text))
    assert sm.opens_gate(words, text) is opens
    assert sm.cues(Words(normalise(text)), text).any is opens


@pytest.mark.parametrize("text", [*ORDINARY, "Cpeдний дoxoд 1200$ в нeдeлю, пишите + в лс 💵💵💵 t.me/jobs",
                                  "🚀🚀🚀 airdrop live, drop your wallet here: example.com/claim 💰"])
def test_the_pipelines_shortcut_flags_exactly_what_the_probability_flags(text: str) -> None:
    """``flags`` skips the n-grams when they could not lift a post to the threshold; it must never differ from
    ``probability`` compared with the threshold (both kinds of line are here: ordinary ones and adverts)."""
    model = sm.load()
    assert model is not None
    words = Words(normalise(text))
    full = model.probability(words, text)[0]
    flagged = model.flags(Words(normalise(text)), text)
    assert (flagged is not None) == (full >= model.threshold)
    assert flagged is None or flagged[0] == full


@pytest.mark.parametrize("text", [
    "💎 Новый проект, выплаты каждый день 💵 👉 t.me/easy_cash_bot",
    "✅ Weekly payouts from your phone 📱 message @cash_mentor now 💵",
])
def test_the_model_catches_advertising_the_lexicon_lets_through(text: str) -> None:
    assert Moderator(use_spam_model=False).check(post(text)).verdict == "ok"  # no listed phrase, score < 2
    decision = Moderator().check(post(text))
    assert decision.verdict == "delete" and decision.categories == ("spam",)
    assert decision.reasons[0].startswith("looks like advertising (model 0.")


def test_investor_chatter_with_links_amounts_and_emoji_is_not_advertising() -> None:
    """What the model learned from investor chatter: a cashtag, a price, a news link or rockets are not an
    advert's cues in an investors' group (written for this test)."""
    for text in ("$NVDA up 4% after earnings 🚀🚀🚀 https://www.reuters.com/markets/", "Bought 10 $AAPL at $182 💰",
                 "Fed holds rates at 5.25%, statement here: federalreserve.gov/newsevents",
                 "@dana_k thanks, the $VTI vs $VOO comparison helped a lot 🙏"):
        assert Moderator().check(post(text)).verdict == "ok", text


def test_weights_built_for_other_features_are_refused(tmp_path: Path) -> None:
    stale = tmp_path / "stale.npz"
    np.savez_compressed(stale, weights=np.zeros(10, dtype=np.float32), bias=0.0, threshold=0.5,
                        buckets=np.int64(10), shapes=np.asarray(sm.SHAPES))
    assert sm.load(stale) is None
    assert sm.load(tmp_path / "missing.npz") is None
