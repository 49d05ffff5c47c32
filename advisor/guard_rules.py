"""What the guard blocks: one rule per behaviour (G2 promise, G3 forecast, G5 trade call, G8 testimonial).

Every pattern reads ``advisor.text.normalise`` output: lower case, ASCII letters and digits, straight
apostrophes, single spaces, no spaces between Chinese characters. Quoted passages are already cut out and
whole-clause exemptions (warnings, negations) are applied by ``advisor.guard``; a rule here only says what
the behaviour looks like. A rule has two tiers:

- ``patterns``: a violation wherever they match;
- ``unless_conditional``: a violation unless the sentence is a general "if/when" statement naming no
  particular asset. "If rates rise, bond prices will fall" teaches how bonds work; "bond prices will fall"
  on its own, or "if the ETF is approved, bitcoin will rally", is a forecast.
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
    """One behaviour an answer must not show. ``rule_id`` is what the audit log records ("G3 forecast")."""

    rule_id: str
    doc: str
    patterns: tuple[re.Pattern[str], ...]
    unless_conditional: tuple[re.Pattern[str], ...] = ()


# --- shared fragments -------------------------------------------------------------------------------------
NUMBER = r"[$¥€£]?\d[\d,.]*(?:\s?(?:k|m|bn|%|percent|points?|dollars?))?"
ZH_NUMBER = r"[\d一二三四五六七八九十百千万亿两.]+"
# Chinese future modals, minus the words they hide in: 需要/只要/不要 (need, only if, don't), 可能/才能 (may, only then).
ZH_MODAL = r"(?:(?<!不)会|将会|(?<!即)将|(?<![需只不想主重])要|(?<![可不才])能|有望|还会|就会|至少|起码)"
# Future-tense claims ("will", "is going to", "is set to"), optionally softened or hardened by an adverb.
FUTURE = _any(r"will", r"'ll", r"(?:is|are|'s|'re)? ?going to", r"gonna", r"(?:is|are)? ?(?:set|poised|bound|sure|certain|"
              r"expected|likely|about|on track) to", r"should")
ADVERB = r"(?: (?:easily|definitely|surely|certainly|probably|likely|soon|quickly|only|always|never|strongly|"
ADVERB += r"continue to|keep|at least|still|then|eventually|finally|really|massively|further|also))*"
# Moves of a price, a market or a return. "double"/"triple" only count without an object: "will double the
# index's daily move" is how a 2x fund works, "will double" is a forecast.
DIRECTION = _any(r"rise", r"climb", r"rally", r"jump", r"spike", r"go (?:up|down|higher|lower)", r"head (?:higher|lower)",
                 r"move (?:higher|lower)", r"fall", r"drop", r"decline", r"sink", r"slide", r"slump", r"rebound",
                 r"recover", r"bounce(?: back)?", r"outperform", r"underperform", r"beat (?:the|its)? ?[\w&]+",
                 r"break (?:out|through|above|below)", r"(?:double|triple|quadruple)(?! (?:the|your|its|their|a|an|"
                 r"his|her|our|any|every|each|that|this|these|those)\b)", r"keep (?:rising|climbing|falling|going)",
                 r"gain \d", r"lose \d", r"go to", r"be worth", r"trade (?:above|below|at)", r"top", r"exceed",
                 r"reach", r"hit", r"weaken", r"strengthen", r"appreciate", r"depreciate")
# Moves only a promoter describes this way; no "if" makes them teaching.
HYPE = _any(r"soar", r"skyrocket", r"explode", r"moon", r"rocket", r"surge", r"crash", r"plunge", r"tank", r"collapse",
            r"crater", r"rip(?: higher)?", r"fly", r"pump", r"\d+x", r"go parabolic", r"take off", r"blow up")
# A time window makes any move a forecast: "will gain 15% this year", "will weaken next year".
HORIZON = _any(r"tomorrow", r"today", r"tonight", r"soon", r"shortly", r"from here", r"after earnings",
               r"(?:this|next|the coming) (?:week|month|year|quarter|decade|summer|winter|spring|autumn|cycle|half)",
               r"in the (?:second|first) half", r"by (?:\w+ )?(?:january|february|march|april|may|june|july|august|"
               r"september|october|november|december|summer|christmas|year[ -]end|the end of|20\d\d|friday|monday|"
               r"next)", r"before (?:the end of|year[ -]end|christmas|20\d\d)", r"within (?:days|weeks|months|a year|"
               r"\w+ (?:days|weeks|months|years))", r"over the (?:next|coming)", r"in the (?:next|coming)",
               r"in (?:\d+|a|two|three|four|five|six|a few) (?:days|weeks|months|years)", r"in 20\d\d", r"by 20\d\d")
# Tickers and names the guard treats as "a particular asset" even in lower case.
NAMED_ASSET_WORDS = _any(r"bitcoin", r"btc", r"ether(?:eum)?", r"eth", r"dogecoin", r"doge", r"solana", r"xrp", r"tesla",
                         r"nvidia", r"apple", r"microsoft", r"amazon", r"alphabet", r"google", r"netflix", r"palantir",
                         r"gamestop", r"gold", r"silver", r"oil")
ZH_NAMED_ASSET = _any(r"比特币", r"以太坊", r"狗狗币", r"茅台", r"英伟达", r"特斯拉", r"腾讯", r"宁德时代", r"比亚迪", r"苹果",
                      r"黄金")
# What a call or a testimonial is about: a named asset or "this one" (a worked example's "this stock" is not
# a named asset for forecasts, see ``NAMED_ASSET``).
ZH_THIS_ASSET = _any(ZH_NAMED_ASSET, r"这只(?:股票|基金|币)", r"该股", r"这个币")

# --- G2 promise -------------------------------------------------------------------------------------------
# L1 (compliance notes): the promissory words themselves. ``promissory_words`` audits exactly these.
L1_EN = _any(r"\bguarantee(?:s|d|ing)?\b", r"\bguaranty\b", r"\brisk ?-? ?free\b(?! (?:interest )?rates?\b)",
             r"\bcan'?t ?-?lose\b", r"\bcannot lose\b", r"\bcan not lose\b", r"\bsure thing\b",
             r"\bdouble your (?:money|investment|savings|cash|capital)\b", r"\b(?:no|zero) ?-?risk\b(?! ?-? ?free)",
             r"\briskless\b")
L1_ZH = _any(r"稳赚不赔", r"稳赚", r"保本", r"保收益", r"保证收益", r"零风险", r"无风险(?!利率|收益率|利息|资产定价)", r"必涨", r"翻倍")
L1 = re.compile(L1_EN + "|" + L1_ZH)

PROMISE = Rule(
    "G2 promise",
    """A promise that money cannot be lost or that a return is certain: the L1 words (guaranteed, risk-free,
    can't lose, sure thing, double your money, 稳赚, 保本 ...) and what people write instead of them ("you
    cannot lose money", "your principal is 100% safe", "zero downside", "free money", 包赚, 亏不了,
    本金绝对安全). A scare-quoted promise ('the fund is "guaranteed" to pay') is still one.""",
    _compile(
        L1_EN, L1_ZH,
        r"\bnever lose (?:a (?:cent|penny|dime)|money|anything|value|a single)", r"\bno[ -]lose\b",
        r"\b(?:no way|impossible) to lose\b", r"\b(?:no|zero) (?:chance|risk) of (?:a )?(?:loss|losing)",
        r"\b(?:no|zero) downside\b", r"\bfree money\b", r"\bnothing can go wrong\b", r"\bsure (?:bet|win)\b",
        r"\b(?:profits?|returns?|gains?|income|payouts?|yields?) (?:is|are) (?:certain|assured|locked in|secured)\b",
        r"\bassured (?:of|returns?|profits?|income)\b", r"\b100 ?(?:%|percent) (?:safe|sure|certain|secure|risk)",
        r"\b(?:capital|principal|money|savings|investment|deposit)s? (?:is|are|stays?|remains?) (?:fully|completely|"
        r"totally|100 ?%|absolutely|perfectly) (?:protected|safe|secure)",
        r"\b(?:money|capital|principal) is (?:safe|protected) (?:here|with (?:us|this|me))",
        r"\b(?:will|'ll) (?:definitely|certainly|surely|100%) (?:make|earn|profit|win|get rich)",
        r"\b(?:i|we) promise (?:that )?you(?:'ll| will)? (?:make|earn|get|profit|win|double)",
        r"\b(?:certain|sure|bound) to (?:pay off|make money|profit|win)\b",
        r"\b(?:is|are) \ue000 to (?:pay|return|deliver|double|give|earn|yield|make|work|grow)",  # scare quotes
        # Chinese paraphrases of 稳赚/保本.
        r"包赚|包赢|稳赢|稳挣|躺赚|躺着(?:就能)?赚|只赚不赔|亏不了|赔不了|(?:绝对|肯定|保证)?不(?:会|可能)(?:亏|赔)",
        r"零损失|保息|保底收益|(?:百分百|100%)(?:盈利|赚|保本|安全|收益|回本)|(?:一定|肯定|保证|绝对)(?:能)?(?:赚钱|盈利|赚)",
        r"承诺(?:年化|投资|固定|最低)?(?:收益|回报|利率)|保证(?:赚钱|盈利|回报|本金|你|您|每月|每年|年化)",
        r"收益(?:绝对|一定)?有(?:保障|保证)|本金(?:绝对|百分百|完全|100%)安全|没有(?:任何)?风险|毫无风险|稳稳(?:的)?(?:收益|赚|幸福)?$|"
        r"收益稳稳|买了?就(?:是|能)赚|不赚(?:全额)?退款",
    ),
)

# --- G3 forecast ------------------------------------------------------------------------------------------
FORECAST = Rule(
    "G3 forecast",
    """A claim about where a price, a market or a return is going: future-tense moves ("stocks will rise over
    the next year", "Tesla is set to soar"), price targets ("will climb to $500", 目标价3000元), upside calls
    ("40% upside"), and the idioms (to the moon, only goes up, 必涨, 肯定涨, 主升浪, 牛市要来了). Mechanics in
    the future tense are not forecasts: "the fund will charge a fee", "your order will be filled", and general
    if/when statements ("if rates rise, bond prices will fall") that name no particular asset.""",
    _compile(
        rf"\b{FUTURE}{ADVERB} ?(?:{HYPE})",
        r"\b(?:could|might|may|can) (?:easily |potentially )?(?:\d+x|moon|skyrocket|explode|go parabolic)",
        r"\b(?:going|headed|heading|off|on its way) to the moon\b|\bto the moon\b|\bmooning\b",
        rf"\b(?:going|headed|heading) (?:for|to|towards?) {NUMBER}",
        rf"\b(?:price target|target price|price objective|fair value)s?\b.{{0,30}}?{NUMBER}",
        rf"\b\d[\d.]*\s?(?:%|percent) (?:upside|downside)\b|\bupside (?:of|to) {NUMBER}",
        r"\b(?:poised|set|primed|ready|headed|heading|due|on track) for (?:a |an )?(?:\d+\s?% )?(?:big |huge |massive |"
        r"strong |sharp |major )?(?:rally|rise|gain|surge|crash|drop|fall|breakout|rebound|run|correction|selloff)",
        r"\bexpect (?:a |an )?(?:big |huge |massive |strong |sharp |major )?(?:rally|crash|correction|sell-?off|rebound|"
        r"surge|breakout|bull run|recovery) (?:in|for|on|this|next|soon)",
        r"\b(?:a |the )?(?:crash|correction|rally|bull run|bull market|bear market|recession|sell-?off|squeeze|breakout) "
        r"(?:is|are) (?:coming|imminent|around the corner|on (?:its|the) way|inevitable|due)\b",
        r"\b(?:can|will|does|do|it) only (?:go|goes|going|move) up\b|\bonly (?:go|goes) up\b|\bonly (?:rises?|goes higher)\b",
        rf"\b(?:i|we) (?:predict|forecast|expect|think|believe|bet|reckon|am confident|are confident|'m confident|'re "
        rf"confident)(?: that)? .{{0,40}}{FUTURE}{ADVERB} (?:{DIRECTION}|{HYPE}|gain|lose)",
        r"\b(?:next|this|the coming) (?:year|month|week|quarter|decade) (?:will|is going to) be (?:a )?(?:great|good|"
        r"huge|big|strong|bad|terrible|record|bumper|banner) (?:year|month|week|quarter|decade) for",
        # Chinese: targets, certainty words and the market idioms are forecasts whatever the grammar.
        rf"(?:目标价|目标位|上看|下看|剑指)(?:位|格)?(?:为|是|在|到)?\s*{ZH_NUMBER}",
        r"(?:肯定|一定|必然|绝对|铁定|注定|必将|势必)(?:会|要|能)?(?:大|暴|继续)?(?:涨|跌|上涨|下跌|反弹|翻倍|突破|起飞|崩盘)|必跌|"
        r"只涨不跌|稳涨",
        r"(?:即将|马上|很快|就要)(?:迎来|开启|进入)(?:主升浪|牛市|大行情|暴涨|拉升|反弹|崩盘|暴跌)|主升浪",
        r"(?:牛市|熊市|大行情|崩盘|暴跌|暴涨)(?:就)?(?:要|即将|马上)?来(?:了|临)|(?:要|就要|即将|马上)(?:崩盘|起飞|暴涨|暴跌)",
        r"(?:我|我们|本人|笔者|老师)(?:坚定|强烈|继续|依然)?(?:看涨|看多|看好|看空|看跌)(?!期权|合约)",
    ),
    unless_conditional=_compile(
        rf"\b{FUTURE}{ADVERB} ?(?:{DIRECTION})(?! (?:and|or) (?:down|up|fall|rise|lose))",
        rf"\b(?:will|'ll|won't|will not){ADVERB} (?:gain|lose|return|deliver|yield|be (?:up|down))\b.{{0,40}}{HORIZON}",
        rf"\b{FUTURE}{ADVERB} (?:climb|rise|fall|drop|go|run|rally|jump|head|move|trade|reach|hit|top|break|exceed|"
        rf"touch|cross|end the year|close|be worth|be at)\w* (?:to |at |above |below |past |through |over |under )?"
        rf"(?:around |about |at least |over |near )?{NUMBER}",
        rf"\bexpect(?:s|ed|ing)? (?:[\w$&.-]+ ){{1,4}}to (?:{DIRECTION}|{HYPE})",
        # Chinese: a modal of the future (会/将/有望 ...) with a move, or a move with a time window.
        ZH_MODAL + r"(?:在)?[^,。;]{0,8}?"
        r"(?<![同有随])(?:大涨|暴涨|上涨|涨|大跌|暴跌|下跌|跌|翻倍|反弹|回升|拉升|起飞|新高|涨停|走高|走低|贬值|升值|突破)"
        r"(?![跌幅停板])(?!还是)",
        ZH_MODAL + rf"(?:涨|跌|升|降|冲|回|贬值|升值|上涨|下跌|突破|站上|跌破|达到|超过)(?:到|至|破|上)?\s*{ZH_NUMBER}",
    ),
)

# --- G5 trade call ----------------------------------------------------------------------------------------
TRADE_VERB = _any(r"buy", r"sell", r"short", r"dump", r"grab", r"own", r"hold", r"load up", r"get (?:in|into|out)",
                  r"pile into", r"go all in", r"go long", r"take profits?", r"accumulate", r"add", r"put", r"move",
                  r"switch", r"ape into", r"double down", r"average down")
TRADE_CALL = Rule(
    "G5 trade call",
    """Telling someone to trade a security, or saying what the speaker would trade: imperatives ("Buy VTI and
    hold it forever", "Load up on bitcoin"), "you should buy", "I'd put everything into NVDA", "my top pick",
    "this is a buy", "now is the time to buy", 建议大家买入, 赶紧买入, 满仓, 梭哈, 能买多少买多少. Teaching how
    orders work ("a buy order", "buy-and-hold investors", "selling a put obliges you ...") is not a call, and
    neither is a warning not to trade ("don't put all your savings into one stock").""",
    _compile(
        # Imperatives at the start of a clause ("buy", not "a buy order", "buy-and-hold investors", "buy, sell or").
        r"(?:^|, (?:so |then )?|\b(?:just|now|simply|seriously|honestly|definitely|please) )(?:buy(?:ing)? more|sell more|"
        r"(?:buy|sell)(?![ -]*(?:orders?|side|signals?|-|and[ -]hold (?:investors?|strateg|approach|investing)|,| or | and "
        r"(?:sell|buy)))|short(?![ -](?:selling|sellers?|positions?|interest|squeeze|term|-term|sale))|dump|grab|"
        r"load up|get (?:into|out of|in on)|pile into|go all[ -]in|go (?:long|short)|ape into|hold on ?to|hodl|"
        r"accumulate|take profits? on|back up the truck|keep buying|keep selling|double down on|average down on|"
        r"switch (?:from [\w ]{1,20} )?(?:to|into)|(?:move|put) (?:your|all|everything|every)\b.{0,30}? (?:into|in)\b|"
        r"add [\w$.]{1,12} to your (?:portfolio|holdings|basket))\b",
        rf"\byou(?:'d| had| would)? (?:should|must|need to|have to|ought to|better|gotta|'ve got to) (?:\w+ )?{TRADE_VERB}\b",
        rf"\b(?:everyone|everybody|investors|people|you all|y'all|all of you|traders|holders) (?:should|must|need to|"
        rf"ought to|have to) (?:\w+ )?{TRADE_VERB}\b",
        r"\b(?:crazy|foolish|mad) not to (?:buy|sell|own|get in)\b|\bcan'?t afford not to (?:buy|own)\b",
        r"\bi(?:'d| would) (?:\w+ )?(?:put|buy|sell|short|dump|go all in|load up|grab|get (?:in|into|out)|move|switch|"
        r"take profits)\b|\bif i were you\b",
        r"\b(?:i|we) (?:strongly )?(?:recommend|suggest|advise|urge)(?: you)? (?:buying|selling|shorting|holding|to buy|"
        r"to sell|getting (?:in|into|out))",
        r"\bmy (?:top |best |favou?rite |number one )?(?:pick|play|call|trade|bet)s? (?:for|is|are|right now|this)\b",
        r"\b(?:is|are|'s) (?:a|an) (?:strong |clear |screaming |no-brainer |must )?(?:buy|sell|must-buy|must-own)\b"
        r"(?![ -]*(?:orders?|side|signals?|ratings?))",
        r"\b(?:now|today|this) is (?:the|a) (?:perfect |good |great |best |right )?(?:time|moment|chance|opportunity) to "
        r"(?:buy|sell|get in|load up|add)\b|\b(?:it'?s|it is|this is) (?:a|the) (?:good|great|perfect|best|right) (?:time|"
        r"moment|chance|opportunity|entry point) to (?:buy|sell|get in|load up|add)\b",
        r"\b(?:i'?m|i am|we'?re|we are) (?:buying|selling|shorting|loading up|adding|accumulating|going all in)\b|"
        r"\b(?:and )?so should you\b|\byou should too\b",
        # Chinese calls: advice, urgency, all-in, and what the speaker would do.
        r"(?<!不)建议(?:大家|你|您|各位|投资者|朋友们|兄弟们)?(?:现在|立即|马上|尽快|逢低|果断|积极)?(?:买入|买进|卖出|持有|加仓|"
        r"减仓|清仓|抄底|入手|上车|梭哈|满仓|重仓|建仓|止盈|出货|跟进|做多|做空|配置|布局|低吸|抛售)",
        r"(?:赶紧|赶快|立即|立刻|马上|速速|务必|果断|尽快|现在就|今天就)[^，,。]{0,8}?(?:买入?|卖出?|卖掉|抄底|上车|进场|入场|"
        r"加仓|清仓|建仓|梭哈|满仓|跑|出货|抛|追|跟进|入手)",
        r"满仓|梭哈|全仓(?:杀入|买入|干)|能买多少买多少|大家一起(?:买|冲|上)|(?:闭眼|放心|大胆)(?:买|入|上车|建仓|加仓|抄底)|"
        r"(?:跟着(?:老师|我)?|现在)上车|(?:逢低|低位)(?:吸纳|买入|布局|加仓|建仓)|(?:强烈)?推荐(?:买入|持有|卖出|配置)|强烈推荐",
        r"(?:现在|此时|当下)(?:是|正是)?(?:抄底|买入|上车|进场|布局|入手|卖出)[^，,。]{0,10}(?:好时机|时候|良机|机会)",
        r"(?:你|您|大家|各位)(?:应该|应当|必须|需要|得|要)(?:马上|立即|现在|尽快)?(?:买入|卖出|买|卖|抄底|加仓|清仓|上车)",
        r"(?:我|你|我们|大家)(?:会|就|要|应该|可以)?(?:现在)?把(?:所有|全部)(?:的)?(?:钱|资金|积蓄|存款|身家)(?:都)?(?:投进|投入|砸进|押在|换成|买)",
        r"(?:我|我们)(?:会|要|准备|打算|正在|已经)(?:现在|马上|今天|明天)?(?:买入|卖掉|卖出|清仓|加仓|抄底|满仓|梭哈)|"
        r"换成我|如果我是你|要是我是你|换做是我",
        rf"(?:^|,)(?:继续)?(?:持有|拿住|捂住|拿好){ZH_THIS_ASSET}|(?:千万)?(?:别|不要)(?:卖|抛|割肉|下车)",
    ),
)

# --- G8 testimonial ---------------------------------------------------------------------------------------
MONEY_OBJECT = r"(?:[$¥€£]?\d|money|a fortune|a killing|profits?|cash|bucks|grand|gains?|returns?|more|a lot|my )"
TESTIMONIAL = Rule(
    "G8 testimonial",
    """Someone's own results held up as evidence: "I made 300% last year", "my portfolio doubled", "our members
    earned 40%", "John from our group retired at 40", 我去年赚了200%, 群里的会员平均收益40%, 感谢老师. Historical
    facts about the market ("investors who bought in 2009 earned ...") are not testimonials.""",
    _compile(
        rf"\b(?:i|we)(?:'ve| have| had)? (?:just |already |personally |literally |also |actually |been )?(?:made|earned|"
        rf"gained|pocketed|netted|banked|cleared|doubled|tripled|quadrupled|turned|raked in|profited|making|earning)\b"
        rf".{{0,30}}?{MONEY_OBJECT}",
        r"\bmy (?:portfolio|account|returns?|profits?|gains?|investments?|savings|balance|net worth|stake|position)s? "
        r"(?:has |have |had |was |were |is |are )?(?:\w+ )?(?:doubled|tripled|grew|gained|rose|jumped|soared|went up|up|"
        r"were|was|hit|reached|increased)\b",
        r"\b(?:i'?m|i am|we'?re|we are) (?:already )?(?:up|in profit) (?:\d|big|huge|a lot)",
        r"\b(?:our|my) (?:vip )?(?:members?|subscribers?|students?|clients?|followers?|community|users?|customers?|"
        r"traders?)(?: have| has| are| were)?(?: all)? (?:earned|made|gained|pocketed|netted|up|profited|doubled|tripled|"
        r"won|retired)\b",
        r"\b(?:students|members|subscribers|clients|followers) (?:in|of|from) (?:our|my|this) (?:course|group|channel|class|"
        r"community|program|service)(?: have)? (?:made|earned|gained|pocketed|netted|doubled|tripled|profited)\b",
        r"\b\w+ from (?:our|my|this) (?:group|channel|community|class|course) (?:made|earned|retired|quit|doubled|paid)\b",
        r"\bthanks to (?:the|this|our|my)\b.{0,40}, (?:i|we)\b",
        r"\bi (?:personally )?(?:own|hold|bought|am holding|have been holding) .{0,20}\b(?:and|it) (?:it )?(?:changed|made|"
        r"paid)\b|\b(?:changed my life|paid off my (?:mortgage|debt|house|loan)|quit my job)\b",
        # Chinese: first-person gains, members' gains, thanks to the "teacher".
        r"我(?:去年|今年|上个?月|上周|已经|也|终于|靠|用|跟着)?[^，,。]{0,10}?(?:赚了|赚到|挣了|盈利了|回本了|赚了一倍|翻了)",
        r"我的(?:账户|收益|持仓|本金|资金|组合)(?:已经|都|也)?[^，,。]{0,4}(?:翻倍|翻了|涨了|赚了|达到|超过)",
        r"(?:群里的?|我们的?|本群|我们群里?的?)(?:会员|学员|群友|粉丝|客户|朋友|兄弟|成员)(?:们)?[^，,。]{0,10}(?:赚|盈利|收益|翻倍|回本)",
        r"(?:感谢|谢谢)老师|跟着老师[^，,。]{0,8}(?:赚|挣|翻倍|回本)|把[\d一二三四五六七八九十百千万]+万?变成了?",
        r"(?:我|我自己|本人)(?:也)?(?:持有|买了|重仓|满仓)" + ZH_THIS_ASSET,
    ),
)

RULES: tuple[Rule, ...] = (PROMISE, FORECAST, TRADE_CALL, TESTIMONIAL)
NAMED_ASSET = re.compile(r"\$[a-z]{1,5}\b|\b" + NAMED_ASSET_WORDS + r"\b|" + ZH_NAMED_ASSET)
