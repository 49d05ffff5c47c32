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
inheritance stop-loss take-profit scam scams scammer scammers fraud ponzi insider
sales revenues acquisition acquisitions acquired fiscal quarterly bookings impairment depreciation compensation
psu psus rsu rsus subsidiary subsidiaries""".split())  # the last lines: annual-report words (TAT-QA questions)
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
ZH = tuple("""
    股 债 币 钱 财 税 贷 赚 涨 价 利息 利率 通胀 经济 收益 银行 存款 退休 养老 行情 账户 期权 期货 外汇 汇率 分红
    估值 定投 牛市 熊市 k线 融资 杠杆 做空 抄底 割肉 止损 止盈 交易 择时 理财 指数 买入 卖出 持有 配置 回撤 波动
    复利 通缩 泡沫 etf 风险 保险 资金 资产 投资 投入 工资 基金 黄金 金融 现金 金价 大盘 盘面 开盘 收盘 仓位 加仓
    减仓 清仓 建仓 补仓 持仓 满仓 下跌 暴跌 大跌 跌停 跌幅 跌破 会跌 还跌 亏损 亏钱 亏了 市场 市值 上市 市盈率 楼市
    房价 美元 人民币 港币 预算 收入 支出 消费贷 信用卡 杀猪盘 庄家 内幕
""".split())
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


# Other topics. A question is off-topic only with one of these AND no finance word: finance jargon is open-ended
# ("bull trap", "Rule of 72", "市净率"), so a question that names neither side stays education and retrieval
# decides. Listing everyday topics is the conservative direction: a miss here costs an abstaining search.
OTHER_WORDS = frozenset("""
bake baking baked cook cooking recipe recipes boil boiled fry roast pie pizza pasta bread sourdough cake coffee
tea soup egg eggs food dinner lunch breakfast weather rain raining snow sunny temperature football soccer
basketball baseball cricket tennis golf match player players team olympics poem poetry haiku joke jokes story song
songs lyrics movie movies film films novel novels book books music piano guitar painting painted paint artist
wrote author translate translation grammar dog dogs cat cats puppy kitten pet pets spider animal animals bird birds
plant plants garden tomatoes flower flowers travel visit trip vacation hotel mountain everest river tallest
symptoms flu fever medicine doctor sleep hiccups workout exercise gym diet fix repair leaking tap plumbing bike
car wifi router laptop homework math physics chemistry history science exam python javascript programming coding
hi hello hey thanks thank hiya nba nfl mlb nhl fifa marathon running swim swimming yoga hiking fishing goldfish
hamster rabbit horse essay resume cv letter email speech birthday wedding recipe drain toilet sink laundry clean
cleaning dishes furniture paint garden lawn fact facts trivia riddle quiz celebrity actor actress singer band
""".split())
OTHER_PHRASES = re.compile(r"\bcapital of\b|\bwhat time is it\b|\bmeaning of life\b|\bhow are you\b|\bwhat's up\b|"
                           r"\bgood (?:morning|night|evening)\b|\bwho (?:won|wrote|painted|invented|is the best|was)\b|"
                           r"\bhow (?:many|tall|high is|far is|old is)\b|\bwrite me\b|"
                           r"\bmy (?:dog|cat|kid|son|daughter)\b|"
                           # Making, fixing or growing things ("how do I make pancakes?"): only reached when the
                           # question has no finance word, so "how do I make money" is never here.
                           r"\bhow (?:do|can|should|would|to) (?:i |you |we )?(?:make|cook|bake|grill|boil|fry|brew|"
                           r"fix|repair|unclog|clean|grow|plant|knit|sew|draw|tie|train|get rid of)\b")
OTHER_ZH = tuple("""
    天气 下雨 下雪 气温 怎么做 做法 菜谱 煮 炒 烤 蛋糕 吃什么 球赛 足球 篮球 比赛 谁赢 诗 笑话 故事 歌 电影 小说 画
    英语 翻译 作业 数学 猫 狗 宠物 植物 花 好玩 旅游 旅行 景点 去哪 多长 多高 多远 减肥 健身 感冒 吃药 医生 睡觉
    你好 谢谢 早上好 生日 祝福 新鲜 保存 粥 学好 帮我写 游泳 跑步 出门 运动 钓鱼 唱歌 跳舞 请假条 作文 简历
    做菜 菜谱 炒菜
""".split())


def mentions_other_topic(text: str) -> bool:
    """Whether normalised ``text`` shows it is about something other than money (cooking, sport, travel ...)."""
    if any(token.strip("'-/") in OTHER_WORDS for token in TOKEN.findall(text)):
        return True
    if not text.isascii() and any(word in text for word in OTHER_ZH):
        return True
    return bool(OTHER_PHRASES.search(text))
