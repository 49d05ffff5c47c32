"""Finance vocabulary: does a question use any word about money or investing at all?

Intent routing calls a question off-topic only when it has none (``mentions_finance`` is False), so this
list errs wide: a finance question must never be told "I only talk about investing". A stray hit on a
non-finance question ("what is the price of a pizza?") costs little: it becomes education, and retrieval
abstains when the corpus has nothing. Data, not logic; words are in ``advisor.text.normalise``d form.

Lookups are set membership and ``str.startswith`` on word tokens, which is several times faster than one big
regex alternation (this runs on every question).
"""

from __future__ import annotations

import re

# Whole words.
WORDS = frozenset("""
stock stocks share shares bond bonds fund funds etf etfs coin coins token tokens crypto market markets price prices
priced trade trades trading trader traders broker brokers brokerage dividend dividends interest rate rates loan loans
debt debts mortgage credit bank banks banking money cash pension tax taxes taxed insurance asset assets wealth
income budget profit profits loss losses return returns yield yields valuation equity equities options futures
forex currency currencies dollar dollars usd eur rmb commodity commodities salary expense expenses fee fees risk
risks risky hedge hedged leverage leveraged margin shorting bullish bearish dip hodl ticker index indices ipo ipos
reit reits nft nfts defi wallet fed gdp cpi earnings revenue compound compounding annuity treasury treasuries sharpe
apy apr quote quotes chart charts crash crashes bubble recession inflation deflation ratio p/e pe eps rating ratings
analyst analysts invest invested investing investor investors investment investments portfolio portfolios 401k ira
roth savings retire retirement retiring holdings overbought oversold undervalued overvalued dca diversify
diversified diversification allocation rebalance rebalancing liquidity volatile volatility stablecoin stablecoins
bitcoin ethereum altcoin altcoins blockchain nasdaq dow s&p gold silver fiat cd cds t-bill t-bills paycheck
inheritance stop-loss take-profit scam scams scammer scammers fraud ponzi insider""".split())
# Word beginnings: "invest" covers investing/investor, "financ" covers finance/financial.
STEMS = ("invest", "financ", "econom", "crypto", "stablecoin", "monet", "diversif", "allocat", "rebalanc", "annuit",
         "treasur", "volatil", "leverag", "dividend", "mortgag", "brokerag", "portfolio", "retire", "pension",
         "valuat", "arbitrag", "amortiz", "amortis", "insur", "tariff", "fintech", "trading", "stock", "etf", "$")
# Multi-word terms whose words are innocent alone.
PHRASES = re.compile(r"real estate|capital gains|emergency fund|time the market|bid-ask|stop[- ]loss|expense ratio|"
                     r"to the moon|short (?:sell|squeeze|position)|call options?|put options?|net worth|rainy day|"
                     r"(?:limit|market|stop|buy|sell) orders?|bull market|bear market|cost basis|exchange rate|"
                     r"(?:stock|share) split|buy the dip|buy and hold|pump[- ]and[- ]dump")
# Chinese: substrings (single characters where the character itself is about money).
ZH = ("股", "债", "币", "钱", "财", "税", "贷", "赚", "涨", "价", "利息", "利率", "通胀", "经济", "收益", "银行", "存款", "退休",
      "养老", "行情", "账户", "期权", "期货", "外汇", "汇率", "分红", "估值", "定投", "牛市", "熊市", "k线", "融资", "杠杆",
      "做空", "抄底", "割肉", "止损", "止盈", "交易", "择时", "理财", "指数", "买入", "卖出", "持有", "配置", "回撤", "波动",
      "复利", "通缩", "泡沫", "etf", "风险", "保险", "资金", "资产", "投资", "投入", "工资", "基金", "黄金", "金融", "现金",
      "金价", "大盘", "盘面", "开盘", "收盘", "仓位", "加仓", "减仓", "清仓", "建仓", "补仓", "持仓", "满仓", "下跌", "暴跌",
      "大跌", "跌停", "跌幅", "跌破", "会跌", "还跌", "亏损", "亏钱", "亏了", "市场", "市值", "上市", "市盈率", "楼市", "房价",
      "美元", "人民币", "港币", "预算", "收入", "支出", "消费贷", "信用卡", "杀猪盘", "庄家", "内幕")
TOKEN = re.compile(r"[a-z0-9$&/'\-]+")


def mentions_finance(text: str) -> bool:
    """Whether normalised ``text`` uses any finance word (English or Chinese)."""
    for token in TOKEN.findall(text):
        word = token.strip("'-/")
        if word in WORDS or word.startswith(STEMS) or word.removesuffix("'s") in WORDS:
            return True
    if not text.isascii() and any(word in text for word in ZH):
        return True
    return bool(PHRASES.search(text))
