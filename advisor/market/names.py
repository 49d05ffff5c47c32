"""From what a question names ("tesla", "$TSLA", "比特币", "S&P 500") to the Yahoo symbol to look up.

``advisor.securities`` reports mentions the way members write them; market data needs Yahoo's spelling.
Names not listed here that look like tickers are used as they are ("PLTR" -> "PLTR").
"""

from __future__ import annotations

import re

YAHOO_FOR_NAME: dict[str, str] = {
    # Companies by name
    "tesla": "TSLA", "nvidia": "NVDA", "microsoft": "MSFT", "netflix": "NFLX", "palantir": "PLTR",
    "alibaba": "BABA", "tencent": "0700.HK", "coinbase": "COIN", "gamestop": "GME", "berkshire": "BRK-B",
    "shopify": "SHOP", "paypal": "PYPL", "broadcom": "AVGO", "byd": "1211.HK", "apple": "AAPL", "amazon": "AMZN",
    "google": "GOOGL", "alphabet": "GOOGL", "BRK": "BRK-B",
    # Coins: Yahoo quotes them as pairs against the dollar
    "bitcoin": "BTC-USD", "ethereum": "ETH-USD", "dogecoin": "DOGE-USD", "solana": "SOL-USD",
    "BTC": "BTC-USD", "ETH": "ETH-USD", "XRP": "XRP-USD", "BNB": "BNB-USD", "DOGE": "DOGE-USD", "ADA": "ADA-USD",
    "SOL": "SOL-USD", "SHIB": "SHIB-USD", "LTC": "LTC-USD", "DOT": "DOT-USD", "AVAX": "AVAX-USD",
    "USDT": "USDT-USD", "USDC": "USDC-USD",
    # Indices
    "S&P 500": "^GSPC", "SPX": "^GSPC", "Nasdaq": "^IXIC", "NDX": "^NDX", "Dow Jones": "^DJI",
    "Hang Seng": "^HSI", "Nikkei": "^N225", "FTSE": "^FTSE", "Russell 2000": "^RUT",
    # Chinese names
    "茅台": "600519.SS", "腾讯": "0700.HK", "阿里巴巴": "BABA", "比特币": "BTC-USD", "以太坊": "ETH-USD",
    "狗狗币": "DOGE-USD", "宁德时代": "300750.SZ", "比亚迪": "002594.SZ", "中国平安": "601318.SS",
    "招商银行": "600036.SS", "工商银行": "601398.SS", "五粮液": "000858.SZ", "美团": "3690.HK", "京东": "JD",
    "拼多多": "PDD", "特斯拉": "TSLA", "英伟达": "NVDA", "微软": "MSFT", "亚马逊": "AMZN", "谷歌": "GOOGL",
    "苹果": "AAPL", "小米": "1810.HK", "中芯国际": "0981.HK", "紫金矿业": "601899.SS", "长江电力": "600900.SS",
    "东方财富": "300059.SZ", "上证指数": "000001.SS", "深证成指": "399001.SZ", "沪深300": "000300.SS",
    "恒生指数": "^HSI", "纳斯达克": "^IXIC", "标普500": "^GSPC", "道琼斯": "^DJI",
}
TICKER_LIKE = re.compile(r"[A-Z]{1,5}")
A_SHARE = re.compile(r"[036]\d{5}")


def yahoo_symbol(mention: str) -> str | None:
    """The Yahoo symbol for a mention, or None when there is no sensible one ("中远海控" off the list)."""
    if mention in YAHOO_FOR_NAME:
        return YAHOO_FOR_NAME[mention]
    if TICKER_LIKE.fullmatch(mention):
        return mention
    if A_SHARE.fullmatch(mention):
        return f"{mention}.SS" if mention.startswith("6") else f"{mention}.SZ"  # Shanghai codes start with 6
    return None


def yahoo_symbols(mentions: tuple[str, ...] | list[str]) -> list[str]:
    """Yahoo symbols for the mentions that have one, in order, without repeats."""
    return list(dict.fromkeys(s for m in mentions if (s := yahoo_symbol(m)) is not None))
