"""When a sentence holding a blocked phrase may still be said: quotations and warnings, nothing else.

A phrase is excused only when it is (a) inside real quotation marks ("...", “...”, 「...」, 『...』; never
single apostrophes, which also write "it's" and "can't"), or (b) the object of an explicit warning in the
same clause: negated ("returns are not guaranteed", 任何投资都不保本), warned against ("be wary of anyone who
promises ..."), put in a fraudster's mouth ("scammers often promise ...", 骗子常说 ...), or the subject of a
warning ("claims that X is guaranteed are a red flag", 声称保本保收益的都是骗局). A warning word elsewhere in
the sentence excuses nothing: "Not a scam: this fund is guaranteed" is two statements, and the promise stands.

Three kinds of exemption, all matched clause by clause on ``advisor.text.normalise`` output (so ``.*``
never runs past a clause):
- ``EXEMPTIONS``: a trigger and what follows it; a match excuses what starts after the trigger's first
  character and inside the span ("not guaranteed" excuses "guaranteed", never the other way round);
- ``WHOLE_CLAUSE``: the promise is the subject of a warning ("guaranteed returns are a red flag");
- ``REPORTED``: a claim reported without comment, excused only when the next clause warns about it
  ("Some newsletters promise to double your money; treat them with suspicion.").
"""

from __future__ import annotations

import re


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# --- quotations and clauses -------------------------------------------------------------------------------
# Quoted passages become one private-use character, so a rule can still see that a quotation stood there.
QUOTE_MARK = "\ue000"
QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|「[^」\n]*」|『[^』\n]*』')
# Hard breaks end a statement (". ", ";", ":", "!", "?", "。", a dash between spaces). Soft breaks start a new
# claim inside one: "but ...", or a comma followed by a fresh subject and verb (", this fund is ...").
HARD_BREAK = re.compile(r"\.(?=\s|$)|(?<=[\u4e00-\u9fff])\.|[;:!?。]|\s[-–—]+\s|—")
SOFT_BREAK = re.compile(
    r",? \b(?=(?:but|yet|however|although|though|whereas)\b)|"
    r", (?:and |so |then )?(?=(?:[\w$&.-]+ ){1,2}(?:will|'ll|is|are|can|could|has|have|should|must|was|were|"
    r"going|gonna|would)\b|(?:it|this|that|he|she|they|we|you|there|i)'(?:s|re|ll|d|m)\b)")

# --- general statements -----------------------------------------------------------------------------------
# If/when statements, worked examples and cause-and-effect teach mechanics ("if rates rise, bond prices will
# fall", "利率上升时，债券价格会下跌", "利率上升会导致债券价格下跌") unless they name a particular asset.
CONDITIONAL = re.compile(
    r"\b(?:if|when|whenever|unless|once|as long as|provided|assuming|suppose|supposing|imagine|hypothetical(?:ly)?|"
    r"for example|for instance|in this example|each time|every time|the more|the longer|during (?:a|an)|"
    r"in (?:a|an) (?:[\w-]+ ){0,2}(?:market|environment|scenario|case|downturn|crash|crisis|recession|rally|sell-?off)|"
    r"as (?:interest )?(?:rates|yields|prices|inflation)|at \d[\d.]*\s?% a year)\b|"
    r"如果|假如|假设|(?<!倘)若(?!干)|倘若|一旦|只要|要是|例如|比如|当[^,。]{0,20}时|的话|随着|"
    r"(?<![随同及暂准按适平小此彼那临])时(?![间期代刻机限效髦尚])|"  # 下跌时, not 随时/同时/时间
    r"在[^,。]{0,12}(?:期间|时期|行情中|环境下|情况下|市场中)|导致|使得|造成|引起|带动|拖累")
# Tickers are read from the original text, where case survives (NVDA, $TSLA, 0700.HK); the trade's own
# capitalised abbreviations are not tickers.
TICKER = re.compile(r"(?<![\w$])\$?[A-Z]{2,5}(?:\.[A-Z]{1,2})?(?![\w])")
NOT_TICKERS = frozenset(
    "ETF ETFS IPO IPOS ESG USD HKD RMB CNY EUR GBP JPY FDIC SEC CSRC FINRA SIPC NAV GDP CPI PE EPS ROE REIT REITS "
    "US UK EU HK UCITS SRRI PRIIPS KYC APP API AI CEO CFO IRA ISA MMF TIPS APR APY YTM DCA OTC NYSE LSE HKEX SSE "
    "SZSE ATM OK AM PM FAQ VAT LLC INC USA FED ECB BOE BOJ IMF OECD ID PDF SMS DM VIP STAR QDII LOF FOF NO YES".split())
# "Rule of 72" sentences talk about money doubling as arithmetic, not as a promise.
RULE_OF_72 = re.compile(r"\brule of 72\b|72法则")

# --- English vocabulary of warnings -----------------------------------------------------------------------
# Words that may sit between a negation and what it negates: "not entirely risk-free", "never promise
# guaranteed returns", "not allowed to guarantee". Anything else breaks the link ("never seen anything this
# risk-free" is a promise).
NEGATION_GAP = (r"(?:a|an|the|always|necessarily|entirely|completely|fully|totally|truly|really|at all|actually|"
                r"automatically|ever|any|strictly|quite|legally|by law|allowed to|permitted to|able to|supposed to|"
                r"promise|promises|offer|offers|give|gives|provide|provides|make|makes|mean|means|imply|implies|"
                r"you|your|be|been|being|100%|100 percent|such|something|that|a single)")
# Who or what makes a claim someone may warn about.
REPORTER = (r"(?:anyone|anybody|someone|somebody|people|those|advisers?|advisors?|sellers?|salesm[ae]n|promoters?|"
            r"influencers?|groups?|channels?|platforms?|apps?|sites?|websites?|offers?|products?|funds?|"
            r"investments?|schemes?|posts?|messages?|ads?|adverts?|advertisements?|pitches?|tips?|claims?|"
            r"promises?|predictions?|forecasts?|newsletters?|gurus?|strangers?|firms?|brokers?|accounts?|calls?|"
            r"signals?|hype|screenshots?|testimonials?|phrases?|slogans?|language|talk|assuming|believing|thinking|"
            r"expecting)")
# Who is a fraudster by name.
SCAMMER = (r"(?:scammers?|fraudsters?|con (?:artists?|men)|swindlers?|crooks?|criminals?|promoters?|"
           r"pump[ -]and[ -]dump (?:schemes?|promoters?|groups?)|scam (?:groups?|artists?|ads?|messages?|sites?|"
           r"websites?|channels?|apps?|platforms?|operators?)|fake (?:platforms?|advisers?|advisors?|brokers?|apps?|"
           r"gurus?|experts?|teachers?)|boiler rooms?|ponzi schemes?|fraudulent \w+|bad actors?|impostors?|"
           r"imposters?|shills?|pumpers?|touts?|unlicensed (?:firms?|advisers?|sellers?|brokers?|platforms?))")
# What a warning calls a claim, and the copula that links them ("are usually a red flag").
WARN_NOUN = (r"(?:red flags?|warning signs?|signs? of (?:a )?(?:scam|fraud)|hallmarks? of (?:a )?(?:scam|fraud)|"
             r"scams?|frauds?|fraudulent|lies|lying|misleading|illegal|too good to be true|a trap|suspicious|"
             r"speculation|running a (?:scam|fraud|con|ponzi scheme)|(?:classic |common |typical )?(?:scam|pressure|"
             r"sales) tactics?|not to be trusted|untrustworthy|false|myths?)")
COPULA = (r"(?:is|are|'s|'re|was|were|remains?|sounds?|seems?|looks?)(?: (?:usually|often|typically|almost always|"
          r"almost certainly|certainly|most likely|very likely|always|likely|probably|generally|commonly|"
          r"nearly always|a|an|the|classic|common|typical|major|big|clear|sure|serious|strong))*")

EXEMPTIONS_EN = _compile(
    # Negation governing the promise: "not guaranteed", "does not guarantee", "never risk-free".
    rf"\b(?:not|never|no longer|n't|without|no)(?: {NEGATION_GAP}){{0,3}} (?=guarantee|risk ?-? ?free|riskless|"
    r"sure|certain|assured|promised|safe|protected|free of risk|without risk|can'?t lose|double your money|"
    r"\w+ly guaranteed)",
    # A negated subject takes the clause: "no investment is risk-free", "nobody can guarantee that ...".
    r"\b(?:no (?:investment|product|fund|asset|stock|share|bond|security|strategy|portfolio|one|adviser|advisor|"
    r"broker|bank|firm|company|market|system|method|indicator|model|expert|analyst|human|trader|(?:legitimate|"
    r"genuine|licensed|real|honest|reputable|regulated) \w+)s?|nobody|no-one|none of us|nothing(?: \w+){0,2}) "
    r"(?:is|are|can|could|will|would|should|may|knows?|does|do)\b.*",
    r"\bno such thing as\b.*",
    r"\bnothing (?:about|in) .{0,40}? (?:tells?|says?|shows?|predicts?|guarantees?|means?)\b.*",
    # Uncertainty about the future, said as such: "nobody knows whether ...", "hard to say when ...".
    r"\b(?:says|tells you|reveals) nothing about (?:whether|when|where)\b.*",
    r"\b(?:no way of knowing|impossible to (?:know|predict|say|tell)|hard to (?:know|predict|say|tell)|uncertain|"
    r"unclear) (?:whether|when|if|where|how)\b.*",
    # Warned against: "be wary of anyone who promises ...", "ignore posts that say ...".
    rf"\b(?:beware|be (?:wary|careful|suspicious|skeptical|sceptical|cautious)|watch out|look out|steer clear|"
    rf"stay away|avoid|ignore|distrust|walk away|(?:don'?t|do not|never) (?:trust|believe|listen to|follow|fall for)|"
    rf"treat) (?:of |for |with |about |from )?(?:[\w'-]+ ){{0,4}}?{REPORTER}\b.*",
    r"\b(?:don'?t|do not|never|nobody should) (?:assume|expect|think|believe|count on|bet that|rely on) (?:that|a|"
    r"an|the|any|prices?|stocks?|markets?|it|you|your)\b.*",
    r"\b(?:regulators?|authorities|watchdogs?|the sec|finra|the fca|the police) (?:\w+ )?(?:warn|caution)\w*\b.*",
    # Put in a fraudster's mouth: "scammers often promise ...", "pump-and-dump promoters claim ...".
    rf"\b{SCAMMER} (?:\w+ ){{0,2}}?(?:promise|claim|say|tell|insist|advertise|tout|offer|pitch|guarantee|boast|"
    r"lure|use|post|send|push|spread|predict|describe|call|hype|show|share|flash|display)\w*\b.*",
    # The claim as the subject of a warning: "claims that X is guaranteed are a red flag".
    rf"\b{REPORTER}\b.{{0,120}}?\b{COPULA} {WARN_NOUN}\b",
    rf"\b{REPORTER}\b.{{0,120}}?\b(?:signals?|suggests?|indicates?|points? to|should make (?:you|anyone)) (?:a )?"
    r"(?:fraud|scams?|suspicious)\b",
    r"\b(?:it'?s|it is|that'?s|that is|this is)(?: \w+)? (?:a |an )?(?:\w+ )?(?:red flag|warning sign|myth|"
    r"misconception|mistake|error|fallacy|trap) (?:when|if|that|to (?:think|believe|assume|expect))\b.*",
    r"\b(?:mistake|error|misconception|myth|fallacy|trap)s? (?:is |was |are )?(?:to )?(?:assum|believ|think|"
    r"expect)\w*\b.*",  # a common mistake is assuming that ...
    # Reported inside advice on what to do: "if someone tells you it can't lose, walk away".
    r"\bif (?:someone|somebody|anyone|anybody|people|strangers?|an? (?:[\w-]+ ){0,4}?(?:seller|salesperson|adviser|"
    r"advisor|broker|friend|group|post|message|ad|website|app|platform|promoter|influencer|caller|contact|teacher|"
    r"stranger|account|person))(?: [\w-]+){0,5}? (?:tells?|says?|promises?|claims?|assures?|insists?|swears?|"
    r"offers?|guarantees?|pitches?)\b(?=.*\b(?:walk away|hang up|be (?:very )?(?:suspicious|careful|wary|"
    r"skeptical)|treat it as|report|scam|fraud|red flag|warning sign|don'?t (?:trust|believe|invest|send|pay)|"
    r"do not (?:trust|believe|invest|send|pay))\b).*",
)

# --- Chinese vocabulary of warnings -----------------------------------------------------------------------
ZH_CLAUSE = r"[^,。;:!?]"  # any character up to the end of a clause
# The verdict on a claim: 是骗局, 都是诈骗话术, 值得怀疑, 要远离, 应当引起高度警惕 (never 不是骗局).
ZH_WARNING_PREDICATE = (
    r"(?:(?:都|往往|基本上?都?|多半|大多|一定|就|通常|很可能|可能|均|肯定)?(?<![不非没])(?:是|属于|为)"
    r"(?:一种|一个|典型的?|常见的?|明显的?|非常明确的)*(?:骗局|诈骗|骗子|陷阱|误区|非法|违法|虚假宣传|谣言|话术|"
    r"危险的想法|错误的?想法|伪造|假的|噱头)|值得怀疑|不可信|不能信|(?:一定|应当|应该|需要)?要?远离|"
    r"(?:应当|应该|需要|要)?(?:引起(?:高度)?|提高)?警惕)")
ZH_NEGATION = (r"(?:并不代表|并不意味着|并不等于|不代表|不意味着|不等于|不能保证|无法保证|不保证|不存在|不可能|不允许|"
               r"从来不|从不|绝不|不得|禁止|严禁|不应|不可|不要|切勿|不再|未必|不一定|难以|谈不上|并非|不是|不会|不能|"
               r"无法|没有|并不|没|勿|别|不)")

EXEMPTIONS_ZH = _compile(
    # Negation a few characters before the promise: 任何投资都不保本, 没有稳赚不赔的投资. Never across 骗/诈/假
    # ("不是骗局，保本" is a promise); 不用担心/不怕 reassure rather than negate.
    ZH_NEGATION + r"(?![用必怕愁]|担心)(?:(?!骗|诈|假)[^,。;:!?]){0,8}",
    # Warned against, to the end of the clause: 警惕“稳赚不赔”的宣传, 谨防以零风险为噱头的非法集资.
    rf"(?:警惕|谨防|小心|当心|提防|留意|防范|远离|切勿相信|不要相信|别相信|不要轻信|切勿轻信|勿信|不可轻信|识破|"
    rf"揭穿|举报|拒绝|怀疑|注意识别|警示){ZH_CLAUSE}*",
    # Said by a fraudster: 骗子常说跟着老师买股票能翻倍.
    rf"(?:骗子|诈骗分子|不法分子|诈骗团伙|犯罪分子|非法荐股|荐股群|杀猪盘|虚假平台|假老师|黑平台|非法机构|骗局|托儿?|"
    rf"庄家)们?(?:常|经常|往往|通常|会|总是|常常|惯用|一般|多|都|就|也|还)*(?:说|称|声称|宣称|号称|承诺|鼓吹|宣传|吹嘘|"
    rf"保证|标榜|用|以|打着|许诺|诱导|忽悠|让|要求|晒|发|伪造|冒充){ZH_CLAUSE}*",
    # Uncertainty, and the mistake of believing: 没有人能准确预测..., 新手常犯的错误是认为...
    rf"(?:没有人|没人|谁也|任何人都)(?:能|可以|能够)?(?:准确|可靠)?地?(?:预测|知道|判断|保证|预知){ZH_CLAUSE}*",
    rf"(?:错误|误区|误解|迷思)是(?:认为|以为|觉得|相信){ZH_CLAUSE}*",
    # The claim, then the verdict, possibly after a comma: 声称保本保收益的都是骗局,
    # 对方声称能让资金翻倍，这是典型的诈骗话术.
    rf"(?:声称|宣称|号称|鼓吹|吹嘘|标榜|许诺|承诺|宣传|打着|以为|认为|相信|觉得|告诉|催促|有人)[^。;!?]{{0,60}}?"
    rf"{ZH_WARNING_PREDICATE}",
)
EXEMPTIONS = EXEMPTIONS_EN + EXEMPTIONS_ZH

# --- whole clauses ----------------------------------------------------------------------------------------
WHOLE_CLAUSE = _compile(
    # The promise as subject, the warning as predicate: "guaranteed returns are a red flag",
    # "risk-free profits are a myth", 稳赚不赔是骗子的常用话术.
    rf"^(?:(?!is\b|are\b)[\w'-]+ ){{1,4}}{COPULA} {WARN_NOUN}\b",
    r"^(?:[\w'-]+ ){1,8}?(?:should make (?:you|anyone|investors) (?:suspicious|wary|cautious|careful)|(?:is|are) "
    r"(?:a )?(?:reason|cause) (?:for|to be) (?:suspicion|suspicious|concern))\b",
    rf"^{ZH_CLAUSE}{{1,8}}?{ZH_WARNING_PREDICATE}",
    rf"^{ZH_CLAUSE}{{1,8}}?(?<![不非没])是{ZH_CLAUSE}{{0,8}}(?:骗局|诈骗|话术|陷阱|误区|噱头|谣言|套路)",
    # A guarantee described with its catch: "capital-guaranteed products ... depend on the issuer staying solvent".
    r"^(?:[\w'-]+ ){0,6}?[\w-]*guarantee[\w-]*(?: [\w'-]+){0,8}? (?:depends? on|(?:is|are) only as (?:good|"
    r"strong|safe|reliable) as|(?:is|are) only (?:valid|worth anything) if)\b",
    # A product category described as gone: 保本理财产品在资管新规后已逐步退出.
    r"保本(?:理财|基金|型)[^,。]{0,16}(?:退出|取消|叫停|不复存在|成为历史|不再发行|清理|打破)",
)

# --- reported claims, then a warning ----------------------------------------------------------------------
# A report alone ("the issuer says returns are guaranteed") excuses nothing: the next clause must warn.
REPORTED = re.compile(
    rf"\b{REPORTER}(?: \w+){{0,2}}? (?:promise|claim|say|advertise|tout|offer|pitch|guarantee|boast|predict|"
    r"insist|tell)\w*\b.*|"
    r"(?:有人|对方|某些平台|一些平台|一些人|有些人)[^,。;:!?]{0,6}(?:声称|宣称|号称|说|承诺|保证|鼓吹|宣传)[^。;:!?]*")
BACK_REFERENCE = re.compile(
    r"^(?:treat (?:them|it|this|these|those|such \w+)|(?:they|these|those|such \w+|this|that|it)(?: \w+)? "
    r"(?:are|is) (?:usually |often |almost always |typically |likely |probably )?(?:a |an )?(?:scams?|frauds?|"
    r"red flags?|warning signs?|lies|lying|misleading|false)|avoid (?:them|it|these|those)|ignore (?:them|it|"
    r"these|those)|be (?:wary|suspicious|skeptical|sceptical|careful)|walk away|report (?:them|it))\b|"
    r"^(?:这|这些|此类|这类|这种)(?:说法|话术|宣传|承诺|人)?(?:都|往往|基本|多半)?(?<![不非])(?:是|属于)")
