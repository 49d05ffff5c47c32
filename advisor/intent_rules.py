"""The rules ``advisor.intent`` reads questions with, grouped by intent, each named and commented.

Rules run on ``advisor.text.normalise``d text (lower case, straight quotes, no spaces between Chinese
characters). A rule whose name starts with ``zh_`` is Chinese and runs only on text with Chinese in it; the
others run only on text with Latin letters (``advisor.patterns.RuleSet``). Phrase rules (sections 1-7) are
precise; the cue rules (section 8) and the decision parts (section 9) are broader and are consulted only after
the phrases and the lookups.
"""

from __future__ import annotations

import re

from advisor.patterns import RuleSet

# Shared vocabulary.
I_ = r"(?:i|we)"
SHOULD_I = rf"\b(?:should|shall|shld|shud|shoud|sould|ought) {I_}\b"
# Direct trade verbs: "should I <verb>" with one of these is a personal trade call whatever follows.
TRADE_VERB = (r"(?:buy|by|sell|short|hold|dump|trim|take (?:some )?profits?|average down|double down|go all[- ]?in|"
              r"all[- ]?in|ape|yolo|load up|sell off|cash out|bail|exit|get out|get in(?:to)?|jump in|buy in(?:to)?|"
              r"hodl|accumulate|add to|swap|switch|rotate|convert|cut (?:my )?loss(?:es)?|stay in|keep holding)\b")
# Softer verbs are a trade call only when aimed at something to buy or at the member's money (OBJECT).
SOFT_VERB = r"(?:invest|put|move|allocate|park|go into|get into|keep|spend|use|rebalance|shift|switch)\b"
PRODUCTS = (r"stocks?|shares|equit(?:y|ies)|bonds?|etfs?|fund(?<!emergency fund)s?|index|crypto\w*|coins?|tokens?|"
            r"altcoins?|gold|silver|reits?|real estate|property|options|cash|cds?\b|treasur\w*|t-bills?|"
            r"money market|annuit\w*")
OBJECT = re.compile(rf"\b(?:{PRODUCTS})|\bmy (?:money|savings|cash|bonus|salary|paycheck|inheritance|401k|ira|"
                    r"pension|portfolio|retirement|emergency fund)|\$\s?\d|\b\d+(?:[.,]\d+)?\s?k\b|\bright now\b|"
                    r"\bnow\b|\btoday\b|\bhere\b")
# Chinese modal + trade verb: "应该买", "要不要割肉", "可以抄底", "还能上车".
ZH_MODAL = (r"(?:应该|应不应该|该不该|该|要不要|能不能|能|可不可以|可以|适合|适不适合|值不值得|值得|"
            r"是否(?:应该|可以|要)?|需不需要|敢不敢|还能|还可以|还要|你会|你要|你敢)")
ZH_TRADE = (r"(?:买入|卖出|买|卖|入手|入场|进场|抄底|加仓|减仓|清仓|割肉|止损|止盈|持有|拿着|继续持有|继续拿|"
            r"上车|下车|梭哈|补仓|建仓|出货|离场|跑路|抛|投资|定投|调仓|调整|转成|转到|换成|换到|赎回|申购|卖掉|卖了|"
            r"满仓|空仓|半仓|轻仓|重仓|换(?:一只|一个|掉|仓))")
# Amounts and "my money": what makes "怎么投资" a question about this member's money.
ZH_MY_MONEY = re.compile(r"我的钱|我有|我手上|手里|存款|工资|积蓄|闲钱|养老金|养老钱|退休金|公积金|奖金|"
                         r"年终奖|压岁钱|\d+(?:万|千|块|元)")

# 1. Injection: instructions aimed at the bot, not questions about money.
INJECTION = RuleSet.of(
    ignore_instructions=r"\b(?:ignore|disregard|forget|override|bypass|skip|ditch|abandon)\b.{0,30}?\b(?:previous|"
                        r"prior|above|earlier|preceding|all|any|your|system|safety|these|those)\b.{0,20}?\b(?:"
                        r"instructions?|prompts?|rules|guidelines|directions|directives|constraints|restrictions|"
                        r"programming|polic(?:y|ies)|filters?|training|guardrails|settings|compliance)\b",
    persona=r"\byou(?: are|'re) (?:now|no longer)\b|\bfrom now on,? you\b|\bpretend (?:to be|you(?:'re| are)|that "
            r"you)\b|\brole ?-?play|\b(?:act|behave|respond|answer) (?:as|like) (?:if|though|my|a|an)\b.{0,40}?"
            r"(?:advis[eo]r|analyst|broker|planner|trader|manager|expert|guru|bot|ai|assistant|model|human|person|"
            r"consultant|coach)\b|\b(?:let'?s|lets) (?:play a game|pretend|roleplay)\b|"
            r"\bplay a game (?:where|in which) you\b|"
            r"\byou(?: are|'re) (?:an?|my) (?:\w+ ){0,2}(?:advis[eo]r|broker|analyst|planner|trader|guru|"
            r"fund manager)\b|\b(?:not|no longer) (?:a|an) (?:bot|ai|assistant)\b|"
            r"\bfrom now on,? (?:respond|answer|reply|only|always|never)\b",
    forget_everything=r"\b(?:forget|ignore|disregard) (?:everything|all|anything) (?:you(?:'ve| have| were| are)? "
                      r"(?:been )?(?:told|taught|trained|instructed)|(?:written |said )?(?:above|before))\b|"
                      r"\b(?:ignore|disregard|forget) (?:the|what(?:'s| is)?) "
                      r"(?:above|before|previous|prior|earlier)\b",
    rules_lifted=r"\bpretend (?:that )?(?:the )?(?:compliance|rules|regulations?|restrictions|guidelines|"
                 r"disclaimers)\b|"
                 r"\bnew rules?\s*:|\byou (?:can|may|are allowed to) (?:now )?give (?:financial|investment|personal) "
                 r"advice\b|\b(?:ai|bot|assistant|model|gpt)\b.{0,20}\bwithout (?:any )?(?:restrictions|filters|rules|"
                 r"limits)\b|\byou(?: are|'re) \w*gpt\b|\bwhat (?:instructions|rules|prompt) (?:were|have|did) you\b",
    switch_off=r"\b(?:disable|turn off|switch off|remove|drop|no more|stop (?:adding|giving|showing))\b(?: \w+){0,2}? "
               r"(?:disclaimers?|warnings?|compliance|filters?|guardrails|safety|censorship)\b|"
               r"\b(?:system|admin|root) override\b",
    jailbreak=r"\bjailbreak|\bdan mode\b|\bdo anything now\b|\b(?:developer|dev|god|debug|admin|maintenance) mode\b|"
              r"\bdeveloper here\b|\bi(?: am|'m) (?:the|your) developer\b|\bunfiltered\b|"
              r"\buncensored\b|^system\s*:|\[system\]|<\|?system|\bcompliance (?:mode )?off\b|"
              r"\b(?:your )?new instructions?\s*:",
    prompt_extraction=r"\bsystem prompt|\b(?:reveal|print|show|repeat|output|leak|tell me|display|dump)\b.{0,20}?"
                      r"\b(?:your|the) (?:instructions|prompt|system|initial|hidden|configuration)\b|"
                      r"\brepeat the (?:text|words|message) above|\b(?:initial|original|hidden|secret|internal) "
                      r"(?:instructions|prompt|message|rules|configuration)\b|"
                      r"\bwhat (?:were|are|was) you (?:told|instructed|programmed)\b",
    zh_ignore=r"(?:忽略|无视|忘掉|忘记|不要理会|不用管|别管|跳过|绕过|抛开)[^，。,.!?]{0,12}?(?:指令|指示|规则|提示|"
              r"设定|设置|限制|约束|规定|人设|合规|免责|声明|警告)",
    zh_persona=r"你现在是|现在你是|从现在(?:开始|起),?你|(?:请|你)扮演|扮演(?:一个|一位|一名|成|我的)|假装(?:你是|自己是|成)|"
               r"角色扮演|系统提示|提示词|开发者模式|越狱|不受(?:任何)?限制|解除(?:所有)?限制|"
               r"假设你(?:没有|不受|不是|是一个|是个|是一名)|如果你(?:没有|不受|不是)|你不再是|你已经不是|"
               r"从现在(?:开始|起).{0,4}只|现在(?:开始|起)?你是|你是我的(?:私人|专属)?(?:操盘手|投顾|顾问|分析师|经纪人)|"
               r"不(?:要|用)?(?:加|给|带|写)(?:任何)?(?:风险提示|免责声明|免责)|系统指令|(?:你的|初始)(?:指令|设定|规则)是什么",
)

# 2. Portfolio: the member's own holdings (shown privately by the portfolio handler).
PORTFOLIO = RuleSet.of(
    show=r"\b(?:show|view|see|display|list|check|open|print|pull up|give me|get|send me)\b.{0,20}?\bmy (?:\w+ )?"
         r"(?:portfolio|holdings|positions|watchlist|p&l|pnl|p/l|returns?|gains|balance|performance|investments)\b",
    bare=r"^(?:my )?(?:portfolio|holdings|positions|watchlist|p&l|pnl)(?: summary| overview| please)*\W*$|"
         r"\bportfolio (?:summary|overview|value|balance|performance|report)\b",
    how_doing=r"\bhow(?:'s| is| are| has| have| did)? my (?:\w+ )?(?:portfolio|holdings|positions|stocks|investments|"
              r"shares|account)\b.{0,25}?\b(?:doing|done|do|performing|performed|going|looking)\b",
    whats_mine=r"\bwhat(?:'s|s| is| are)(?: in)? my (?:\w+ )?(?:portfolio|holdings?|positions?|account|total|p&l|pnl|"
               r"returns?|gains?|loss(?:es)?|balance|net worth|cost basis)\b|\bwhat do (?:i|we) (?:own|hold)\b|"
               r"\bhow much (?:have|did) (?:i|we) (?:made|make|lost|lose|earned|earn|gained|gain)\b|"
               r"\bhow much is my (?:\w+ )?(?:portfolio|holdings|positions|stocks|crypto|coins|shares|investments|"
               r"account)\b(?: \w+){0,2}? (?:worth|valued at|up|down)\b|"
               r"\b(?:list|show) (?:me )?everything (?:i|we) (?:hold|own|have)\b|"
               r"\bwhat (?:stocks|shares|coins|crypto|funds|etfs|positions) do (?:i|we) (?:have|own|hold)\b",
    edit=r"\b(?:add|remove|delete|record|log|track|update|edit)\b.{0,40}?\b(?:to|from|in|into|on) (?:my|the) "
         r"(?:portfolio|holdings|positions|watchlist)\b|"
         r"\b(?:delete|remove|close|update) my (?:\w+ )?(?:position|holdings)\b|"
         r"\b(?:update|edit|change|fix|refresh) my (?:portfolio|holdings|positions|watchlist)\b|"
         r"\brecord (?:it|this|that|the trade|my trade)\b|\btrack \d+.{0,30}?\bfor me\b|"
         r"\b(?:log|record|enter|note|save) (?:a|my|this|the|another|one) (?:trade|buy|sell|sale|purchase)\b|"
         r"\b(?:log|record|enter|bought|sold)\b.{0,20}?\b\d+(?:\.\d+)? (?:shares? (?:of )?)?\$?[a-z]{1,6} "
         r"(?:at|@) \$?\d",
    zh_mine=r"我的(?:持仓|组合|投资组合|仓位|账户|自选股?)(?:$|[?!。]|收益|盈亏|表现|情况|明细|怎么样|如何|今天|现在|市值|"
            r"总值|赚|亏)|我(?:的)?(?:账户|组合|持仓)?(?:现在|今年|今天|一共)?(?:赚了|亏了)多少|"
            r"我(?:现在)?(?:持有|有)(?:哪些|什么)(?:股票|基金|币|资产)|"
            r"我的(?:账户|资产|基金|股票|组合|持仓)(?:总资产|总额|收益|盈亏|多少)|"
            r"(?:看看|看一下|查看|看下|查一下)我的(?:基金|股票|持仓|组合|账户|资产|收益)|"
            r"我(?:总共|一共|今年|这个月|目前)?(?:投了|投入了|赚了|亏了|买了)多少|"
            r"我的(?:收益|收益率|盈亏|回报)(?:率)?(?:多少|怎么样|是多少)|我(?:现在|目前)?(?:一共|总共)?有多少钱在",
    zh_show=r"(?:查看|看看|看一下|显示|查一下|查询|列出|show)(?:一下)?(?:我的)?(?:持仓|组合|账户|仓位)",
    zh_edit=r"(?:加入|添加|加到|加进|删除|移除|删掉|去掉|拿掉|更新)(?:一下)?.{0,20}?(?:组合|持仓|自选)|"
            r"(?:组合|持仓|自选).{0,8}?(?:删掉|删除|去掉|移除|拿掉)|把.{1,10}?(?:删了|删掉|删除|移除|去掉)|"
            r"记录一下|记一笔|帮我记录|录入",
)
# Lookups step aside for advice about them ("is it bad to check my portfolio every day?").
LOOKUP_IS_A_QUESTION_ABOUT = re.compile(r"\bis it (?:bad|good|ok|okay|healthy|normal|wise|smart)\b|\bhow often\b")

# 3. Quote: current price and market data, for a named security or the market as a whole.
QUOTE = RuleSet.of(
    price_of=r"\b(?:price|quote|share price|stock price|value|market cap\w*|p/?e(?: ratio)?|dividend yield|yield|"
             r"volume|"
             r"52[- ]week (?:high|low)|all[- ]time high|close|closing price|opening price|chart)s? (?:of|for|on)\b",
    ticker_data=r"\b(?:price|quote|chart|market ?cap|trading at|closed? at|closing|open(?:ed)? at|52[- ]week|"
                r"dividend yield|volume|p/?e(?: ratio)?|pe ratio|eps)\b|\bat (?:rn|right now|the moment)\b|"
                r"\bwhat(?:'s|s| is) \S+ at\b",
    how_did=r"\bhow(?:'s| is| was| did| has| are| were)\b.{1,30}?\b(?:do|doing|done|perform\w*|today)\b|"
            r"\b(?:up|down) (?:or (?:up|down) )?today\b",
    current=r"\b(?:current|latest|live|real[- ]time)\b|\bhow much is\b|\bright now\b|\btoday\b|\bpull up\b|"
            r"\bshow me\b",
    zh_data=r"股价|现价|最新价|价格|什么价|啥价|多少钱|报价|行情|k线|走势图|分时|收盘|开盘|涨跌幅|涨了多少|跌了多少|涨幅|"
            r"跌幅|市值|市盈率|点位|多少点|成交量|今[天日]|看[下看]|看一下|查[下一]|查看|收了|收在|收报",
)
# Indices and markets a quote or a forecast can be about without naming a security.
MARKET = RuleSet.of(
    market=r"\b(?:the market|markets?|stock market|stocks|crypto\w*|altcoins?|gold|silver|oil|housing|house prices|"
           r"real estate|bonds|treasury|treasuries|dollar|yen|euro|rates|interest rates|economy|recession|fed)\b",
    zh_market=r"大盘|股市|a股|港股|美股|市场|黄金|房价|楼市|油价|汇率|人民币|币圈",
)

# "The market" alone is a quote's subject only when the question is about now ("how is the market doing
# today?"); otherwise it is a topic ("what is market cap?").
NOW = RuleSet.of(
    now=r"\b(?:today|now|right now|rn|currently|current|latest|live|yesterday|this (?:morning|afternoon|week)|"
        r"so far)\b",
    zh_now=r"今[天日]|现在|目前|最新|昨[天日晚]|本周|刚才",
)

# 4. Shopping: buying things, not investments ("which phone should I buy?").
SHOPPING = re.compile(r"\b(?:phone|iphone|laptop|computer|car|bike|bicycle|tv|television|console|ps5|xbox|shoes|"
                      r"sneakers|dress|gift|present|ticket|book|game|camera|headphones|watch|mattress|sofa|couch|"
                      r"furniture|guitar|puppy|flight)s?\b")

# 5. Personal advice: a buy/sell/hold/allocation decision for the asker, in any phrasing.
ADVICE = RuleSet.of(
    should_i_trade=rf"{SHOULD_I} (?:still |just |now |really |also |finally )?{TRADE_VERB}|"
                   rf"\b{I_} should (?:still |just )?{TRADE_VERB}",
    would_you=r"\b(?:would|will|do|did|are) (?:you|u) (?:be )?(?:buy(?:ing)?|sell(?:ing)?|hold|short|own|touch|"
              r"invest|pick|choose|add|keep|get in|get out|trim|dump|exit|load up)\b|"
              r"\b(?:would|do) you (?:rather|prefer) (?:own|buy|hold|have)\b|"
              r"\b(?:would|do|did|will|can|could) you (?:recommend|suggest|advise) "
              r"(?:buying|selling|holding|investing|getting|putting|adding|i\b|me\b|that i\b|we\b)|"
              r"\bshould my (?:first |next )?(?:investment|purchase|buy|pick|allocation|money|savings|401k|ira)\b|"
              r"\bwhat would you (?:buy|do|pick|invest|choose|hold|sell)\b|"
              r"\bif you were me\b|\bin my (?:shoes|position)\b",
    buy_or_sell=r"\b(?:buy|sell|hold|keep|short|wait)(?:,)? or (?:not|sell|hold|buy|wait|keep|short|fold)\b",
    is_it_a_buy=r"\b(?:is|are|isn't|is it) .{1,30}? an? "
                r"(?:good |great |strong |smart |bad |safe |solid |decent |wise )?"
                r"(?:buy|sell|hold|investment|bet|pick|deal|stock to (?:buy|own|hold)|long[- ]term (?:hold|investment))"
                r"\b",
    worth_buying=r"\bworth (?:buying|investing|owning|holding|a buy|getting|adding|selling|it at)\b",
    # "what do I own / hold" is a portfolio lookup; "what should I hold" and "what do I buy" are advice.
    what_to_buy=r"\bwhat (?:\w+ ){0,2}(?:should|shall) (?:i|we) (?:buy|invest|put|pick|get|do with|sell|hold|own)\b|"
                r"\bwhat (?:\w+ ){0,2}do (?:i|we) (?:buy|invest in|pick|sell)\b|"
                r"\bwhich (?:\w+ ){0,2}(?:should|shall|do|would) (?:i|we|you) (?:buy|pick|choose|get|invest|sell|hold)"
                r"\b|\b(?:tell|show) (?:me|us) what (?:to|i should) (?:buy|sell|invest)\b|"
                r"\bwhat to (?:buy|invest in)\b",
    recommend=r"\b(?:recommend|suggest|tip|give|name)(?:ing)? (?:me |us )?(?:an? |some |any |the |your |few |\d+ |"
              r"couple )*(?:good |great |best |top |hot |cheap |safe |solid |of )*(?:stocks?|shares|coins?|cryptos?|"
              r"tokens?|funds?|etfs?|bonds?|picks?|stock tips?|investments?|penny stocks|altcoins?)\b|"
              r"\b(?:your|any|top) (?:stock |crypto )?picks?\b|\bpick (?:an?|some|me an?|me some) (?:\w+ )?"
              r"(?:stocks?|coins?|funds?|etfs?)\b",
    best_to_buy=r"\b(?:best|top|good|safest|hottest) (?:\w+ ){0,2}(?:stocks?|coins?|cryptos?|etfs?|funds?|shares|"
                r"tokens?|altcoins?|investments?) (?:to (?:buy|own|hold|invest in|get)|for (?:me|beginners|2\d{3}|"
                r"this year|retirement|long[- ]term)|right now|now|today)\b",
    # "how much can I put in a Roth IRA?" asks for a limit, not an allocation: "can" is left out on purpose.
    allocation=r"\bhow much (?:(?:of )?my [\w ]{1,20}? |money )?(?:should|do|would) (?:i |we )?(?:go |be )?"
               r"(?:put|invest|allocate|go|be|spend|risk)\b.{0,30}?\b(?:in|into|on|to)\b|"
               r"\bwhat (?:percent(?:age)?|%|portion|share|fraction|proportion) of my\b|"
               rf"\bhow should {I_} (?:allocate|split|divide|invest|diversify|rebalance|spend) (?:my|our)\b|"
               rf"\bwhere (?:should|do|can) {I_} (?:invest|put|park|stash|keep) (?:it|my|our|\$?\d|money|cash|savings)|"
               r"\bbest way to (?:invest|put|use|allocate) (?:my |our |\$?\d|\d+k|money|savings|cash)",
    can_i_get_in=rf"\bcan {I_} (?:still )?(?:get|jump|buy) in\b",
    zh_modal_trade=rf"{ZH_MODAL}(?:现在)?{ZH_TRADE}|{ZH_MODAL}把.{{1,12}}?{ZH_TRADE}",
    zh_buy_or_sell=r"(?:买|卖|拿|持有|留|走|抛|加仓|减仓|割|止损)(?:着)?还是(?:不买|卖|拿|持有|留|走|抛|买|加仓|减仓|"
                   r"继续持有|继续拿|清仓)",
    zh_pick=r"推荐.{0,8}(?:股票|基金|币|etf|理财|产品|标的|板块)|荐股(?!骗局)|帮我(?:选|挑|推荐|配)|"
            r"(?:选|挑|买)(?:哪|那)(?:只|个|支|些|一只|一个)|(?:买|投|配置|选)什么(?:股票|基金|币|好|比较好|产品)?|"
            r"哪(?:只|个|支)(?:股票|基金|etf|币)(?:好|值得|能买|可以买|比较好)",
    zh_allocation=r"(?:仓位|比例)怎么(?:配|分|定|安排)|(?:多少|几成|什么)(?:比例|仓位)|拿(?:来|去)买|用来买",
)
# "怎么投资 / 放在哪里" is advice when it is about the asker's own money ("我有10万块，应该怎么投资？").
ZH_MY_MONEY_ALLOCATION = re.compile(r"(?:怎么|如何|该怎么|应该怎么)(?:配置?|分配|投资?|理财|操作|安排)|"
                                    r"(?:放|投|存)(?:在)?哪(?:里|儿)?")
# Soft verbs after "should I" ("should I invest ..."), advice only with an OBJECT.
SHOULD_I_SOFT = re.compile(rf"{SHOULD_I} (?:still |just |now |also )?{SOFT_VERB}")
# An opinion asked about a named security ("thoughts on PLTR?", "怎么看茅台").
OPINION = RuleSet.of(
    opinion=r"\bwhat do you think (?:of|about)\b|\bthoughts on\b|\b(?:your|ur) (?:take|view|opinion) on\b|"
            r"\bhow do you feel about\b|\bopinion on\b|\banaly[sz]e\b",
    zh_opinion=r"怎么看|如何看待|看法|觉得.{0,6}怎么样|分析(?:一下|分析)",
)

# 6. Prediction: future price, direction, target or timing.
MODAL = r"(?:will|wil|would|could|can|might|may|gonna|going to|about to|set to|likely to|expected to)"
MOVE = (r"(?:go(?:es)? (?:up|down|higher|lower|back up|to zero)|rise|fall|drop|crash|rally|moon|pump|dump|recover|"
        r"rebound|bounce(?: back)?|double|triple|\d+x|hit|reach|break|surpass|top out|bottom out|tank|soar|skyrocket|"
        r"explode|climb|sink|collapse|outperform|underperform|flip|keep (?:rising|falling|going up|going down|climbing|"
        r"dropping)|continue to (?:rise|fall|climb|drop)|survive|be worth|be at|trade at|cost|end (?:up|the year)|"
        r"get back|return to|come back|recover|rip|squeeze|correct|cut rates|hike rates|raise rates|cut interest|"
        r"(?:push|send|drive|move|take)(?: \w+){0,2} (?:higher|lower|up|down))\b")
PREDICTION = RuleSet.of(
    # "can a stock go to zero?" asks about stocks in general: a generic subject is not a forecast.
    will_move=rf"\b{MODAL}\b(?! an? )(?: \S+){{0,5}}? {MOVE}",
    price_level=r"\b(?:going|headed|heading|get|make it|go|climb|rise|fall|drop) to \$?\d",
    future_value=r"\bwhat (?:will|would|could|might) .{1,30}? (?:be worth|be at|be trading|trade at|cost|be priced)\b|"
                 r"\bhow much (?:will|would|could|might) .{1,30}? (?:be worth|cost|go up|be)\b|"
                 r"\bhow (?:high|low|far|much higher|much lower) (?:can|will|could|might|would|is|does)\b",
    heading=r"\bwhere(?:'s|s| is| are) .{1,30}?(?:heading|headed|going)\b|"
            r"\bwhere will (?!i |we |you ).{1,30}?\b(?:be|go|trade|end)\b|\bwhere do you see\b",
    your_call=r"\b(?:your|ur) (?:prediction|forecast|price target|target|outlook|guess)s?\b|"
              r"\b(?:bullish|bearish) (?:on|about)\b|\bare you (?:bullish|bearish)\b",
    timing=r"\b(?:good|right|best|bad|great|perfect|ideal|smart) (?:time|moment|entry(?: point)?|point) (?:to|for) "
           r"(?:buy|sell|invest|get in|get into|get out|enter|exit|load|jump|start buying)\b|"
           r"\btoo (?:late|early) to (?:buy|sell|invest|get in|get into|jump in|enter)\b|"
           r"\bwhen(?<!know when)(?<!decide when)(?<!tell when)(?<!learn when) "  # "how do I know when to sell"
           r"(?:to|is the best time to|will it be time to|is it time to) "
           r"(?:buy|sell|invest|get in|exit|enter)\b",
    turning_point=r"\bhas .{1,20}? (?:bottomed|topped|peaked)\b|\bis (?:this|it|that) the (?:top|bottom|peak)\b|"
                  r"\bis the (?:bottom|top) in\b",
    valuation=r"\b(?:is|are) .{1,30}? (?:overvalued|undervalued|overpriced|underpriced|in a bubble|a bubble)\b",
    macro=r"\bwill there be an? (?:recession|crash|correction|bear market|bull run|rally|depression|crisis)\b|"
          r"\b(?:is|are) (?:an? |the )?(?:recession|crash|correction|bear market|bull run|rally|crisis|bull market|"
          r"alt ?season|soft landing|hard landing) (?:coming|near|imminent|over|here|starting|ahead|on the way|likely|"
          r"possible|probable|inevitable)\b",
    zh_will_move=r"(?:会|能|还会|还能|会不会|能不能|可能|将|将要|还要|是否会|是否能)(?:继续|再|大幅)?(?:涨|跌|大涨|大跌|"
                 r"暴涨|暴跌|上涨|下跌|崩|反弹|回调|突破|翻倍|见底|见顶|回到|回本|涨回|跌破|降(?!低)|升(?!值|级)|回升|走强|走弱|"
                 r"创新高|持续)",
    zh_forecast=r"(?:涨|跌)到多少|能涨多少|涨多少|目标价(?:是|多少|定)|(?:后市|后期|未来|今后|接下来)(?:走势|怎么看|如何|"
                r"会|表现)|走势(?:如何|怎么看|会)|怎么走|(?:买入|入场|进场|抄底|卖出)的?时机|是不是.{0,4}时机|见底|见顶|到底了|底部|顶部|(?:好|最佳|合适)(?:的)?(?:时机|买点)|"
                r"什么时候(?:买|卖|入场|进场|见底|反弹|涨|跌|能涨|会涨|回本|是.{0,4}时机)|上涨空间|下跌空间|还有(?:机会|空间)|"
                r"看好|看空|看(?:涨|跌)(?!期权|合约)|涨还是跌|(?:牛市|熊市|股灾|崩盘|危机|衰退)(?:要|快)?(?:来了|来临|到来|结束)",
)

# 7. Named-security defaults: trade words -> advice, price/target/future words -> prediction.
TRADE_WORDS = RuleSet.of(
    trade=r"\b(?:buy|sell|hold|short|dump|hodl|trim|exit|entry|invest|accumulate|load up|all in|yolo|ape|calls?|puts?|"
          r"leaps)\b",
    zh_trade=ZH_TRADE,
)
FUTURE_WORDS = RuleSet.of(
    future=r"\b(?:will|wil|gonna|going to|tomorrow|next (?:day|week|month|quarter|year|decade)|by (?:end of|the end|"
           r"20\d\d|dec\w*|jan\w*)|in 20[2-9]\d|in \d+ (?:years?|months?)|outlook|forecast|predict\w*|prediction|"
           r"price targets?|targets?|pt|moon|to the moon|pump|rip|squeeze|\d+x|bullish|bearish|upside|future|"
           r"eventually|ever|soon|expect\w*|going (?:up|down|higher|lower))\b|\bto \$?\d[\d,.]*\s?(?:k|m)?\b",
    zh_future=r"明天|下周|下个月|明年|下半年|年底|年内|未来|今后|以后|接下来|后市|后期|目标|预测|预期|前景|走势(?!图)",
)
# An explainer frame makes trade or future words a topic, not a request ("what does 'buy the dip' mean?").
EXPLAINER = RuleSet.of(
    explainer=r"\bwhat(?:'s| is| are|s) (?:an? |the difference|the meaning)\b|\bwhat happens\b|\bmeans?\b|"
              r"\bmeaning\b|\bdefin\w+|^how (?:do|does|did|is|are|can) (?!i\b|we\b|you\b)|^why\b|"
              r"\b(?:risks?|pros and cons|downsides?|dangers?) of\b|\bis it (?:risky|safe|true|bad)\b|\bhow risky\b|"
              r"^(?:explain|define|describe|tell me about)\b|"
              r"^how (?:do|can) (?:i|you|one|we) (?:buy|sell|trade|invest in|open|start|short)\b",
    zh_explainer=r"什么是|什么叫|是什么|什么意思|是啥|有什么(?:区别|不同|风险|影响|关系|好处|坏处)|有哪些风险|"
                 r"风险(?:有多大|大吗|高吗)|为什么|如何(?:识别|判断|理解)|怎么(?:判断|理解|用|算|计算)|原理|区别",
)
# "Is it wise to buy ..." is advice when it is about the asker or a named security ("is it smart to buy QQQ
# with my bonus?"), not as a general question ("is it bad to hold too many ETFs that overlap?").
IS_IT_WISE_TO = re.compile(r"\bis it (?:a )?(?:good|smart|wise|bad|dumb|stupid|ok|okay|safe)(?: idea| move)? "
                           r"(?:for me )?to (?:buy|sell|invest|put|get into|hold|short|keep|move)\b")
PERSONAL = re.compile(r"\b(?:my|me|i|we|our)\b|\$\s?\d|\b\d+(?:[.,]\d+)?\s?k\b|\bnow\b")
# "Why ..." about nothing in particular asks for an explanation, even with forecast words in it
# ("为什么基金净值会下跌？", "why do bond prices go down when rates go up").
WHY = RuleSet.of(why=r"\bwhy\b", zh_why=r"为什么")
# A quoted term asked about ("what does 'dead cat bounce' mean?") is jargon, never off-topic.
QUOTED_TERM_MEANING = re.compile(r"['\"][^'\"]{2,40}['\"].{0,20}\bmean|\bmean\w* (?:of )?['\"]")

# 8. Cues, consulted after the phrase rules and the lookups. A decision frame with something to decide about is
# advice ("should I dca into btc or lump sum?"); a future marker with a movement and a subject is a prediction
# ("think btc breaks 100k this cycle?"). Word order does not matter here, which is what makes them broad.
DECISION = RuleSet.of(
    first_person=r"\b(?:should|shall|shld|shud|ought) (?:i|we|my)\b|\b(?:i|we) should\b|\btime for me to\b|"
                 r"\bdo (?:i|we) (?:buy|sell|hold|add|exit|get|go|wait|keep|dump|trim)\b|"
                 r"\bcan (?:i|we) (?:still )?(?:buy|sell|get|add|invest)\b|"
                 r"\bmy (?:money|savings|cash|pension|401k|ira|bonus|position|positions|shares|holdings|crypto|coins|"
                 r"retirement)\b",
    second_person=r"\b(?:would|will|do|did|can|could) (?:you|u) (?:\w+ ){0,2}?(?:recommend|suggest|buy|sell|hold|own|"
                  r"pick|choose|prefer|rather|go with|put|invest|get|add|keep|touch|advise)\b|\bif you were me\b|"
                  r"\b(?:your|ur) (?:top |best )?picks?\b|\bwhat would you\b|\byou recommend\b",
    evaluative=r"\b(?:good|great|bad|smart|wise|dumb|stupid|right|wrong) (?:idea|move|call|choice|bet|option|pick)\b|"
               r"\bworth (?:it|buying|getting|owning|holding)\b|\bbetter (?:buy|to buy|investment|pick|option|bet)\b|"
               r"\bwhich (?:one|is better|is the better)\b|\bsafe (?:place|bet) (?:to|for) (?:park|put|keep|invest)\b|"
               r"\bwhich (?:\w+ )?(?:funds?|stocks?|etfs?|coins?|bonds?)\b",
    trade_management=r"\btake (?:some )?profits?\b|\blet it ride\b|\bcut (?:my )?loss(?:es)?\b|\baverage down\b|"
                     r"\bdouble down\b|\b(?:buy|add) more\b|\bgo all[- ]?in\b|\ball[- ]?in on\b|\bbag ?hold",
    how_much_should=r"\bhow much (?:\w+ ){0,3}(?:should|do) (?:i|we) (?:own|have|hold|buy|put|invest|allocate)\b",
    zh_decision=r"该|应该|要不要|能不能|可不可以|可以|值得|合适|适合|还是|推荐|建议|你(?:会|觉得|认为|怎么看)|如果是你|帮我|"
                r"我想",
)
# What a decision can be about. A trade verb is enough ("should I be buying more on this dip?"); a product alone
# is not for every frame ("can you explain how ETFs work?"), see ``advisor.intent._advice_cue``.
TRADE_OBJECT = RuleSet.of(
    trade=r"\b(?:buy|buying|sell|selling|hold|holding|short(?![- ]term)|dump|trim|exit|add|adding|invest|investing|"
          r"own|get into|move|switch|swap|rebalance|profits?)\b",
    zh_trade=r"买|卖|入手|加仓|减仓|清仓|割肉|止损|止盈|持有|拿着|上车|梭哈|补仓|建仓|抄底|赎回|换成|转成|放|满仓|空仓|"
             r"半仓|轻仓|重仓|换(?:一只|一个|掉|仓)",
)
PRODUCT_OBJECT = RuleSet.of(
    product=rf"\b(?:{PRODUCTS})",
    zh_product=r"股|基金|etf|黄金|债|币|理财|存款|余额宝|银行|资产|房",
)
# Frames that need a product or a trade verb together with the asker, a choice or a request for a pick.
CHOICE = RuleSet.of(choice=r"\bor\b|\bvs\.?\b|\bversus\b", zh_choice=r"还是|推荐|哪(?:只|个|支|些)")
NOT_A_PRODUCT_PICK = re.compile(r"\b(?:books?|course|courses|podcasts?|apps?|websites?|channels?|resources?|"
                                r"reading|videos?|newsletters?)\b")
# Effect and what-if questions ask how things work ("how will rising rates affect my bond fund?").
MECHANISM = re.compile(r"\b(?:affect|affects|impact|impacts|influence|react|respond)\b|\bif\b|"
                       r"\bwhen\b(?! (?:will|does|do|is|are|can|could|might|should|to)\b)")  # "when X happens"
# General practice ("should I learn about bonds first?") is education unless a trade or a security is named.
GENERAL_PRACTICE = re.compile(r"\bshould (?:i|we) (?:have|build|start|learn|read|study|save|pay off|open|understand|"
                              r"know|worry|care|ignore|diversify|use|avoid|be (?:worried|concerned|scared)|check|"
                              r"track|consult|talk|ask|hire)\b")
DIRECT_TRADE = re.compile(r"\b(?:buy(?:ing)?|sell(?:ing)?|short(?:ing)?(?![- ]term)|dump(?:ing)?|trim(?:ming)?|exit|"
                           r"take profits?|cash out)\b")
FORECAST = RuleSet.of(
    future=r"\b(?:will|wil|gonna|going to|about to|heading|headed|expect\w*|likely|chance|odds|forecast|predict\w*|"
           r"outlook|next|tomorrow|this (?:cycle|month|year|quarter|week)|by (?:year[- ]end|christmas|december|the end|"
           r"end of|20\d\d)|in 20\d\d|in \d+ (?:years?|months?|weeks?)|ever|eventually|soon|too (?:late|early)|"
           r"when will|when does|stay|in for|coming|this decade|by (?:friday|monday|the weekend|eoy|next)|before "
           r"(?:the election|earnings|the halving|year[- ]end)|after the (?:halving|election|split|earnings)|eoy|eow|"
           r"short[- ]term)\b|'ll\b",
    zh_future=r"会|能|将|要|还|今年|明年|下周|明天|下半年|年底|这波|这轮|什么时候|多久|多远|是不是|以后|未来|接下来",
)
MOVEMENT = RuleSet.of(
    move=r"\b(?:up|down|higher|lower|rise|rising|fall|falling|drop|dropping|crash\w*|tank\w*|pop|pump\w*|dump|rip\w*|"
         r"moon\w*|recover\w*|rebound|bounce|hits?|reach\w*|breaks?|top|bottom\w*|highs?|lows?|peak|rally|"
         r"correction|recession|bear market|bull market|bubble|soft landing|hard landing|stronger|weaker|strengthen|"
         r"weaken|outperform|underperform|double|triple|lead\w*|happen|worth|price|prices|cost|heading|headed|"
         r"direction|trajectory|end (?:up|the year)|finish|land|to (?:zero|a (?:dollar|penny|million)))\b",
    level=r"[$\d][\d,.]*\s?[kx]?\b",  # a price level or a multiple: "1000 by year end?", "to 10x"
    zh_move=r"涨|跌|崩|反弹|回调|见底|见顶|突破|翻倍|回到|回来|持续|走|贬值|升值|站岗|套|到多少|多少点|底|顶|高点|低点|调整|"
            r"泡沫|好吗|好不好",
)
# A question in the past tense asks what happened ("what was the income in 2018?"), unless it also says "will".
PAST_TENSE = re.compile(r"\b(?:was|were|did|had|grew|fell|rose|increased|decreased|declined)\b")
PLAIN_FUTURE = re.compile(r"\b(?:will|gonna|going to|next|expect\w*|forecast|predict\w*)\b|'ll\b")
FORECAST_SUBJECT = RuleSet.of(
    subject=r"\b(?:market|markets|stocks?|equities|s&p|nasdaq|dow|tech|crypto\w*|bitcoin|altcoins?|gold|silver|oil|"
            r"housing|house prices|real estate|bonds?|bond prices|rates|interest rates|yields?|dollar|yen|euro|"
            r"currency|inflation|economy|recession|fed|sector|banks?|ai|correction|bear market|bull market|bubble)\b",
    zh_subject=r"股|市|大盘|黄金|房价|楼市|指数|板块|汇率|人民币|美元|利率|行情|牛市|熊市|币|基金|入场|买入|这波|这轮",
)

# 9. Decision parts (v6): who decides, a decision action, something to decide about (``intent._decision_parts``).
ASKER = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|mine|we|we're|our|us)\b")
OPINION_ASKED = re.compile(r"\b(?:would|will|do|did|could|can|should) (?:you|u|ya)\b|\byou think\b|"
                           r"\b(?:your|ur) (?:pick|call|choice|move|vote|play)\b|\bif you were\b")
EXPLICIT_ASK = re.compile(r"\bhelp (?:me|us) (?:choose|pick|decide)\b|\bwhich (?:ones?|of (?:these|them|the two|"
                          r"those))\b|\bany (?:ideas|suggestions|tips|advice)\b|\b(?:yes or no|good call)\b|"
                          r"\b(?:smartest|best|wisest|safest|right|next|smart|better) (?:move|play|bet)\b")
DECISION_ACTION = re.compile(
    r"\b(?:buy(?:ing)?|sell(?:ing)?|hold(?:ing)?|trim(?:ming)?|add(?:ing)?|put(?:ting)?|invest(?:ing)?|"
    r"mov(?:e|ing)|allocat\w*|choos(?:e|ing)|pick(?:ing)?|switch(?:ing)?|swap|dump(?:ing)?|load(?:ing)? up|"
    r"get(?:ting)? (?:in|out|into)|start (?:buying|investing|selling|adding)|go(?:ing)? all[- ]?in|all[- ]?in|"
    r"rotat\w*|play|keep(?:ing)?|take profits?|lump[- ]?sum|dca|park|stash|go with|exit|double down|"
    r"average down|cash out|pull (?:\w+ )?out|overweight|underweight|spend|shift|stay in|let it ride|do with|"
    r"where to put|go (?:in|into)|pay (?:down|off)|(?:over|under)[- ]?exposed|exposure|"
    r"too (?:much|heavy|concentrated))\b")
DECISION_OBJECT = re.compile(
    rf"\b(?:{PRODUCTS})|\b(?:roth|401k|403b|ira|hsa|529|index funds?|winners|losers|positions?|portfolio|"
    r"the market|s&p|dividends?|calls|puts|savings|emergency fund|bonus|paycheck|inheritance|pension|"
    r"retirement)\b|\$\s?\d|\b\d+(?:[.,]\d+)?\s?(?:k|thousand|mil|million|bucks|dollars)\b|\b\d+(?:\.\d+)?\s?%")
IMPERATIVE_START = re.compile(  # the question opens with the decision itself: "trim NVDA?"
    r"^(?:buy|sell|hold|trim|dump|rotate|switch|swap|go all|load up|take profits|cash out|double down|average down)\b")
# Mechanics and what-if frames: the asker is in them, but they ask how things work.
MECHANICS = re.compile(
    r"\bcan (?:i|you|we|one) (?:lose|owe|go negative|get (?:taxed|margin|scammed))\b|\bwhat happens\b|"
    r"\bis it true\b|\bdo (?:i|we|you) (?:actually|really) (?:own|get|pay|have)\b|^if (?:i|we|you)\b|"
    r"\bhow (?:do|can|would) (?:i|we) (?:start|begin|open|set up|get started|go about|do (?:that|this|it))\b|"
    r"\b(?:tax|taxes|taxed|calculated|reported|deduct\w*|owe|works?)\b|^how (?:do|can|would) (?:i|we)\b|"
    r"\bwhy (?:do|does|is|are|did)\b|\b(?:should|need to|have to) (?:i |we )?(?:learn|read|study|understand|know|"
    r"be aware)\b|\bcan you explain\b|\bis it possible (?:to|for)\b|\bwhere (?:does|do) (?:the|my|our) money go\b|"
    r"^where (?:can|do) (?:i|we|you|one) (?:buy|sell|trade|open)\b")
# A question opening with a question word or a condition asks for facts ("what fees do I pay when I buy an index
# fund?", "when I buy a stock, who sells it to me?") unless it asks for a decision or an opinion as well.
INFO_OPENER = re.compile(r"^(?:who|what|when|how|why|if|once|after)\b")
DECISION_MODAL = re.compile(r"\b(?:should|shall|shld|shud|ought)\b")
ZH_MECHANICS = re.compile(r"了解一下|要注意什么|有什么要注意|注意事项|流程|怎么开户|如何开户")
# Chinese: a decision about money or a product with an evaluation asked for ("工资拿去买银行股合适吗").
ZH_DECISION_ASKED = re.compile(r"怎么样|靠谱|行不行|行吗|可以吗|好不好|合适吗|值得吗|划算吗|明智吗|妥吗|对吗")
ZH_DECISION_ACT = re.compile(rf"{ZH_TRADE}|拿去|拿来|用来|投进|放进|全投|all ?in")
