"""Which securities, coins and indices a question names: "$TSLA", "NVDA", "tsla buy or hold", "茅台", "比特币".

The lists below are data, not logic: a modest set of well-known symbols and names that members actually type.
Growing them is safe; the rules in ``advisor.intent`` only ask whether *something* is named.

How a mention is recognised, in order of trust:
1. ``$ticker`` in any case ("$tsla"): the dollar sign says it is a symbol.
2. An upper-case token of 2-5 letters in the original text ("PYPL", "SOFI"), unless it is a common finance
   acronym (ETF, IPO, CPI ...). Skipped when the whole message is shouted, where every word is upper case.
3. A known symbol or name in the normalised text ("tsla", "bitcoin", "hang seng", "宁德时代").
   Symbols and names that are also ordinary words ("spy", "meta", "apple", "苹果", "小米") count only with a
   market word close by ("spy going up", "apple stock", "苹果股价"), so "apple pie" names nothing.
4. Chinese "XX股票 / XX股价" for names not on the list ("中远海控股票"), and A-share codes ("600519").
"""

from __future__ import annotations

import re
import unicodedata

from advisor.text import INVISIBLE

# Upper-case words that are finance (or chat) acronyms, not tickers.
NOT_TICKERS = frozenset("""
ETF ETFS IPO IPOS USD HKD CNY RMB EUR GBP JPY CAD AUD CHF CEO CFO CTO GDP IRA IRAS ROTH REIT REITS ESG CPI PPI
FOMO FOMC FED ECB BOE PBOC DCA EPS PE ROE ROI ROA NAV APR APY YTD YOY QOQ EOD EOY ATH ATL FAQ SEC FINRA SFC
CSRC FDIC SIPC IRS HMRC ISA SIPP TFSA RRSP HSA FSA CD CDS MMF LOF QDII NFT NFTS DAO DEFI KYC AML OTC ADR ADRS
SPAC CFD FX TA FA DD PT PM AM EST UTC GMT US USA UK EU HK CN SZ SH NYC AI GPT LLM DAN API PDF TV PC OK OKAY
NO YES LOL OMG WTF LMAO IMO IMHO FYI TLDR ASAP DIY DM DMS PNL HODL YOLO FUD NGMI WAGMI BTFD MACD RSI SMA EMA
TER OCF AUM VC LLC INC PLC LTD ETN ETNS P2P CC UBI VAT GST
NBA NFL MLB NHL FIFA UFC BBC CNN NASA FBI CIA UN WHO DIY TBH NGL IDK BTW ELI SMH
""".split())

# Tickers that are not everyday words: recognised in any case, anywhere ("tsla buy or hold").
TICKERS = frozenset("""
aapl tsla nvda msft amzn googl goog nflx amd intc pltr pypl baba nio bidu jd pdd tsm asml avgo orcl crm adbe
uber abnb shop sq sofi gme amc hood rivn lcid mstr coin brk jpm bac wfc xom cvx pfe mrna jnj wmt cost nke
btc xrp usdt usdc bnb doge ada sol shib ltc dot avax
spx ndx qqq tqqq sqqq spxl soxl voo vti vxus vt vea vwo bnd agg schd jepi arkk iwm dia gld slv tlt uso
""".split())
# Tickers that are also words ("meta", "spy", "eth", "arm"): a symbol only next to market words.
WORD_TICKERS = frozenset("meta spy eth arm ko dis".split())

# Names of companies, coins and indices (normalised spelling) -> how the reading reports them.
NAMES: dict[str, str] = {
    "bitcoin": "bitcoin", "ethereum": "ethereum", "dogecoin": "dogecoin", "solana": "solana", "tesla": "tesla",
    "nvidia": "nvidia", "microsoft": "microsoft", "netflix": "netflix", "palantir": "palantir",
    "alibaba": "alibaba", "tencent": "tencent", "coinbase": "coinbase", "gamestop": "gamestop",
    "berkshire": "berkshire", "shopify": "shopify", "paypal": "paypal", "broadcom": "broadcom", "byd": "byd",
    "s&p 500": "S&P 500", "s&p500": "S&P 500", "s&p": "S&P 500", "sp500": "S&P 500", "nasdaq": "Nasdaq",
    "dow jones": "Dow Jones", "dow": "Dow Jones", "hang seng": "Hang Seng", "nikkei": "Nikkei", "ftse": "FTSE",
    "russell 2000": "Russell 2000", "茅台": "茅台", "贵州茅台": "茅台", "腾讯": "腾讯", "阿里巴巴": "阿里巴巴",
    "阿里": "阿里巴巴", "比特币": "比特币", "以太坊": "以太坊", "狗狗币": "狗狗币", "宁德时代": "宁德时代",
    "比亚迪": "比亚迪", "中国平安": "中国平安", "招商银行": "招商银行", "工商银行": "工商银行", "五粮液": "五粮液",
    "美团": "美团", "京东": "京东", "拼多多": "拼多多", "特斯拉": "特斯拉", "英伟达": "英伟达", "微软": "微软",
    "亚马逊": "亚马逊", "谷歌": "谷歌", "中石油": "中石油", "中芯国际": "中芯国际", "隆基": "隆基",
    "东方财富": "东方财富", "紫金矿业": "紫金矿业", "长江电力": "长江电力", "上证指数": "上证指数",
    "上证": "上证指数", "深证成指": "深证成指", "创业板指": "创业板指", "沪深300": "沪深300", "中证500": "中证500",
    "恒生指数": "恒生指数", "恒指": "恒生指数", "纳斯达克": "纳斯达克", "纳指": "纳斯达克", "标普500": "标普500",
    "标普": "标普500", "道琼斯": "道琼斯", "道指": "道琼斯",
}
# Names that are also ordinary words (fruit, rivers, millet): a security only next to market words.
WORD_NAMES: dict[str, str] = {
    "apple": "apple", "amazon": "amazon", "google": "google", "alphabet": "alphabet",
    "苹果": "苹果", "小米": "小米", "美的": "美的",
}

# Market words that make an ambiguous mention a security when within ~25 characters of it.
MARKET_CONTEXT = re.compile(
    r"stocks?|shares?|price|ticker|quote|chart|buy|sell|hold|short|invest|trad|calls?\b|puts?\b|earnings|"
    r"market|going (?:up|down)|go (?:up|down)|up or down|tomorrow|today|target|worth|\bpt\b|moon|pump|crash|dip|"
    r"valuation|overvalued|undervalued|dividend|split|\bath\b|\bto \$?\d|closed? at|open(?:ed)? at|p/e|pe ratio|"
    r"market cap|volume|\beps\b|"
    r"股|价|买|卖|涨|跌|仓|市值|行情|财报|估值|分红|k线")
CONTEXT_WINDOW = 25

# Chinese fallback: "XX股票 / XX股价" for names not on the list. Characters that cannot be part of a name
# ("买什么股票", "这只股票", "帮我选只股票") cut the candidate; what is left must be 2-4 characters long.
ZH_STOCK_OF = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:的)?(?:股票|股价)")
ZH_NOT_NAME = re.compile(r".*[什么哪这那些只支个买卖推荐选挑和与及或的了吗呢吧要该能会好我你他她它们很最都也还就再"
                         r"看查有是些种类新请问于解绍下]")
# Six digits starting 0, 3 or 6, not part of a longer number or an amount ("600000元").
A_SHARE_CODE = re.compile(r"[036]\d{5}(?<!\d[036]\d{5})(?![\d万元块%])")

UPPER_TOKEN = re.compile(r"(?<![A-Za-z0-9$&])[A-Z]{2,5}(?![A-Za-z0-9&])")
DOLLAR_TICKER = re.compile(r"\$([a-z]{1,5})\b")
LATIN_TOKEN = re.compile(r"[a-z0-9&]+")
ASCII_LETTER = re.compile(r"[A-Za-z]")
UPPER_LETTER = re.compile(r"[A-Z]")

# Latin names are looked up as word tokens (and pairs of tokens, for "hang seng") in a dict: a regex
# alternation of ~150 words each wrapped in boundaries was measured at ~85 µs a question. Chinese names have
# no word boundaries, so one plain alternation of them is fast (~0.5 µs).
LATIN_KNOWN = {word: (NAMES.get(word) or word.upper()) for word in [*TICKERS, *NAMES] if word.isascii()}
LATIN_AMBIGUOUS = {word: (WORD_NAMES.get(word) or word.upper()) for word in [*WORD_TICKERS, *WORD_NAMES]
                   if word.isascii()}
PAIR_STARTS = frozenset(name.split()[0] for name in LATIN_KNOWN if " " in name)
LATIN_CANDIDATES = frozenset([*LATIN_KNOWN, *LATIN_AMBIGUOUS, *PAIR_STARTS])  # one lookup skips most words
ZH_KNOWN = {name: display for name, display in NAMES.items() if not name.isascii()}
ZH_AMBIGUOUS = {name: display for name, display in WORD_NAMES.items() if not name.isascii()}
ZH_KNOWN_NAMES = re.compile("|".join(map(re.escape, sorted(ZH_KNOWN, key=len, reverse=True))))
ZH_AMBIGUOUS_NAMES = re.compile("|".join(map(re.escape, sorted(ZH_AMBIGUOUS, key=len, reverse=True))))


def _shouted(original: str) -> bool:
    """Every word in capitals ("SHOULD I BUY NVDA"): upper-case tokens say nothing about tickers then."""
    letters = len(ASCII_LETTER.findall(original))
    return letters >= 8 and len(UPPER_LETTER.findall(original)) >= 0.7 * letters


def _in_market_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - CONTEXT_WINDOW):start]
    after = text[end:end + CONTEXT_WINDOW]
    return bool(MARKET_CONTEXT.search(before) or MARKET_CONTEXT.search(after))


def named_securities(original: str, normalised: str) -> tuple[str, ...]:
    """The securities ``original`` names, in order of first mention, without repeats.

    ``normalised`` is ``advisor.text.normalise(original)``, passed in because the caller already has it.
    """
    text = normalised
    found: dict[str, int] = {}  # display -> position of its first mention in the normalised text

    def note(display: str, position: int) -> None:
        if position < found.get(display, len(text) + 1):
            found[display] = position

    if "$" in text:
        for match in DOLLAR_TICKER.finditer(text):
            note(match.group(1).upper(), match.start())
    upper_text = original if original.isascii() else INVISIBLE.sub("", unicodedata.normalize("NFKC", original))
    upper_tokens = UPPER_TOKEN.findall(upper_text)
    if upper_tokens and not _shouted(upper_text):
        for token in upper_tokens:
            if token not in NOT_TICKERS:
                note(token, max(0, text.find(token.casefold())))
    words = LATIN_TOKEN.findall(text)
    for i, word in enumerate(words):
        if word not in LATIN_CANDIDATES:
            continue
        pair = f"{word} {words[i + 1]}" if word in PAIR_STARTS and i + 1 < len(words) else ""
        if pair in LATIN_KNOWN:
            note(LATIN_KNOWN[pair], text.find(pair))
        elif word in LATIN_KNOWN:
            note(LATIN_KNOWN[word], text.find(word))
        elif word in LATIN_AMBIGUOUS:
            for match in re.finditer(rf"(?<![a-z0-9&]){re.escape(word)}(?![a-z0-9&])", text):
                if _in_market_context(text, match.start(), match.end()):
                    note(LATIN_AMBIGUOUS[word], match.start())
    if not text.isascii():
        for match in ZH_KNOWN_NAMES.finditer(text):
            note(ZH_KNOWN[match.group()], match.start())
        for match in ZH_AMBIGUOUS_NAMES.finditer(text):
            if _in_market_context(text, match.start(), match.end()):
                note(ZH_AMBIGUOUS[match.group()], match.start())
        for match in ZH_STOCK_OF.finditer(text):
            name = ZH_NOT_NAME.sub("", match.group(1))
            if 2 <= len(name) <= 4 and not any(name in known or known in name for known in found):
                note(name, match.start(1))
    for match in A_SHARE_CODE.finditer(text):
        note(match.group(), match.start())
    return tuple(sorted(found, key=found.__getitem__))
