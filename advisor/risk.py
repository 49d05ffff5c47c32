"""Risk labels R1-R5: a product/topic taxonomy, and the UCITS SRRI band from price volatility.

The taxonomy reads what a question (and, failing that, its evidence) is about and takes the riskiest
topic it finds: a question about "leveraged ETFs and bonds" is R5, not R2. When a ticker's price history
is available, ``risk_from_volatility`` gives the SRRI-based level instead (leveraged, inverse, options,
futures, margin and crypto stay R5 whatever their history says).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from advisor.catalogue import risk_reason
from advisor.securities import DOLLAR_TICKER, NAMES, TICKERS, WORD_NAMES, WORD_TICKERS, named_securities
from advisor.text import normalise
from advisor.types import RISK_LEVELS, Language, RiskLabel, RiskLevel


@dataclass(frozen=True)
class Topic:
    key: str
    level: RiskLevel
    pattern: re.Pattern[str]


def _topic(key: str, level: RiskLevel, pattern: str, flags: int = re.IGNORECASE) -> Topic:
    return Topic(key, level, re.compile(pattern, flags))


# Riskiest first: the first match at the highest level wins the reason.
TAXONOMY: tuple[Topic, ...] = (
    _topic("scams", "R5", r"pump[- ]and[- ]dump|\bscams?\b|ponzi|pig[- ]butcher|杀猪盘|荐股|喊单|骗局|庄家"),
    _topic("leveraged_etf", "R5", r"(?:leveraged|inverse|[23]x|ultra)\s*(?:etfs?|funds?|products?)|"
                                  r"杠杆\s*ETF|反向\s*ETF"),
    # Options are R5 in any phrasing, except the everyday sense ("my options", "options for saving").
    _topic("options", "R5", r"(?<!\bmy )(?<!\byour )(?<!\bother )(?<!\bbest )(?<!\bsavings )"
                            r"\boptions?\b(?! (?:for|to|are there|do i have)\b)|\bfutures?\b|\bderivatives?\b|"
                            r"\bwarrants?\b|期权|期货|衍生品|权证|牛熊证"),
    _topic("margin", "R5", r"margin (?:accounts?|calls?|loans?|trading|debt|lending|requirements?)|on margin\b|"
                           r"\bleverage[d]?\b|borrow(?:ed|ing)? to invest|融资融券|融资|杠杆|配资|保证金"),
    _topic("short", "R5", r"short[- ]?sell\w*|\bshorting\b|\bshort position|融券|卖空|做空"),
    _topic("crypto", "R5", r"crypto\w*|bitcoin|\bbtc\b|ethereum|\beth\b|\bcoins?\b|\btokens?\b|stablecoin|"
                           r"\bnft|defi|加密|比特币|以太坊|虚拟货币|数字货币"),
    _topic("ipo", "R4", r"\bipos?\b|initial public offering|new listing|打新|新股"),
    _topic("cross_border", "R4", r"stock connect|hong kong|港股通|沪港通|深港通|港股"),
    _topic("equities", "R4", r"\bstocks?\b|\bshares?\b|equit(?:y|ies)|\$[a-z]{1,5}\b|个股|股票|A股"),
    _topic("funds", "R3", r"\betfs?\b|index funds?|mutual funds?|(?<!emergency )(?<!market )(?<!money )\bfunds?\b|"
                          r"dividend|valuation|earnings|p/?e ratio|dollar[- ]cost|esg|(?<!货币)基金|指数|分红|估值|"
                          r"财报|定投"),
    # High-yield ("junk") bonds carry equity-like default risk: at least R3, above ordinary bonds.
    _topic("high_yield", "R3", r"junk bonds?|high[- ]yield|below investment grade|垃圾债|高收益债"),
    _topic("diversified", "R2", r"diversif\w*|asset allocation|rebalanc\w*|portfolio|分散|资产配置|再平衡|组合"),
    _topic("bonds", "R2", r"\bbonds?\b|treasur(?:y|ies)|interest[- ]rates?|duration|yield|债券|国债|利率"),
    _topic("suitability", "R2", r"risk tolerance|suitability|risk profile|questionnaire|适当性|风险测评|风险承受"),
    _topic("protection", "R1", r"investor protection|compensation|insurance|complaint|投资者保护|赔偿|投诉"),
    _topic("emergency", "R1", r"emergency fund|rainy[- ]day|budget|应急|备用金"),
    _topic("deposits", "R1", r"deposits?|savings account|money[- ]market|treasury bills?|t-bills?|cash|"
                             r"存款|货币基金|余额宝|国库券"),
)


def level_index(level: RiskLevel) -> int:
    return RISK_LEVELS.index(level)


TOPICS = {topic.key: topic for topic in reversed(TAXONOMY)}  # the first (broadest) pattern of each key
# What a named security is, when it is not a single company's shares (R4).
FUND_SYMBOLS = frozenset("SPY|QQQ|VOO|VTI|VXUS|VT|VEA|VWO|BND|AGG|SCHD|JEPI|ARKK|IWM|DIA|GLD|SLV|TLT|USO|SPX|NDX|"
                         "S&P 500|Nasdaq|Dow Jones|Hang Seng|Nikkei|FTSE|Russell 2000|上证指数|深证成指|创业板指|"
                         "沪深300|中证500|恒生指数|纳斯达克|标普500|道琼斯".split("|"))
LEVERAGED_SYMBOLS = frozenset({"TQQQ", "SQQQ", "SPXL", "SOXL"})
CRYPTO_SYMBOLS = frozenset({"BTC", "ETH", "XRP", "USDT", "USDC", "BNB", "DOGE", "ADA", "SOL", "SHIB", "LTC", "DOT",
                            "AVAX", "bitcoin", "ethereum", "dogecoin", "solana", "比特币", "以太坊", "狗狗币"})
KNOWN_SYMBOLS = frozenset({*(t.upper() for t in TICKERS | WORD_TICKERS), *NAMES.values(), *WORD_NAMES.values()})


def securities_in(text: str) -> list[str]:
    """Securities ``text`` names for risk purposes. Stricter than intent routing: a word in capitals is a ticker
    only when it is a known symbol or written with ``$`` ("Roth IRA" and "my CD" name nothing)."""
    normalised = normalise(text)
    dollars = {m.upper() for m in DOLLAR_TICKER.findall(normalised)}
    return [name for name in named_securities(text, normalised)
            if name in KNOWN_SYMBOLS or name in dollars or not name.isascii() or name.isdigit()]


def topics_in(text: str) -> list[Topic]:
    found = [topic for topic in TAXONOMY if topic.pattern.search(text)]
    for name in securities_in(text):
        key = ("leveraged_etf" if name in LEVERAGED_SYMBOLS else "crypto" if name in CRYPTO_SYMBOLS
               else "funds" if name in FUND_SYMBOLS else "equities")
        found.append(TOPICS[key])
    return found


def _riskiest(topics: Iterable[Topic]) -> Topic | None:
    return max(topics, key=lambda t: level_index(t.level), default=None)


def riskiest_topic(text: str) -> str | None:
    topic = _riskiest(topics_in(text))
    return topic.key if topic else None


def label_for(question: str, evidence: Sequence[Mapping[str, object]], language: Language) -> RiskLabel:
    """The risk label of an answer to ``question`` drawing on ``evidence`` (chunk metadata, best first).

    The question's own topics decide; if it names none, the highest front-matter ``risk`` among the
    cited sources decides (an answer drawing on a crypto note and a savings note is as risky as crypto);
    failing that, the evidence titles' topics; failing everything, a general R3.
    """
    topic = _riskiest(topics_in(question))
    if topic is not None:
        return RiskLabel(topic.level, risk_reason(topic.key, language))
    rated = [(RISK_LEVELS[RISK_LEVELS.index(lv)], meta) for meta in evidence
             if (lv := str(meta.get("risk", "")).upper()) in RISK_LEVELS]
    if rated:
        level = max((lv for lv, _ in rated), key=RISK_LEVELS.index)
        for lv, meta in rated:
            title_topic = _riskiest(topics_in(str(meta.get("title", ""))))
            if lv == level and title_topic is not None and title_topic.level == level:
                return RiskLabel(level, risk_reason(title_topic.key, language))
        return RiskLabel(level, risk_reason("evidence", language, level=level))
    topic = _riskiest(t for meta in evidence for t in topics_in(str(meta.get("title", ""))))
    if topic is not None:
        return RiskLabel(topic.level, risk_reason(topic.key, language))
    return RiskLabel("R3", risk_reason("general", language))


# -- SRRI (EU UCITS synthetic risk and reward indicator) -------------------------------------------

SRRI_BANDS = (0.005, 0.02, 0.05, 0.10, 0.15, 0.25)  # upper bounds of classes 1-6; 7 is >= 25%
SRRI_TO_RISK: dict[int, RiskLevel] = {1: "R1", 2: "R1", 3: "R2", 4: "R3", 5: "R4", 6: "R5", 7: "R5"}


def annualised_volatility(returns: Sequence[float], periods_per_year: int = 52) -> float:
    """Sample standard deviation of periodic returns, annualised (weekly by default)."""
    if len(returns) < 2:
        raise ValueError("need at least two returns")
    mean = sum(returns) / len(returns)
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return math.sqrt(variance) * math.sqrt(periods_per_year)


def srri_class(volatility: float) -> int:
    for index, bound in enumerate(SRRI_BANDS, start=1):
        if volatility < bound:
            return index
    return 7


def risk_from_volatility(volatility: float, *, always_r5: bool = False) -> RiskLevel:
    """R level from annualised volatility; leveraged/inverse/derivative/crypto products are R5 regardless."""
    return "R5" if always_r5 else SRRI_TO_RISK[srri_class(volatility)]
