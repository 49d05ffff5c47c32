"""When a sentence that contains a blocked phrase is still fine to say: quotations and warnings, nothing else.

A phrase is excused only when it is (a) inside real quotation marks ("...", “...”, 「...」, 『...』; never
single apostrophes, which also mark "it's" and "can't"), or (b) the object of an explicit warning in the
same clause: negated ("returns are not guaranteed", 任何投资都不保本), warned against ("be wary of anyone who
promises ..."), put in a fraudster's mouth ("scammers often promise ...", 骗子常说 ...), or the subject of a
warning ("claims that X is guaranteed are a red flag", 声称保本保收益的都是骗局). A warning word elsewhere in
the sentence excuses nothing: "Not a scam: this fund is guaranteed" is two clauses, and the promise stands.

Patterns read ``advisor.text.normalise`` output and are matched clause by clause (``advisor.guard`` splits
clauses), so ``.*`` below never runs past a clause. Each match is the span it excuses.
"""

from __future__ import annotations

import re

# Quoted passages become one private-use character, so a rule can still see that a quotation stood there.
QUOTE_MARK = "\ue000"
QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|「[^」\n]*」|『[^』\n]*』')

# --- clauses ----------------------------------------------------------------------------------------------
# Hard breaks end a statement (". ", ";", ":", "!", "?", "。", a dash between spaces). Soft breaks start a new
# claim inside one: "but ...", or a comma followed by a fresh subject and verb (", this fund is ...").
HARD_BREAK = re.compile(r"\.(?=\s|$)|(?<=[\u4e00-\u9fff])\.|[;:!?。]|\s[-–—]+\s|—")
SOFT_BREAK = re.compile(
    r",? \b(?=(?:but|yet|however|although|though|whereas)\b)|"
    r", (?:and |so |then )?(?=(?:[\w$&.-]+ ){1,2}(?:will|'ll|is|are|can|could|has|have|should|must|was|were|"
    r"going|gonna|would)\b|(?:it|this|that|he|she|they|we|you|there|i)'(?:s|re|ll|d|m)\b)")

# --- named assets and general statements ------------------------------------------------------------------
# Tickers are found in the original text, where case survives: NVDA, $TSLA, 0700.HK. Common capitalised
# abbreviations of the trade are not tickers.
TICKER = re.compile(r"(?<![\w$])\$?[A-Z]{2,5}(?:\.[A-Z]{1,2})?(?![\w])")
NOT_TICKERS = frozenset(
    "ETF ETFS IPO IPOS ESG USD HKD RMB CNY EUR GBP JPY FDIC SEC CSRC FINRA SIPC NAV GDP CPI PE EPS ROE REIT REITS "
    "US UK EU HK UCITS SRRI PRIIPS KYC APP API AI CEO CFO IRA ISA MMF TIPS APR APY YTM DCA OTC NYSE LSE HKEX SSE "
    "SZSE ATM OK AM PM FAQ VAT LLC INC USA FED ECB BOE BOJ IMF OECD ID PDF SMS DM VIP STAR QDII LOF FOF NO YES "
    "I ZERO RISK FREE BUY SELL NOW GUARANTEED RETURNS THIS IS SURE THING PROFITS DOUBLE".split())
CONDITIONAL = re.compile(
    r"\b(?:if|when|whenever|unless|once|as long as|provided|assuming|suppose|supposing|imagine|hypothetical(?:ly)?|"
    r"for example|for instance|in this example|each time|every time|the more|the longer|"
    r"during (?:a|an)|"
    r"in (?:a|an) (?:[\w-]+ ){0,2}(?:market|environment|scenario|case|downturn|crash|crisis|recession|rally|sell-?off)|"
    r"as (?:interest )?(?:rates|yields|prices|inflation)|at \d[\d.]*\s?% a year)\b|"
    r"如果|假如|假设|(?<!倘)若(?!干)|倘若|一旦|只要|要是|例如|比如|当[^,。]{0,20}时|时,|时候|的话|"
    r"在[^,。]{0,12}(?:期间|时期|行情中|环境下|情况下|市场中)|随着")
# "Rule of 72" sentences talk about money doubling as arithmetic, not as a promise.
RULE_OF_72 = re.compile(r"\brule of 72\b|72法则")

# --- warnings and negations (English) ---------------------------------------------------------------------
# Words that may sit between a negation and what it negates: "not entirely risk-free", "never promise
# guaranteed returns", "are not allowed to guarantee". Anything else breaks the link ("never seen anything
# this risk-free" is a promise).
NEGATION_GAP = (r"(?:a|an|the|always|necessarily|entirely|completely|fully|totally|truly|really|at all|actually|"
                r"automatically|ever|any|strictly|quite|legally|by law|allowed to|permitted to|able to|supposed to|"
                r"promise|promises|offer|offers|give|gives|provide|provides|make|makes|mean|means|imply|implies|"
                r"you|your|be|been|being|100%|100 percent|such|something|that|a single|completely)")
REPORTER = (r"(?:anyone|anybody|someone|somebody|people|those|advisers?|advisors?|sellers?|salesm[ae]n|promoters?|"
            r"influencers?|groups?|channels?|platforms?|apps?|sites?|websites?|offers?|products?|schemes?|posts?|"
            r"messages?|ads?|adverts?|advertisements?|pitches?|tips?|claims?|promises?|predictions?|forecasts?|"
            r"newsletters?|gurus?|strangers?|firms?|brokers?|accounts?|calls?|signals?|hype|screenshots?|"
            r"testimonials?|phrases?|slogans?|language|talk|assuming|believing|thinking|expecting)")
SCAMMER = (r"(?:scammers?|fraudsters?|con (?:artists?|men)|swindlers?|crooks?|criminals?|promoters?|"
           r"pump[ -]and[ -]dump (?:schemes?|promoters?|groups?)|scam (?:groups?|artists?|ads?|messages?|sites?|"
           r"websites?|channels?|apps?|platforms?|operators?)|fake (?:platforms?|advisers?|advisors?|brokers?|apps?|"
           r"gurus?|experts?|teachers?)|boiler rooms?|ponzi schemes?|fraudulent \w+|bad actors?|impostors?|"
           r"imposters?|shills?|pumpers?|touts?|unlicensed (?:firms?|advisers?|sellers?|brokers?|platforms?))")
WARN_NOUN = (r"(?:red flags?|warning signs?|signs? of (?:a )?(?:scam|fraud)|hallmarks? of (?:a )?(?:scam|fraud)|scams?|"
             r"frauds?|fraudulent|lies|lying|misleading|illegal|too good to be true|a trap|suspicious|speculation|"
             r"running a scam|(?:classic |common |typical )?(?:scam|pressure|sales) tactics?|not to be trusted|"
             r"untrustworthy|false|myths?)")
COPULA = (r"(?:is|are|'s|'re|was|were|remains?|sounds?|seems?|looks?)(?: (?:usually|often|typically|almost always|"
          r"always|likely|probably|generally|commonly|nearly always|a|an|the|classic|common|typical|major|big|clear|"
          r"sure|serious|strong))*")
EXEMPTIONS_EN = tuple(re.compile(p) for p in (
    # Negation directly governing the promise: "not guaranteed", "does not guarantee", "never risk-free".
    rf"\b(?:not|never|no longer|n't|without|no)(?: {NEGATION_GAP}){{0,3}} (?=guarantee|risk ?-? ?free|riskless|"
    r"sure|certain|assured|promised|safe|protected|free of risk|without risk|can'?t lose|double your money|\w+ly "
    r"guaranteed)",
    # A negated subject takes the whole clause: "no investment is risk-free", "nobody can guarantee that ...".
    r"\b(?:no (?:investment|product|fund|asset|stock|share|bond|security|strategy|portfolio|one|adviser|advisor|"
    r"broker|bank|firm|company|market|system|method|indicator|model|expert|analyst|human|trader|(?:legitimate|genuine|"
    r"licensed|real|honest|reputable|regulated) \w+)s?|nobody|no-one|none of us|nothing(?: \w+){0,2}) (?:is|are|"
    r"was|can|could|will|would|should|may|knows?|has|have|does|do)\b.*",
    r"\bno such thing as\b.*",
    # Uncertainty about the future, said as such.
    r"\b(?:says|tells you|reveals) nothing about (?:whether|when|where)\b.*|\b(?:no way of knowing|impossible to "
    r"(?:know|predict|say|tell)|hard to (?:know|predict|say|tell)|uncertain|unclear) (?:whether|when|if|where|how)\b.*",
    # Warned against: "be wary of anyone who promises ...", "ignore posts that say ...".
    rf"\b(?:beware|be (?:wary|careful|suspicious|skeptical|sceptical|cautious)|watch out|look out|steer clear|"
    rf"stay away|avoid|ignore|distrust|walk away|(?:don'?t|do not|never) (?:trust|believe|listen to|follow|fall for)|"
    rf"treat) (?:of |for |with |about |from )?(?:[\w'-]+ ){{0,4}}?{REPORTER}\b.*",
    r"\b(?:don'?t|do not|never|nobody should) (?:assume|expect|think|believe|count on|bet that|rely on) (?:that|a|an|"
    r"the|any|prices?|stocks?|markets?|it|you|your)\b.*",
    # Put in a fraudster's mouth: "scammers often promise ...", "pump-and-dump promoters claim ...".
    rf"\b{SCAMMER} (?:\w+ ){{0,2}}?(?:promise|claim|say|tell|insist|advertise|tout|offer|pitch|guarantee|boast|lure|"
    r"use|post|send|push|spread|predict|describe|call|hype|show|share|flash|display)\w*\b.*",
    r"\b(?:regulators?|authorities|watchdogs?|the sec|finra|the fca|the police) (?:\w+ )?(?:warn|caution)\w*\b.*",
    # The promise as the subject of a warning: "claims that X is guaranteed are a red flag".
    rf"\b{REPORTER}\b.{{0,120}}?\b{COPULA} {WARN_NOUN}\b",
    rf"^(?:(?!is\b|are\b)[\w'-]+ ){{1,4}}{COPULA} {WARN_NOUN}\b",
    rf"\b{REPORTER}\b.{{0,120}}?\b(?:signals?|suggests?|indicates?|points? to|should make (?:you|anyone)) (?:a )?"
    r"(?:fraud|scams?|suspicious)\b",
    r"\b(?:it'?s|it is|that'?s|that is|this is)(?: \w+)? (?:a |an )?(?:\w+ )?(?:red flag|warning sign|myth|"
    r"misconception|mistake|error|fallacy|trap) (?:when|if|that|to (?:think|believe|assume|expect))\b.*",
    r"\b(?:mistake|error|misconception|myth|fallacy|trap)s? (?:is |was |are )?(?:to )?(?:assum|believ|think|expect)\w*\b.*",
    # Reported in a warning about what to do: "if someone tells you it can't lose, walk away".
    r"\bif (?:someone|somebody|anyone|anybody|people|strangers?|an? (?:[\w-]+ ){0,4}?(?:seller|salesperson|adviser|"
    r"advisor|broker|friend|group|post|message|ad|website|app|platform|promoter|influencer|caller|contact|teacher|"
    r"stranger|account|person))(?: [\w-]+){0,5}? (?:tells?|says?|promises?|claims?|assures?|insists?|swears?|offers?|"
    r"guarantees?|pitches?)\b(?=.*\b(?:walk away|hang up|be (?:very )?(?:suspicious|careful|wary|skeptical)|treat it as|"
    r"report|scam|fraud|red flag|warning sign|don'?t (?:trust|believe|invest|send|pay)|do not (?:trust|believe|invest|"
    r"send|pay))\b).*",
))

# --- warnings and negations (Chinese) ---------------------------------------------------------------------
ZH_CLAUSE = r"[^,。;:!?]"
ZH_WARNING_PREDICATE = (
    r"(?:(?:都|往往|基本上?都?|多半|大多|一定|就|通常|很可能|可能|均|肯定)?(?<![不非没])(?:是|属于|为)(?:一种|一个|典型的?|常见的?|"
    r"明显的?|非常明确的)*(?:骗局|诈骗|骗子|陷阱|误区|非法|违法|虚假宣传|谣言|话术|危险的想法|错误的?想法|伪造|假的|噱头)|"
    r"值得怀疑|不可信|不能信|(?:一定|应当|应该|需要)?要?远离|(?:应当|应该|需要|要)?(?:引起(?:高度)?|提高)?警惕)")
EXEMPTIONS_ZH = tuple(re.compile(p) for p in (
    # Negation directly before the promise (within a few characters, never across "骗局": "不是骗局，保本" is
    # a promise). "不用担心/不怕" reassure rather than negate.
    r"(?:并不代表|并不意味着|并不等于|不代表|不意味着|不等于|不能保证|无法保证|不保证|不存在|不可能|不允许|从来不|从不|绝不|"
    r"不得|禁止|严禁|不应|不可|不要|切勿|不再|未必|不一定|难以|谈不上|并非|不是|不会|不能|无法|没有|并不|没|勿|别|不)"
    r"(?![用必怕愁]|担心)(?:(?!骗|诈|假)[^,。;:!?]){0,8}",
    # Warned against, or said by a fraudster, to the end of the clause.
    rf"(?:警惕|谨防|小心|当心|提防|留意|防范|远离|切勿相信|不要相信|别相信|不要轻信|切勿轻信|勿信|不可轻信|识破|揭穿|举报|拒绝|"
    rf"怀疑|注意识别|警示){ZH_CLAUSE}*",
    rf"(?:骗子|诈骗分子|不法分子|诈骗团伙|犯罪分子|非法荐股|荐股群|杀猪盘|虚假平台|假老师|黑平台|非法机构|骗局|托儿?|庄家)们?"
    rf"(?:常|经常|往往|通常|会|总是|常常|惯用|一般|多|都|就|也|还)*(?:说|称|声称|宣称|号称|承诺|鼓吹|宣传|吹嘘|保证|标榜|用|以|"
    rf"打着|许诺|诱导|忽悠|让|要求|晒|发|伪造|冒充){ZH_CLAUSE}*",
    rf"(?:没有人|没人|谁也|任何人都)(?:能|可以|能够)?(?:准确|可靠)?地?(?:预测|知道|判断|保证|预知){ZH_CLAUSE}*",
    rf"(?:错误|误区|误解|迷思)是(?:认为|以为|觉得|相信){ZH_CLAUSE}*",
    # The promise as what someone claims, followed by the verdict: 声称保本保收益的都是骗局.
    rf"(?:声称|宣称|号称|鼓吹|吹嘘|标榜|许诺|承诺|宣传|打着|以为|认为|相信|觉得|告诉|催促|有人)[^。;!?]{{0,60}}?"
    rf"{ZH_WARNING_PREDICATE}",
    rf"^{ZH_CLAUSE}{{1,8}}?{ZH_WARNING_PREDICATE}",
))
EXEMPTIONS = EXEMPTIONS_EN + EXEMPTIONS_ZH
