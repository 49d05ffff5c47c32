"""Every user-facing string the advisor produces, in English and simplified Chinese.

One catalogue keeps the two languages in step: a key missing from either is a test failure.
"""

from __future__ import annotations

from advisor.types import Language

MESSAGES: dict[str, dict[Language, str]] = {
    "disclaimer": {
        "en": "Automated educational assistant, not a licensed adviser. Not investment advice. Past performance "
              "does not guarantee future results. You may lose money, including your principal.",
        "zh": "本回答由自动化投资者教育助手生成，并非持牌投资顾问。不构成投资建议；过往业绩不代表未来表现；"
              "市场有风险，投资需谨慎，您可能损失本金。",
    },
    "no_research": {
        "en": "I have no research on that yet, so I won't guess.",
        "zh": "我的研究资料中暂时没有这方面的内容，因此不作推测。",
    },
    "nearest_topics": {
        "en": "Topics I can help with that come closest: {topics}.",
        "zh": "与您的问题最接近、我可以介绍的主题：{topics}。",
    },
    "personal_advice": {
        "en": "Whether to buy, sell or hold a particular investment is your decision, and I can't make it for "
              "you: that would be personal advice, which takes a licensed adviser who knows your whole situation "
              "(goals, savings, debts, how much loss you can bear). I'm an automated assistant. What I can do is "
              "share what our research says matters here.",
        "zh": "是否买入、卖出或持有某项具体投资，是您自己的决定，我不能替您做：那属于个性化投资建议，"
              "需要由了解您全部情况（目标、储蓄、负债、可承受的亏损）的持牌投资顾问提供。我是自动化助手，可以分享研究资料中与此相关的要点。",
    },
    "prediction": {
        "en": "Nobody can reliably predict prices or pick the right moment to buy, and I don't make forecasts or "
              "price targets: the decision, and its timing, stay yours. Here is what our research says about "
              "the risks involved.",
        "zh": "没有人能够可靠地预测价格或择时买卖，我也不做行情预测或给出目标价位："
              "是否买卖以及何时买卖，都由您自己决定。以下是研究资料中关于相关风险的介绍。",
    },
    "injection": {
        "en": "I can't set my rules aside or change how I work. Ask me about investing and I'll answer from our "
              "research, with sources and a risk label.",
        "zh": "我不能放弃自己的规则或改变工作方式。欢迎就投资知识提问，我会依据研究资料作答，并注明来源和风险等级。",
    },
    "off_topic": {
        "en": "I only help with investing and personal-finance education, so I'll leave that one. Ask me about "
              "funds, risk, diversification, scams and more (/help).",
        "zh": "我只提供投资与理财方面的投资者教育，这个问题就不回答了。"
              "欢迎询问基金、风险、分散投资、防范骗局等话题（/help）。",
    },
    "quote_hint": {
        "en": "Prices come from market data, not from research notes: use /quote SYMBOL (for example /quote AAPL) "
              "or /chart SYMBOL.",
        "zh": "价格来自行情数据而非研究资料：请使用 /quote 代码（例如 /quote AAPL）或 /chart 代码。",
    },
    "portfolio_hint": {
        "en": "Your portfolio is private: in a private chat with me, /portfolio add SYMBOL QTY records a holding and "
              "/portfolio snapshot shows its value, P&L and risk.",
        "zh": "持仓属于个人隐私：请在与我的私聊中使用 /portfolio add 代码 数量 记录持仓，"
              "/portfolio snapshot 查看市值、盈亏与风险。",
    },
    "questionnaire_invite": {
        "en": "To see which risk levels suit you, take the short risk questionnaire in a private chat (/profile).",
        "zh": "如需了解哪些风险等级适合您，请在私聊中完成简短的风险测评问卷（/profile）。",
    },
    "suitability_none": {
        "en": "You haven't taken the risk questionnaire, so this answer is general. Take it in a private chat "
              "(/profile) to get answers matched to your risk profile.",
        "zh": "您尚未完成风险测评，以下内容仅为一般性介绍。"
              "请在私聊中完成风险测评（/profile），以获得与您风险等级匹配的提示。",
    },
    "suitability_ok": {
        "en": "This topic ({risk}) is within your risk profile ({level}).",
        "zh": "该主题的风险等级（{risk}）在您的风险承受等级（{level}）范围内。",
    },
    "suitability_warn": {
        "en": "Warning: this topic is rated {risk}, above your risk profile {level} (suited to {allowed}). "
              "Products at this level can lose more than you said you can tolerate; make sure you understand "
              "and accept that risk before going further.",
        "zh": "风险警示：该主题的风险等级为{risk}，高于您的风险承受等级{level}（适合{allowed}）。"
              "此类产品的亏损可能超出您所能承受的范围，请在充分理解并愿意承担该风险后再作决定。",
    },
    "suitability_education_only": {
        "en": "Your risk profile is {level}, the most protected category, and this topic is rated {risk}: I can "
              "only share general education about it, not how to use it.",
        "zh": "您的风险承受等级为{level}（最审慎的类别），而该主题的风险等级为{risk}："
              "我只能提供一般性的投资者教育内容，不能介绍具体的操作方式。",
    },
    "suitability_confirmed": {
        "en": "This topic is rated {risk}, above your risk profile {level}; you confirmed that you understand and "
              "accept that risk.",
        "zh": "该主题的风险等级为{risk}，高于您的风险承受等级{level}；您已确认理解并愿意承担该风险。",
    },
    "confirm_button": {"en": "I understand this risk", "zh": "我已了解该风险"},
    "confirm_done": {
        "en": "Noted: you confirmed that you understand topics rated {risk} are above your risk profile. This "
              "confirmation is recorded; taking the questionnaire again clears it.",
        "zh": "已记录：您确认理解风险等级为{risk}的主题高于您的风险承受等级。该确认已存档；重新测评后将清除。",
    },
    "private_note_sent": {
        "en": "I have sent you a private note (open a chat with me if you did not get it).",
        "zh": "我已私信您一条提示（如未收到，请先与我开启私聊）。",
    },
    "suitability_group": {
        "en": "This topic is rated {risk}. Whether that suits you depends on your risk profile: check it privately "
              "(/profile).",
        "zh": "该主题的风险等级为{risk}。是否适合您取决于您的风险承受等级，请在私聊中查看（/profile）。",
    },
    "education_only_note": {
        "en": "These products are outside your risk profile.",
        "zh": "此类产品超出您的风险承受范围。",
    },
    "balance": {
        "en": "Any potential gain comes with the risk of loss, including loss of principal.",
        "zh": "任何潜在收益都伴随着亏损风险，包括本金损失。",
    },
    "past_performance": {
        "en": "Past performance does not predict future results.",
        "zh": "过往业绩不预示未来表现。",
    },
    "sources": {"en": "Sources", "zh": "资料来源"},
    "risk": {"en": "Risk", "zh": "风险等级"},
    # -- market briefings (advisor.briefing.compose) --------------------------------------------------
    "brief_header": {"en": "**{market} briefing** · {date} {weekday}", "zh": "**{market}简报** · {date} {weekday}"},
    "brief_weekdays": {"en": "Mon Tue Wed Thu Fri Sat Sun", "zh": "周一 周二 周三 周四 周五 周六 周日"},
    "brief_market_US": {"en": "US stocks", "zh": "美股"},
    "brief_market_HK": {"en": "Hong Kong stocks", "zh": "港股"},
    "brief_market_CN": {"en": "China A-shares", "zh": "A股"},
    "brief_market_UK": {"en": "UK stocks", "zh": "英国股市"},
    "brief_market_EU": {"en": "Euro-area stocks", "zh": "欧元区股市"},
    "brief_indices": {"en": "**Indices**", "zh": "**主要指数**"},
    "brief_watchlist": {"en": "**Watchlist movers**", "zh": "**关注列表涨跌**"},
    "brief_unavailable": {"en": "{name}: data unavailable", "zh": "{name}：暂无数据"},
    "brief_no_change": {"en": "change not available", "zh": "涨跌幅暂缺"},
    "brief_more": {"en": "…and {count} more with smaller moves", "zh": "……另有 {count} 个代码变动较小"},
    "brief_stale": {"en": "(stale)", "zh": "（数据可能过时）"},
    "brief_stale_note": {
        "en": "Stale: the source could not be reached, so those are the last prices I have.",
        "zh": "数据可能过时：暂时无法连接数据源，标注处为最近一次获取的价格。",
    },
    "brief_provenance": {"en": "{source}, as of {moment}", "zh": "{source}，截至 {moment}"},
    "brief_data": {"en": "Data: {provenance}.", "zh": "数据：{provenance}。"},
    "brief_outage": {
        "en": "Market data is unavailable right now ({reason}); no prices in this briefing.",
        "zh": "行情数据暂时无法获取（{reason}），本简报不含价格。",
    },
    "brief_spotlight": {
        "en": "**Spotlight** — {mover} moved {move}, the biggest move in this briefing. From our research on "
              "{topic}: \"{excerpt}\" [1] {citation}",
        "zh": "**研究聚焦** — {mover}变动{move}，是本简报中变动最大的一项。我们关于{topic}的研究资料写道："
              "「{excerpt}」[1] {citation}",
    },
    "brief_topic_index": {"en": "market-wide moves", "zh": "市场整体波动"},
    "brief_topic_stock": {"en": "single-stock risk", "zh": "个股风险"},
    "brief_topic_etf": {"en": "funds and ETFs", "zh": "基金与ETF"},
    "brief_topic_crypto": {"en": "crypto assets", "zh": "加密资产"},
    "brief_topic_leveraged": {"en": "leveraged and complex products", "zh": "杠杆与复杂产品"},
    "brief_topic_fx": {"en": "currency risk", "zh": "汇率风险"},
    "brief_risk": {"en": "**Risk** — {risk}", "zh": "**风险提示** — {risk}"},
    "brief_risk_index": {"en": "Stock indices carry broad equity market risk (R4).",
                         "zh": "股票指数承担整体股票市场风险（R4）。"},
    "brief_risk_etf": {"en": "Funds and ETFs fall with the markets they hold (R3-R4).",
                       "zh": "基金与ETF会随其所持市场一同下跌（R3-R4）。"},
    "brief_risk_stock": {"en": "Single shares can swing far more than an index (R4-R5, depending on their "
                                "volatility).",
                         "zh": "个股的波动可能远大于指数（R4-R5，视其波动率而定）。"},
    "brief_risk_fx": {"en": "Exchange rates can move sharply and add currency risk to foreign holdings (R3).",
                      "zh": "汇率可能大幅波动，为境外资产带来汇率风险（R3）。"},
    "brief_risk_crypto": {"en": "Crypto assets are R5 whatever their history: extreme swings, custody and fraud "
                                 "risks.",
                          "zh": "加密资产无论历史表现如何均为R5：波动极大，并有托管与欺诈风险。"},
    "brief_risk_leveraged": {"en": "Leveraged funds, options and futures are R5: losses can exceed the "
                                    "underlying's.",
                             "zh": "杠杆基金、期权与期货均为R5：亏损可能超过标的本身。"},
    "brief_risk_close": {"en": "One day's move is no guide to the next, and prices can fall as well as rise.",
                         "zh": "单日涨跌并不预示后市，价格可升可跌。"},
}

# Readable index names in Chinese (English names come from ``advisor.briefing.markets``).
INDEX_NAMES_ZH: dict[str, str] = {
    "^GSPC": "标普500指数", "^IXIC": "纳斯达克综合指数", "^DJI": "道琼斯工业平均指数", "^HSI": "恒生指数",
    "^HSCE": "恒生中国企业指数", "000001.SS": "上证综合指数", "399001.SZ": "深证成份指数", "000300.SS": "沪深300指数",
    "^FTSE": "富时100指数", "^FTMC": "富时250指数", "^STOXX50E": "欧洲斯托克50指数", "^GDAXI": "德国DAX指数",
    "^FCHI": "法国CAC 40指数",
}

RISK_REASONS: dict[str, dict[Language, str]] = {
    "deposits": {"en": "deposits, money-market funds and government bills: very low risk of loss",
                 "zh": "存款、货币基金和国债：亏损风险很低"},
    "emergency": {"en": "cash reserves and planning basics: very low risk",
                  "zh": "应急资金与理财规划基础：风险很低"},
    "protection": {"en": "investor protection and safeguards: educational topic",
                   "zh": "投资者保护：教育类主题"},
    "high_yield": {"en": "high-yield (junk) bonds: real default risk, prices can fall sharply in downturns",
                   "zh": "高收益债（垃圾债）：违约风险较高，经济下行时价格可能大幅下跌"},
    "bonds": {"en": "bonds: interest-rate and credit risk, prices can fall",
              "zh": "债券：存在利率风险和信用风险，价格可能下跌"},
    "diversified": {"en": "diversified portfolios and allocation: market risk, spread across assets",
                    "zh": "分散化组合与资产配置：存在市场风险，但风险分散于多类资产"},
    "suitability": {"en": "risk profiling and suitability: educational topic",
                    "zh": "适当性与风险测评：教育类主题"},
    "funds": {"en": "stock funds and ETFs: full exposure to market falls",
              "zh": "股票基金与ETF：完全承受市场下跌风险"},
    "equities": {"en": "individual shares: company and market risk, large drawdowns possible",
                 "zh": "个股：公司风险与市场风险，可能出现大幅回撤"},
    "ipo": {"en": "new listings: little price history, high volatility",
            "zh": "新股：价格历史短，波动大"},
    "cross_border": {"en": "cross-border trading: currency, rule and liquidity risks on top of market risk",
                     "zh": "跨境交易：在市场风险之外还有汇率、规则和流动性风险"},
    "leveraged_etf": {"en": "leveraged or inverse ETF: daily reset, losses can exceed the index's",
                      "zh": "杠杆或反向ETF：每日重置，亏损可能超过指数本身"},
    "options": {"en": "options and futures: leverage and expiry, you can lose the whole premium or more",
                "zh": "期权与期货：杠杆与到期机制，可能损失全部权利金甚至更多"},
    "margin": {"en": "margin and leverage: losses are magnified and can exceed your money",
               "zh": "融资融券与杠杆：亏损被放大，可能超过本金"},
    "short": {"en": "short selling: losses are unlimited in theory",
              "zh": "卖空：理论上亏损没有上限"},
    "crypto": {"en": "crypto assets: extreme volatility, custody and fraud risks",
               "zh": "加密资产：波动极大，存在托管与欺诈风险"},
    "scams": {"en": "scams and pump-and-dump schemes: total loss is likely",
              "zh": "骗局与拉高出货：很可能血本无归"},
    "general": {"en": "general investing topic: market risk applies",
                "zh": "一般投资主题：存在市场风险"},
    "evidence": {"en": "rated {level} by the research cited",
                 "zh": "所引研究资料评定为{level}"},
    # G1: a label computed from data says which data, which window and as of when.
    "prices": {"en": "{symbol}: SRRI {srri}, from a price volatility of {volatility:.1%} a year over {window} "
                     "({source}, as of {as_of})",
               "zh": "{symbol}：年化价格波动率{volatility:.1%}（{window}），SRRI为{srri}（{source}，截至{as_of}）"},
}


# What to teach when a member asks for a trade call or a prediction about a topic (riskiest topic wins).
EDUCATION_QUERIES: dict[str, dict[Language, str]] = {
    "equities": {"en": "risks of concentrating in individual shares and why diversification matters",
                 "zh": "个股集中持仓风险 分散投资"},
    "crypto": {"en": "crypto assets volatility custody and scams", "zh": "加密资产 波动 骗局 风险"},
    "leveraged_etf": {"en": "how leveraged ETFs lose value over time", "zh": "杠杆ETF 每日重置 风险"},
    "options": {"en": "options basics and risks", "zh": "期权 风险"},
    "margin": {"en": "margin calls and leverage losses", "zh": "融资融券 强制平仓 亏损放大"},
    "short": {"en": "short selling risks", "zh": "卖空 融券 风险"},
    "ipo": {"en": "risks of buying IPOs", "zh": "新股 风险"},
    "cross_border": {"en": "Stock Connect currency and trading risks", "zh": "港股通 汇率风险 交易规则"},
    "funds": {"en": "index funds ETFs fees and risks", "zh": "指数基金 费用 风险"},
    "scams": {"en": "pump and dump scam warning signs", "zh": "荐股骗局 杀猪盘 警示信号"},
    "general": {"en": "risk tolerance suitability and diversification", "zh": "投资者适当性 风险承受 分散投资"},
}


# What a briefing's spotlight searches for: the kind of thing that moved most, and which way it moved. Tuned on
# the bundled notes with both the hybrid and the in-memory retriever (a fall finds volatility-and-drawdowns).
BRIEFING_QUERIES: dict[str, dict[Language, str]] = {
    "index_down": {"en": "stock market falls: volatility, drawdowns and recovery time",
                   "zh": "股市指数 下跌 市场波动 回撤 分散投资"},
    "index_up": {"en": "market volatility, drawdowns and staying diversified",
                 "zh": "股市指数 上涨 波动 分散投资 风险"},
    "stock_down": {"en": "single stock falls: concentration risk in one company's shares",
                   "zh": "个股 下跌 集中持仓 风险"},
    "stock_up": {"en": "single stock gains and concentration risk in one company's shares",
                 "zh": "个股 上涨 集中持仓 风险"},
    "etf_down": {"en": "index funds and ETFs fall with their market: risks of funds", "zh": "指数基金 ETF 下跌 风险"},
    "etf_up": {"en": "index funds and ETFs: diversification, fees and market risk", "zh": "指数基金 ETF 费用 风险"},
    "crypto_down": {"en": "crypto assets price crashes, volatility and custody risk",
                    "zh": "加密资产 比特币 价格波动 风险"},
    "crypto_up": {"en": "crypto assets price swings, volatility, hype and scams",
                  "zh": "加密资产 比特币 价格波动 风险"},
    "leveraged_down": {"en": "leveraged and inverse ETFs losses, daily reset and volatility decay",
                       "zh": "杠杆 ETF 亏损 每日重置 风险"},
    "leveraged_up": {"en": "leveraged and inverse ETFs daily reset risk", "zh": "杠杆 ETF 每日重置 风险"},
    "fx_down": {"en": "currency exchange rate risk for foreign investments", "zh": "汇率风险 境外投资"},
    "fx_up": {"en": "currency exchange rate risk for foreign investments", "zh": "汇率风险 境外投资"},
}


def education_query(topic: str | None, language: Language) -> str:
    return EDUCATION_QUERIES.get(topic or "general", EDUCATION_QUERIES["general"])[language]


def message(key: str, language: Language, **values: object) -> str:
    return MESSAGES[key][language].format(**values)


def risk_reason(key: str, language: Language, **values: object) -> str:
    return RISK_REASONS[key][language].format(**values)


def briefing_query(kind: str, direction: str, language: Language) -> str:
    """What a briefing's spotlight searches for when a ``kind`` ("index", "stock"...) moved ``direction``."""
    return BRIEFING_QUERIES[f"{kind}_{direction}"][language]
