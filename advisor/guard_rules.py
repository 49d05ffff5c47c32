"""What the guard blocks: one rule per behaviour (G2 promise, G3 forecast, G5 trade call, G8 testimonial).

Patterns read ``advisor.text.normalise`` output: lower case, ASCII letters, straight apostrophes, single
spaces, no spaces between Chinese characters, ASCII punctuation (full-width "，" is ","). Quotations are
already cut out, and ``advisor.guard`` drops matches that a warning or negation in the same clause excuses
(``advisor.guard_exemptions``); a rule only says what the behaviour looks like. Each rule has two tiers:

- ``patterns`` are a violation wherever they match;
- ``unless_conditional`` are a violation unless the statement is a general "if/when" statement that names
  no particular asset: "if rates rise, bond prices will fall" teaches how bonds work, while "bond prices
  will fall" on its own, or "if the ETF is approved, bitcoin will rally", is a forecast.

Every line carries an example of what it catches; the red-team file tests/data/guard_redteam.jsonl has more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class Rule:
    """One behaviour an answer must not show; ``rule_id`` is what the audit log records."""

    rule_id: str  # "G3 forecast"
    name: str  # "forecast"
    doc: str
    patterns: tuple[re.Pattern[str], ...]
    unless_conditional: tuple[re.Pattern[str], ...] = ()


# --- vocabulary shared by the rules -----------------------------------------------------------------------
NUMBER = r"[$¥€£]?\d[\d,.]*(?:\s?(?:k|m|bn|%|percent|points?|dollars?))?"
ZH_NUMBER = r"[\d一二三四五六七八九十百千万亿两.]+"
# "Will", "is going to", "is set to" ..., and the adverbs that may follow ("will easily triple").
FUTURE = _any(r"will", r"'ll", r"gonna", r"should", r"(?:(?:is|are|'s|'re) )?" + _any(
    r"going to", r"set to", r"poised to", r"bound to", r"sure to", r"certain to", r"expected to", r"likely to",
    r"about to", r"on track to"))
ADVERB = (r"(?: (?:easily|definitely|surely|certainly|probably|likely|soon|quickly|only|always|never|strongly|"
          r"continue to|keep|at least|still|then|eventually|finally|really|massively|further|also))*")
# Chinese future modals, minus the words they hide in: 需要/只要/不要 (need, only if, don't), 可能/才能 (may).
ZH_MODAL = r"(?:(?<!不)会|将会|(?<!即)将|(?<![需只不想主重])要|(?<![可不才])能|有望|还会|就会|至少|起码)"
# Moves of a price, a market or a return. "Double" counts only without an object ("will double the index's
# daily move" is how a 2x fund works); "outperform its index" is about tracking, not a view.
DIRECTION = _any(
    r"rise", r"climb", r"rally", r"jump", r"spike", r"fall", r"drop", r"decline", r"sink", r"slide", r"slump",
    r"rebound", r"recover", r"bounce(?: back)?", r"flip", r"top", r"exceed", r"reach", r"hit", r"go to", r"be worth",
    r"weaken", r"strengthen", r"appreciate", r"depreciate", r"gain \d", r"lose \d",
    r"go (?:up|down|higher|lower)", r"head (?:higher|lower)", r"move (?:higher|lower)",
    r"keep (?:rising|climbing|falling|going)", r"break (?:out|through|above|below)", r"trade (?:above|below|at)",
    r"(?:outperform|underperform|beat)(?! (?:its|their) (?:index|benchmark))(?: (?:the|its)? ?[\w&]+)?",
    r"(?:double|triple|quadruple)(?! (?:the|your|its|their|a|an|his|her|our|any|every|each|that|this|these|those)\b)",
    rf"(?:finish|end|close) (?:the (?:year|month|week|quarter) )?(?:at|above|below|near) {NUMBER}",
    r"(?:finish|end|close) (?:the (?:year|month|week|quarter) )?(?:higher|lower|up|down)")
# Moves only a promoter describes this way: no "if" turns "will skyrocket" into teaching.
HYPE = _any(r"soar", r"skyrocket", r"explode", r"moon", r"rocket", r"surge", r"crash", r"plunge", r"tank", r"collapse",
            r"crater", r"rip(?: higher)?", r"fly", r"pump", r"\d+x", r"go parabolic", r"take off", r"blow up")
# A time window makes a gain or loss a forecast: "will gain 15% this year".
HORIZON = _any(
    r"tomorrow", r"today", r"tonight", r"soon", r"shortly", r"from here", r"after earnings", r"in 20\d\d", r"by 20\d\d",
    r"(?:this|next|the coming) (?:week|month|year|quarter|decade|summer|winter|spring|autumn|cycle|half)",
    r"in the (?:second|first) half", r"over the (?:next|coming)", r"in the (?:next|coming)",
    r"by (?:\w+ )?(?:january|february|march|april|may|june|july|august|september|october|november|december|summer|"
    r"christmas|year[ -]end|the end of|20\d\d|friday|monday|next)",
    r"before (?:the end of|year[ -]end|christmas|20\d\d)",
    r"within (?:days|weeks|months|a year|\w+ (?:days|weeks|months|years))",
    r"in (?:\d+|a|two|three|four|five|six|a few) (?:days|weeks|months|years)")
# Named assets: a conditional about one of these is still a forecast. Tickers in capitals are found by
# ``advisor.guard_exemptions.TICKER`` in the original text.
NAMED_ASSET_WORDS = _any(
    r"bitcoin", r"btc", r"ether(?:eum)?", r"eth", r"dogecoin", r"doge", r"solana", r"xrp", r"tesla", r"nvidia",
    r"apple", r"microsoft", r"amazon", r"alphabet", r"google", r"netflix", r"palantir", r"gamestop", r"gold",
    r"silver", r"oil", r"yuan", r"renminbi", r"euro", r"yen", r"sterling")
ZH_NAMED_ASSET = _any(r"比特币", r"以太坊", r"狗狗币", r"茅台", r"英伟达", r"特斯拉", r"腾讯", r"宁德时代", r"比亚迪",
                      r"苹果", r"黄金")
NAMED_ASSET = re.compile(r"\$[a-z]{1,5}\b|\b" + NAMED_ASSET_WORDS + r"\b|" + ZH_NAMED_ASSET)
# What a call or a testimonial is about: a named asset or "this one".
ZH_THIS_ASSET = _any(ZH_NAMED_ASSET, r"这只(?:股票|基金|币)", r"该股", r"这个币")

# --- G2 promise -------------------------------------------------------------------------------------------
# L1 (compliance notes), the promissory words themselves; ``promissory_words`` audits exactly these.
L1_EN = _any(
    r"\bguarantee(?:s|d|ing)?\b(?! investment certificates?)", r"\bguaranty\b",
    r"\brisk ?-? ?free\b(?! (?:interest )?rates?\b)",  # "the risk-free rate" is a term of finance
    r"\bcan'?t ?-?lose\b", r"\bcannot lose\b", r"\bcan not lose\b", r"\bsure thing\b", r"\briskless\b",
    r"\bdouble your (?:money|investment|savings|cash|capital)\b", r"\b(?:no|zero) ?-?risk\b(?! ?-? ?free)")
L1_ZH = _any(r"稳赚不赔", r"稳赚", r"保本", r"保收益", r"保证收益", r"零风险", r"必涨", r"翻倍",
             r"无风险(?!利率|收益率|利息|资产定价)")  # 无风险利率 is the risk-free rate
L1 = re.compile(L1_EN + "|" + L1_ZH)

PROMISE = Rule("G2 promise", "promise", """A promise that money cannot be lost or that a return is certain.

    The L1 words (guaranteed, risk-free, can't lose, sure thing, double your money, 稳赚, 保本, 零风险 ...)
    and what people write instead ("you cannot lose money", "your principal is 100% safe", "zero downside",
    "free money", 包赚, 亏不了, 本金绝对安全). A scare-quoted promise ('the fund is "guaranteed" to pay')
    is still one: the quotation is the predicate of the sentence, not something being shown.""",
    _compile(
        L1_EN,
        L1_ZH,
        r"\bnever lose\b(?! (?:sight|track|touch|hope|focus|heart))",  # you'll never lose
        r"\bno[ -]lose\b|\b(?:no way|impossible) to lose\b",  # a no-lose situation
        r"\b(?:no|zero|0%) (?:chance|risk|possibility)(?: of| that)?(?: a)?(?: you)?(?: will)?(?: ever)? "
        r"(?:loss|losing|lose)",  # zero chance you lose money
        r"\blos(?:s|ses|ing) (?:is|are) (?:simply |just |practically |virtually )?(?:not possible|impossible)\b",
        r"\b(?:no|zero) downside\b|\bfree money\b|\bnothing can go wrong\b|\bsure (?:bet|win)\b",
        r"\bno way (?:this|it|you|we|that) (?:can |could |will )?(?:goes? wrong|fails?|loses?)\b",
        r"\bnothing to lose (?:and|but) (?:everything|a lot|much) to gain\b",
        r"\b(?:profits?|returns?|gains?|income|payouts?|yields?) (?:are |is )?(?:certain|assured|locked in|secured)\b",
        r"\b(?:profits?|returns?|gains?|income|payouts?|yields?)\b.{0,30}? (?:is|are) (?:virtually|almost|practically|"
        r"basically|essentially|all but|100%) (?:certain|assured|guaranteed)\b",  # returns ... are virtually certain
        r"\bnever at risk\b|\bcan'?t go wrong\b|\bcannot go wrong\b|\bcan not go wrong\b",
        r"\bassured (?:of|returns?|profits?|income)\b",  # you are assured of 9% a year
        r"\b100 ?(?:%|percent) (?:safe|sure|certain|secure|risk)",  # 100% safe
        r"\b(?:capital|principal|money|savings|investment|deposit)s? (?:is|are|stays?|remains?) (?:fully|completely|"
        r"totally|100 ?%|absolutely|perfectly) (?:protected|safe|secure)",  # your capital is fully protected
        r"\b(?:money|capital|principal) is (?:safe|protected) (?:here|with (?:us|this|me))",
        r"\b(?:will|'ll) (?:definitely|certainly|surely|100%) (?:make|earn|profit|win|get rich)",
        r"\b(?:will|'ll) make you (?:rich|wealthy|a fortune|money)\b|\bthat'?s a promise\b",
        r"\b(?:i|we) promise (?:that )?you(?:'ll| will)? (?:make|earn|get|profit|win|double)",
        r"\b(?:certain|sure|bound) to (?:pay off|make money|profit|win)\b",
        r"\bwill never (?:have|see|post|suffer) a (?:down|losing|negative|bad) (?:year|quarter|month|day)\b",
        r"\b(?:nobody|no one|none of (?:our|my|the) (?:clients|members|customers|investors|users))(?: has| have)?"
        r"(?: ever)? lost (?:money|a (?:cent|penny|dime)|a single)",  # nobody has ever lost money with us
        # Scare quotes: the fund is "guaranteed" to pay.
        r"\b(?:is|are) \ue000 to (?:pay|return|deliver|double|give|earn|yield|make|work|grow)",
        # Chinese: cannot lose, certain returns, safe principal.
        r"(?:绝不|从不|永不|不会)(?:亏损|亏|赔)|(?:绝对|肯定|保证)?不(?:会|可能)(?:亏|赔)|亏不了|赔不了|只赚不赔",
        r"包赚|包赢|稳赢|稳挣|躺赚|躺着(?:就能)?赚|买了?就(?:是|能)赚|不赚(?:全额)?退款|零损失|保息|保底收益",
        r"收益(?:是)?确定的|确定(?:性)?收益|不会有任何(?:风险|亏损|波动)|没有(?:任何)?风险|毫无风险",
        r"(?:百分百|100%)(?:盈利|赚|保本|安全|收益|回本)|(?:一定|肯定|保证|绝对)(?:能)?(?:赚钱|盈利|赚)",
        r"承诺(?:年化|投资|固定|最低)?(?:收益|回报|利率)|保证(?:赚钱|盈利|回报|本金|你|您|每月|每年|年化)",
        r"收益(?:绝对|一定)?有(?:保障|保证)|(?:收益|回报|利息|年化)率?(?:保证|确保|承诺)(?:在|达到|不低于|超过|有)",
        r"本金(?:绝对|百分百|完全|100%)安全|本金(?:绝对|完全|百分百)?有(?:保障|保证)|收益稳稳|稳稳(?:的)?(?:收益|赚|幸福)",
        r"只会多不会少|只多不少|只增不减",
    ),
)

# --- G3 forecast ------------------------------------------------------------------------------------------
FORECAST = Rule("G3 forecast", "forecast", """A claim about where a price, a market or a return is going.

    Future-tense moves ("stocks will rise over the next year", "Tesla is set to soar"), price targets
    ("will climb to $500", 目标价3000元), upside calls ("40% upside"), and the idioms (to the moon, only goes
    up, the bottom is in, 必涨, 肯定涨, 主升浪, 牛市要来了). Mechanics in the future tense are not forecasts
    ("the fund will charge a fee", "your order will be filled"), nor are general if/when statements that name
    no particular asset ("if rates rise, bond prices will fall").""",
    _compile(
        rf"\b{FUTURE}{ADVERB} ?(?:{HYPE})",  # Tesla is set to soar
        r"\b(?:could|might|may|can) (?:easily |potentially )?(?:\d+x|moon|skyrocket|explode|go parabolic)",
        r"\bto the moon\b|\bmooning\b",
        rf"\b(?:going|headed|heading) (?:for|to|towards?) {NUMBER}",  # TSLA is going to $400
        rf"\bto {NUMBER} (?:is (?:a lock|a given|inevitable|coming|happening|certain)|incoming|next)\b",
        rf"\b(?:price target|target price|price objective|fair value)s?\b.{{0,30}}?{NUMBER}",  # target price ... $260
        rf"\b\d[\d.]*\s?(?:%|percent) (?:upside|downside)\b|\bupside (?:of|to) {NUMBER}",  # 40% upside
        r"\b(?:poised|set|primed|ready|headed|heading|due|on track) for (?:a |an )?(?:\d+\s?% )?(?:big |huge |"
        r"massive |strong |sharp |major )?(?:rally|rise|gain|surge|crash|drop|fall|breakout|rebound|run|correction|"
        r"selloff)",  # poised for a 20% rally
        r"\bexpect (?:a |an )?(?:big |huge |massive |strong |sharp |major )?(?:rally|crash|correction|sell-?off|"
        r"rebound|surge|breakout|bull run|recovery) (?:in|for|on|this|next|soon)",  # expect a big rally in ...
        r"\bexpect (?:similar|the same|strong|steady|high|higher|continued|double-digit|consistent|solid|big|huge|"
        r"great|attractive|\d+ ?%) (?:returns?|gains?|performance|growth|profits?|upside)\b",  # expect similar returns
        r"\b(?:a |the )?(?:crash|correction|rally|bull run|bull market|bear market|recession|sell-?off|squeeze|"
        r"breakout) (?:is|are) (?:coming|imminent|around the corner|on (?:its|the) way|inevitable|due)\b",
        r"\b(?:can|will|does|do|it|they) only (?:go up|grow|rise|increase|gain|climb)\b|\bonly (?:goes|go|going) up\b",
        r"\bonly (?:rises?|goes higher)\b|\bthe only way is up\b|\b(?:has|have) bottomed\b|\bthe bottom is in\b",
        r"\broom to (?:run|rise|grow|climb)\b",  # the stock has room to run
        # We see gold trading at $2,800.
        rf"\b(?:i|we|analysts?) (?:see|expect|forecast|project|predict)s? [\w$&. -]{{1,30}}? (?:trading|reaching|"
        rf"hitting|at|hit|reach|trade) (?:at |above |below |near )?{NUMBER}",
        rf"\b{FUTURE} be (?:the )?(?:best|top|worst|biggest|strongest) (?:performers?|performing|winners?|losers?|"
        r"investments?|trades?|assets?)\b",  # will be the best performers of the decade
        rf"\b(?:i|we) (?:predict|forecast|expect|think|believe|bet|reckon|am confident|are confident|'m confident|"
        rf"'re confident)(?: that)? .{{0,40}}{FUTURE}{ADVERB} (?:{DIRECTION}|{HYPE}|gain|lose)",  # we predict ...
        r"\b(?:next|this|the coming) (?:year|month|week|quarter|decade) (?:will|is going to) be (?:a )?(?:great|"
        r"good|huge|big|strong|bad|terrible|record|bumper|banner) (?:year|month|week|quarter|decade) for",
        # Chinese: targets, certainty words and market idioms are forecasts whatever the grammar.
        rf"(?:目标价|目标位|上看|下看|剑指)(?:位|格)?(?:为|是|在|到)?\s*{ZH_NUMBER}",  # 目标价3000元
        r"(?:肯定|一定|必然|必定|绝对|铁定|注定|必将|势必|准定)(?:会|要|能)?(?:大|暴|继续)?(?:涨|跌|上涨|下跌|反弹|翻倍|"
        r"突破|破|站上|起飞|崩盘)",  # 肯定涨, 一定会反弹
        r"必跌|只涨不跌|稳涨|跌不下去|跌不了|只会涨|不可能跌",
        r"(?<!了)翻[\d一二三四五六七八九十两几百]+倍",  # 翻十倍 (翻了一倍 is history)
        r"(?:上涨|上升)?空间(?:至少|起码)?还?有[\d一二三四五六七八九十两几百]+(?:倍|%|成)",  # 上涨空间至少还有一倍
        r"(?:至少|起码|还有|仍有)[^,。]{0,4}\d+%?的?(?:涨幅|上涨空间|空间|跌幅)",  # 至少还有50%的涨幅
        r"(?:即将|马上|很快|就要)(?:迎来|开启|进入)(?:大|一波|新一轮)?(?:主升浪|牛市|大行情|暴涨|拉升|反弹|崩盘|暴跌)|主升浪",
        r"(?:牛市|熊市|大行情|崩盘|暴跌|暴涨)(?:就)?(?:要|即将|马上)?来(?:了|临)",  # 牛市要来了
        r"(?:要|就要|即将|马上)(?:崩盘|起飞|暴涨|暴跌)",  # 马上要起飞了
        # 我们看涨英伟达; 看涨期权 (a call option) is a term.
        r"(?:我|我们|本人|笔者|老师)(?:坚定|强烈|继续|依然)?(?:看涨|看多|看好|看空|看跌)(?!期权|合约)",
    ),
    unless_conditional=_compile(
        rf"\b{FUTURE}{ADVERB} ?(?:{DIRECTION})(?! (?:and|or) (?:down|up|fall|rise|lose))",  # stocks will rise
        rf"\b(?:will|'ll|won't|will not){ADVERB} (?:gain|lose|return|deliver|yield|be (?:up|down))\b.{{0,40}}{HORIZON}",
        rf"\b{FUTURE}{ADVERB} (?:climb|rise|fall|drop|go|run|rally|jump|head|move|trade|reach|hit|top|break|exceed|"
        rf"touch|cross|end the year|close|be worth|be at)\w* (?:to |at |above |below |past |through |over |under )?"
        rf"(?:around |about |at least |over |near )?{NUMBER}",  # will climb to $500
        rf"\b{FUTURE}{ADVERB} (?:push|send|drive|take|lift|drag|propel|carry)\w* (?:[\w$&.-]+ ){{1,3}}(?:to|above|"
        rf"below|past) {NUMBER}",  # will push gold to $3,500
        rf"\bexpect(?:s|ed|ing)? (?:[\w$&.-]+ ){{1,4}}to (?:{DIRECTION}|{HYPE})",  # expect NVDA to reach $200
        r"\b(?:is|are|'s|'re) (?:heading|headed|going|moving|on (?:its|their) way) (?:higher|lower|up|down)\b",
        r"\b(?:can'?t|cannot|won'?t|will not|will never|never) (?:go down|fall|drop|lose value)\b",  # can't go down
        # Chinese: a future modal (会, 将, 有望 ...) with a move; 同涨同跌, 有涨有跌, 涨跌幅 describe both ways.
        ZH_MODAL + r"(?:在)?[^,。;]{0,8}?(?<![同有随])(?:大涨|暴涨|上涨|涨|大跌|暴跌|下跌|跌|翻倍|反弹|回升|拉升|"
        r"起飞|新高|涨停|走高|走低|贬值|升值|突破)(?![跌幅停板])(?!还是)",  # 明年A股会大涨
        ZH_MODAL + r"[^,。;]{0,8}?翻[\d一二三四五六七八九十两几]+倍",  # 下个月会翻两倍
        ZH_MODAL + rf"(?:涨|跌|升|降|冲|回|贬值|升值|上涨|下跌|突破|站上|跌破|达到|超过)(?:到|至|破|上)?\s*{ZH_NUMBER}",
    ),
)

# --- G5 trade call ----------------------------------------------------------------------------------------
# Trading verbs after "you should", "investors should", "I recommend" ...; not when what follows makes it
# general advice ("should hold enough cash", "should buy only what they understand").
TRADE_VERB = (_any(r"buy", r"sell", r"short", r"dump", r"grab", r"own", r"hold", r"load up", r"get (?:in|into|out)",
                   r"pile into", r"go all in", r"go long", r"take profits?", r"accumulate", r"add", r"put", r"move",
                   r"switch", r"ape into", r"double down", r"average down", r"pick up", r"picking up", r"rotate")
              + r"(?:ing)?(?! (?:only|what|when|if|enough|cash|some cash|an emergency|a diversified|a mix|a range|"
                r"a balanced|diversified))")
# Imperatives ("Buy VTI", not "a buy order", "buy-and-hold investors", "whether to buy, sell or hold").
IMPERATIVE = _any(
    r"buy(?:ing)? more", r"sell more", r"keep buying", r"keep selling", r"hodl", r"accumulate", r"dump", r"grab",
    r"(?:start|consider|try|begin|think about) (?:buying|selling|shorting|accumulating|adding|loading)",
    r"(?:buy|sell)(?![ -]*(?:orders?|side|signals?|-|and[ -]hold (?:investors?|strateg|approach|investing)|,| or | and "
    r"(?:sell|buy)))",
    r"short(?![ -](?:selling|sellers?|positions?|interest|squeeze|term|-term|sale))",
    r"load up", r"get (?:into|out of|in on)", r"pile into", r"go all[ -]in", r"go (?:long|short)", r"ape into",
    r"hold on ?to", r"hold (?:it|them|these|those) (?:for|until|forever|long)", r"take profits? on",
    r"rotate (?:out of|into|from)",
    r"back (?:up )?the truck", r"double down on", r"average down on", r"switch (?:from [\w ]{1,20} )?(?:to|into)",
    r"(?:move|put) (?:your|all|everything|every)\b.{0,30}? (?:into|in)\b",  # put your savings into QQQ
    r"(?:put|move|invest|park|allocate|throw) (?:(?:at least|up to|about|half|all|most|some|\d+ ?%|a third|"
    r"everything)(?: of)? )*(?:your )?(?:\w+ )?(?:portfolio|money|savings|cash|funds|capital|net worth|paycheck|"
    r"salary)\b.{0,10}? (?:into|in|on)",  # put at least half your portfolio in Nvidia
    r"add (?:some |more )?[\w$.]{1,12} to your (?:portfolio|holdings|basket|account|position)")

TRADE_CALL = Rule("G5 trade call", "call", """Telling someone to trade, or saying what the speaker would trade.

    Imperatives ("Buy VTI and hold it forever", "Load up on bitcoin"), "you should buy", "I'd put everything
    into NVDA", "my top pick", "this is a buy", "now is the time to buy", 建议大家买入, 赶紧买入, 满仓, 梭哈,
    能买多少买多少. Teaching how orders work ("a buy order", "buy-and-hold investors", "selling a put obliges
    you ...") is not a call, and neither is a warning not to trade ("don't put all your savings into one
    stock", 不要满仓).""",
    _compile(
        # Imperatives open a clause, or follow ", " or an urging word ("just buy the dip").
        rf"^{IMPERATIVE}\b",
        rf", (?:so |then )?{IMPERATIVE}\b",
        rf"\b(?:just|now|simply|seriously|honestly|definitely|please|go ahead and) {IMPERATIVE}\b",
        rf"\byou(?:'d| had| would)? (?:should|must|need to|have to|ought to|better|gotta|'ve got to) (?:\w+ )?"
        rf"{TRADE_VERB}\b",  # you should buy TSLA now
        rf"\b(?:everyone|everybody|investors|people|you all|y'all|all of you|traders|holders) (?:should|must|needs? to|"
        rf"ought to|has to|have to) (?:\w+ )?{TRADE_VERB}\b",  # everyone should own some Tesla
        rf"\b(?:i|we) (?:strongly )?(?:recommend|suggest|advise|urge)(?: that)?(?: you)?(?: to)? {TRADE_VERB}\b",
        rf"\b(?:the )?(?:best|smartest|right|smart|only) (?:move|play|trade|thing to do|option|bet)(?: \w+){{0,3}} is "
        rf"to {TRADE_VERB}\b",  # the best move right now is to sell
        rf"\b(?:makes sense|is wise|is smart|would be wise|would be smart|is a good idea)(?: for you)? to "
        rf"{TRADE_VERB}\b",
        r"\b(?:crazy|foolish|mad) not to (?:buy|sell|own|get in)\b|\bcan'?t afford not to (?:buy|own)\b",
        r"\bi(?:'d| would) (?:\w+ )?(?:put|buy|sell|short|dump|go all in|load up|grab|get (?:in|into|out)|move|"
        r"switch|take profits)\b|\bif i were you\b",  # I'd put everything into NVDA
        r"\bmy (?:top |best |favou?rite |number one )?(?:pick|play|call|trade|bet)s? (?:for|is|are|right now|this)\b",
        r"\b(?:is|are|'s) (?:a|an) (?:strong |clear |screaming |no-brainer |must )?(?:buy|sell|must-buy|must-own)\b"
        r"(?![ -]*(?:orders?|side|signals?|ratings?))",  # NVDA is a strong buy
        r"\b(?:now|today|this)(?: is|'s| would be| could be| might be) (?:the|a) (?:\w+ )?(?:time|moment|chance|"
        r"opportunity|day|week) to (?:buy|sell|get in|load up|add)\b",  # now is the time to buy gold
        r"\b(?:it'?s|it is|this is) (?:a|the) (?:good|great|perfect|best|right) (?:time|moment|chance|opportunity|"
        r"entry point) to (?:buy|sell|get in|load up|add)\b",
        r"\b(?:i'm|im|i am|we're|we are) (?:buying|selling|shorting|loading up|adding|accumulating|going all in)\b",
        r"\b(?:i'm|im|i am|we're|we are) (?:going )?all[ -]in\b|\bfollow (?:me|my lead)\b|\byou should follow\b",
        r"\b(?:and )?so should you\b|\byou should (?:be |do )?(?:too|the same)\b",
        r"\bsmart money is (?:buying|selling|loading)\b|\b(?:is )?a no-brainer\b|\bis a steal\b",
        # Chinese: advice (not 不建议), urgency, all-in, what the speaker would do, hold calls.
        r"(?<!不)建议(?:大家|你|您|各位|投资者|朋友们|兄弟们)?(?:(?!了解|阅读|评估|谨慎|是否|根据|确认|先|再)[^,。]){0,10}?"
        r"(?:买入|买进|卖出|持有|加仓|减仓|清仓|抄底|入手|上车|梭哈|满仓|重仓|建仓|止盈|出货|跟进|做多|做空|配置|布局|低吸|抛售)",
        r"(?:赶紧|赶快|立即|立刻|马上|速速|务必|果断|尽快|现在就|今天就|(?<![快飞])快)[^,。]{0,8}?(?:买入?|卖出?|卖掉|抄底|"
        r"上车|进场|入场|加仓|清仓|建仓|梭哈|满仓|跑|出货|抛|追|跟进|入手)",  # 赶紧买入宁德时代
        r"满仓|梭哈|全仓(?:杀入|买入|干)|能买多少买多少|大家一起(?:买|冲|上)|(?:闭眼|放心|大胆)(?:买|入|上车|建仓|加仓|抄底)",
        r"买它|冲(?:啊|就完了|鸭)|干就完了|跟着我(?:投|买|做|操作|上)|(?:跟着(?:老师|我)?|现在)上车",
        r"(?:逢低|低位)(?:吸纳|买入|布局|加仓|建仓)|(?:强烈)?推荐(?:买入|持有|卖出|配置)|强烈推荐",
        r"(?:现在|此时|当下)(?:是|正是)?(?:抄底|买入|上车|进场|布局|入手|卖出|加仓|建仓|清仓|减仓)[^,。]{0,10}"
        r"(?:好时机|最佳时机|时机|时候|良机|机会)",  # 现在是买入港股的好时机
        r"(?:你|您|大家|各位)(?:应该|应当|必须|需要|得|要)(?:马上|立即|现在|尽快)?(?:买入|卖出|买|卖|抄底|加仓|清仓|上车)",
        r"(?:我|你|我们|大家)(?:会|就|要|应该|可以)?(?:现在)?把(?:所有|全部)(?:的)?(?:钱|资金|积蓄|存款|身家)(?:都)?"
        r"(?:投进|投入|砸进|押在|换成|买)",  # 我会把所有钱都投进英伟达
        r"(?:我|我们)(?:会|要|准备|打算|正在|已经)(?:现在|马上|今天|明天)?(?:买入|卖掉|卖出|清仓|加仓|抄底|满仓|梭哈)",
        r"换成我|如果我是你|要是我是你|换做是我|听我的|(?:全部|统统|通通)(?:卖掉|清仓|换成|买入)",
        r"(?:今天|明天|明早|周一|开盘|尾盘)[^,。]{0,4}?就(?:买入|卖出|清仓|加仓|抄底|满仓)",  # 明天一早就买入
        rf"(?:^|,)(?:继续)?(?:持有|拿住|捂住|拿好){ZH_THIS_ASSET}|(?:千万)?(?:别|不要)(?:卖|抛|割肉|下车)",  # 千万别卖
    ),
)

# --- G8 testimonial ---------------------------------------------------------------------------------------
MONEY_OBJECT = (r"(?:[$¥€£]?\d|money|a fortune|a killing|profits?|cash|bucks|grand|gains?|returns?|more|a lot|"
                r"enough|my |\w+ figures|thousands|millions)")
COMMUNITY = r"(?:members?|subscribers?|students?|clients?|followers?|community|users?|customers?|traders?)"
TESTIMONIAL = Rule("G8 testimonial", "testimonial", """Someone's own results held up as evidence.

    "I made 300% last year", "my portfolio doubled", "our members earned 40%", "John from our group retired
    at 40", 我去年赚了200%, 群里的会员平均收益40%, 感谢老师. Historical facts about a market ("investors who
    bought in 2009 earned ...") are not testimonials.""",
    _compile(
        rf"\b(?:i|we)(?:'ve| have| had)? (?:just |already |personally |literally |also |actually |been )?(?:made|"
        rf"earned|gained|pocketed|netted|banked|cleared|doubled|tripled|quadrupled|turned|raked in|profited|making|"
        rf"earning)\b.{{0,30}}?{MONEY_OBJECT}",  # I made 300%, we turned $1,000 into ...
        r"\bmy (?:\w+ )?(?:portfolio|account|returns?|profits?|gains?|investments?|savings|balance|net worth|stake|"
        r"position)s? "
        r"(?:has |have |had |was |were |is |are )?(?:\w+ )?(?:doubled|tripled|grew|gained|rose|jumped|soared|"
        r"went up|up|were|was|hit|reached|increased)\b",  # my portfolio doubled
        r"\b(?:i'm|i am|we're|we are) (?:already )?(?:up|in profit) (?:\d|big|huge|a lot)",  # I'm up 120%
        r"\bim up (?:\d|big|huge|a lot)",  # "im" is too short a piece to look for on its own
        rf"\b(?:our|my) (?:vip |group |channel |community |premium )?{COMMUNITY}(?: have| has| are| were)?(?: all)? "
        r"(?:earned|made|gained|pocketed|netted|up|profited|doubled|tripled|turned|won|retired)\b",  # our members
        r"\b(?:students|members|subscribers|clients|followers) (?:in|of|from) (?:our|my|this) (?:course|group|channel|"
        r"class|community|program|service)(?: have)? (?:made|earned|gained|pocketed|netted|doubled|tripled|profited)\b",
        r"\b(?:everyone|everybody|people|members|traders|folks|users) (?:in|from|of) (?:the|our|my|this) (?:channel|"
        r"group|community|class|course|chat|server)\b.{0,20}?\b(?:made|earned|gained|pocketed|profited|doubled|"
        r"tripled|won|(?:is|are) up)\b",
        r"\b(?:members|subscribers|followers|students|clients|users|people) who (?:followed|used|joined|took|bought)\b"
        r".{0,30}?\b(?:doubled|tripled|made|earned|gained|profited)\b",  # members who followed our alerts doubled
        r"\b\w+ from (?:our|my|this) (?:group|channel|community|class|course) (?:made|earned|retired|quit|doubled|"
        r"paid)\b",  # John from our group retired at 40
        r"\bthanks to (?:the|this|our|my)\b.{0,40}, (?:i|we)\b",  # thanks to the teacher's picks, I ...
        r"\b(?:made|earned|got|netted|won) (?:me|us) (?:[$¥€£]?\d|rich|a fortune|money)",  # made me $12,000
        r"\bi went from \w+ to (?:millionaire|rich|[$¥€£]?\d)",  # I went from broke to millionaire
        r"\bi (?:bought|got in|entered) (?:\w+ )?(?:at|around|near) [$¥€£]?\d",  # I bought at $10 and sold at $40
        r"\bi (?:retired|was able to retire|became a millionaire)\b",
        r"\bi (?:personally )?(?:own|hold|bought|am holding|have been holding) .{0,20}\b(?:and|it) (?:it )?(?:changed|"
        r"made|paid)\b|\b(?:changed my life|paid off my (?:mortgage|debt|house|loan)|quit my job)\b",
        # Chinese: first-person gains, members' gains, thanks to the "teacher".
        r"我(?:去年|今年|上个?月|上周|已经|也|终于|靠|用|跟着)?[^,。]{0,10}?(?:赚了|赚到|挣了|盈利了|回本|赚了一倍|翻了)",
        # 我跟着群里买了三只票，全都涨停了
        r"我[^。;]{0,8}(?:买了|买的|跟单|跟着)[^。;]{0,16}(?:涨停|翻倍|大涨|暴涨|赚了|赚到)",
        r"我的(?:账户|收益|持仓|本金|资金|组合)(?:已经|都|也)?[^,。]{0,4}(?:翻倍|翻了|涨了|赚了|达到|超过)",
        r"(?:学员|会员|群友|粉丝)(?:们)?[^,。]{0,10}(?:赚|盈利|收益|翻倍|回本)",  # 学员们上个月跟单收益超过50%
        r"(?:群里的?|我们的?|本群|我们群里?的?)(?:会员|学员|群友|粉丝|客户|朋友|兄弟|成员)(?:们)?[^,。]{0,10}(?:赚|盈利|"
        r"收益|翻倍|回本)",
        r"(?:感谢|谢谢)老师|跟着老师[^,。]{0,8}(?:赚|挣|翻倍|回本)|把[\d一二三四五六七八九十百千万]+万?变成了?",
        r"(?:我|我自己|本人)(?:也)?(?:持有|买了|重仓|满仓)" + ZH_THIS_ASSET,  # 我自己持有英伟达
    ),
)

RULES: tuple[Rule, ...] = (PROMISE, FORECAST, TRADE_CALL, TESTIMONIAL)
