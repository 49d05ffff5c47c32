"""The moderation lexicons, written for this project (compliance notes L1/L2/L3, extended with care).

Entries are plain phrases, compiled by ``compile_phrases`` into one regex per list, in ``normalise``'s canonical
form: each phrase goes through ``normalise`` too, so "гарантированный" written here matches the homoglyph-laced
"Гapaнтиpoвaнный" in a post (both become the same skeleton). A phrase ending in "*" is a stem ("заработ*" also
matches "заработать"); other Latin phrases match whole words only, so "insider" does not fire inside
"insiders-guide.com" but "10x" does not fire inside "110x" either. Chinese phrases match anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from advisor.text import normalise

# L1 promissory: promised returns, no risk (compliance G2). Default action: warn.
PROMISSORY_EN = (
    "guaranteed return*", "guaranteed profit*", "guaranteed income", "guaranteed gain*", "guarantee profit*",
    "guarantee you profit*", "risk-free", "risk free", "no risk", "zero risk", "can't lose", "cannot lose",
    "can not lose", "never lose", "sure thing", "sure profit", "sure win", "double your money", "double your btc",
    "100% profit", "100% safe", "100% guaranteed", "guaranteed 100%", "fixed daily return*", "daily profit of",
)
PROMISSORY_ZH = (
    "稳赚", "稳赚不赔", "保本", "保收益", "保证收益", "保证盈利", "保证赚钱", "零风险", "无风险", "必涨", "翻倍",
    "稳赢", "包赚", "只赚不赔", "稳定收益", "躺赚", "本金无忧", "日赚", "月入过万",
)
PROMISSORY_RU = ("гарантированн* доход*", "гарантированн* прибыл*", "без риска", "беспроигрыш*")

# L2 hype and insider talk. Default action: hold for review.
HYPE_EN = (
    "insider info*", "insider tip*", "insider news", "inside info*", "to the moon", "next 100x", "next 10x",
    "10x", "100x", "1000x", "100x gem", "10x gem", "moonshot", "pump at", "buy before", "before it moons",
    "before it explodes",
    "going to explode", "will explode", "next big thing", "hidden gem", "don't miss out", "last chance to buy",
)
HYPE_ZH = (
    "内幕", "内部消息", "牛股", "黑马", "涨停", "喊单", "带单", "老师", "妖股", "龙头股", "主力拉升", "庄家",
    "抄底机会", "暴涨", "起飞", "财富密码",
)

# L3 coordination: telling the group to trade together. Default action: delete.
COORDINATION_EN = (
    "everyone buy", "everybody buy", "all buy at", "all buy now", "buy together", "we buy at", "we all buy",
    "buy at the same time", "everyone sell", "hold the line", "don't sell until", "post your buy screenshot*",
    "send screenshot* of your buy*",
)
COORDINATION_ZH = (
    "统一听指令", "大家一起买", "全仓杀入", "能买多少买多少", "买后发交易截图", "听指令买入", "统一买入", "统一卖出",
    "一起拉", "集体买入", "同时买入", "跟着指令", "发截图",
)

# Scam: paid signals, "DM me to earn", payment to private accounts, the teacher pattern. Default action: delete.
SCAM_EN = (
    "dm me to earn", "dm me for", "inbox me", "message me to earn", "contact me to earn", "contact me for profit*",
    "vip signal*", "paid signal*", "premium signal*", "signal group", "join my vip", "vip membership*",
    "vip channel", "for vip", "send payment to", "pay to my", "send to my wallet", "send usdt to",
    "send btc to", "deposit to my", "my wallet address", "account manager", "investment manager",
    "let me trade for you", "trade for you", "i will trade", "recover your loss*", "recovery your loss*",
    "earn from home", "work from home and earn", "earn daily", "daily earnings", "registration fee",
    "use my referral", "my referral link", "i earn over", "thanks to mr", "thanks to mrs", "testify",
)
SCAM_ZH = (
    "私聊我", "加我微信", "加微信", "加v", "加vx", "私信老师", "跟着老师", "老师带", "带你赚", "带你翻倍", "付费进群",
    "会员群", "vip群", "进群费", "转账到", "打款到", "汇款到", "私人账户", "个人账户收款", "收款码", "荐股群",
    "内部群", "免费领取牛股", "稳赚群",
)

# Spam: advertising and earn-money recruiting, which in the tg-spam samples is mostly Russian. ``rules`` weighs
# them: a strong phrase counts 2, a weak one 1, and a post needs 2 points (with links, amounts and mixed-script
# words adding to the score), so one weak hint ("profit", "в день") never flags a member on its own.
SPAM_STRONG = (
    # Russian: "write + in DM", remote-work recruiting, adult content, betting tips, fake courses.
    "пиши +", "пишите +", "напиши +", "отправьте мне +", "отправь +", "пиши в лс", "пишите в лс", "в лс",
    "в личку", "в поиске телеграм*", "удалённ* работ*", "удаленн* работ*", "удалённ* заработ*",
    "удалённ* деятельност*", "удаленн* деятельност*", "требуется сотрудник", "ищу партнер*", "ищу людей",
    "набираю людей", "набор людей", "набор в команду", "ведется набор", "ведётся набор", "бесплатное обучение",
    "обучаем бесплатно", "обучение бесплатно", "обучающие материалы", "интим*", "обнаж*", "голые фото",
    "без трусиков", "ставка на тотал", "ставим строго", "букмекер*", "оплата хорошая", "разыгрываю",
    "заработка от", "доход от", "доходом от", "возможность заработка", "потенциал дохода",
    "ссылка в шапке профиля", "ссылка в профиле", "отдаю за спасибо", "свободного времени", "любой девушки",
    "фальш*", "пишите только", "кому скинуть", "кому интересн*",
    # English: referral, giveaway, "exclusive group" and earn-money ads.
    "referral", "airdrop", "drop your wallet*", "sign up here", "register your account", "join the campaign",
    "exclusive group", "group discount", "special group", "limited slots", "free bonus", "daily earning*",
    "start earning", "earn from home", "work from home", "sneak peek", "reserve your table",
    # Chinese advertising.
    "兼职", "日结", "刷单", "扫码进群", "免费领取", "躺赚", "日入", "月入",
)
SPAM_WEAK = (
    # Never market vocabulary ("earnings", "profit", "income", "forecast", "trading", "crypto", "opportunity"):
    # investors say those all day, and with a news link or a price they would read as an advert.
    "заработ*", "зарабатыва*", "в месяц", "в неделю", "в день", "часа в день", "18+",
    "обучени*", "сотрудничеств*", "схемы", "розыгрыш", "подписк*", "канал*",
    "ставк*", "заходите", "курсы", "напиши мне", "требуется", "магазин*",
    "earn", "per day", "per week", "whatsapp", "contact me", "dm me",
    "group members", "giveaway", "bonus", "investment plan",
    "thrilled to announce", "submit your", "legitimate", "witnessed", "influencer*",
    "招聘", "代理", "加群", "优惠券",
)



WORD_RE = re.compile(r"\w+")
CJK_RE = re.compile("[\u3400-\u9fff]")


Candidates = dict[int, list[re.Pattern[str]]]


class _Index:
    """Every phrase list's phrases, indexed by first word in one place, so a post's words are looked up once
    (not once per list): Python's ``re`` tries a big alternation at every position of a text, which costs
    milliseconds on a long post, so a phrase's own small regex runs only when its first word is among the
    post's words (a stem: when a word starts with it; Chinese: when the phrase is in the text at all)."""

    def __init__(self) -> None:
        self.by_word: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
        self.by_stem: dict[str, list[tuple[str, int, re.Pattern[str]]]] = {}  # keyed by the stem's first 3 chars
        self.by_text: list[tuple[str, int, re.Pattern[str]]] = []
        self.by_ascii_text: list[tuple[str, int, re.Pattern[str]]] = []  # by_text's triggers a Latin post may hold

    def add(self, owner: int, phrase: str) -> None:
        stem = phrase.endswith("*")
        text = normalise(phrase.rstrip("*"))
        first = WORD_RE.match(text)
        body = re.escape(text).replace(r"\ ", r"\s?")
        if first is not None and not _is_cjk(text[0]):
            # "No word character before the phrase", written after its first word: a regex that starts with a
            # literal is found by a fast scan, one that starts with a lookbehind is tried at every position.
            width = len(first.group())
            body = re.escape(first.group()) + rf"(?<!\w.{{{width}}})" + body[len(re.escape(first.group())):]
        if not stem and re.search(r"\w$", text) and not _is_cjk(text[-1]):
            body += r"(?!\w)"
        pattern = re.compile(body)
        if first is None or _is_cjk(text[0]):
            trigger = text.split(" ")[0]
            self.by_text.append((trigger, owner, pattern))
            if trigger.isascii():
                self.by_ascii_text.append((trigger, owner, pattern))
        elif stem and first.group() == text and len(text) >= 3:
            self.by_stem.setdefault(text[:3], []).append((text, owner, pattern))
        else:
            self.by_word.setdefault(first.group(), []).append((owner, pattern))

    def candidates(self, words: set[str], text: str, has_cjk: bool) -> Candidates:
        found: Candidates = {}
        by_word, by_stem = self.by_word, self.by_stem
        # Set intersections run in C: only the post's words that start a phrase (or, when any word shares a
        # stem's first three letters, the post's words) are looked at in Python. The order of finds does not
        # matter: each owner's patterns are sorted below.
        for word in words & by_word.keys():
            for owner, pattern in by_word[word]:
                found.setdefault(owner, []).append(pattern)
        if not {word[:3] for word in words}.isdisjoint(by_stem.keys()):
            for word in words:
                for stem, owner, pattern in by_stem.get(word[:3], ()):
                    if word.startswith(stem):
                        found.setdefault(owner, []).append(pattern)
        # A post without Chinese characters can hold only the ASCII triggers (a Python loop over all ~80 Chinese
        # phrases was a tenth of the pipeline's time).
        for trigger, owner, pattern in self.by_text if has_cjk else self.by_ascii_text:
            if trigger in text:
                found.setdefault(owner, []).append(pattern)
        # Longer phrases first, so a reason quotes "稳赚不赔" rather than "稳赚"; equal lengths by the pattern itself
        # (a set's order varies by run: "registration fee" or "use my referral" was quoted by PYTHONHASHSEED).
        return {owner: sorted(set(patterns), key=lambda p: (-len(p.pattern), p.pattern))
                for owner, patterns in found.items()}


_INDEX = _Index()


class Words:
    """A post's normalised text, its words, and (once asked) which phrases of every list might be in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = set(WORD_RE.findall(text))
        self.has_cjk = bool(CJK_RE.search(text))
        self._candidates: Candidates | None = None
        self.found: dict[int, set[str]] = {}  # PhraseList.found's answers: the spam score and model both ask

    def candidates(self, owner: int) -> list[re.Pattern[str]]:
        if self._candidates is None:
            self._candidates = _INDEX.candidates(self.words, self.text, self.has_cjk)
        return self._candidates.get(owner, [])


class PhraseList:
    """A list of phrases (see the module note), matched through the shared first-word index."""

    _next_id = 0

    def __init__(self, phrases: Iterable[str]) -> None:
        PhraseList._next_id += 1
        self.id = PhraseList._next_id
        for phrase in phrases:
            _INDEX.add(self.id, phrase)

    def search(self, words: Words) -> str:
        """The first phrase (longest first) found, or ""."""
        for pattern in words.candidates(self.id):
            match = pattern.search(words.text)
            if match:
                return match.group()
        return ""

    def found(self, words: Words) -> set[str]:
        """Every phrase found, as written in the text (a fresh set: callers may change it)."""
        hits = words.found.get(self.id)
        if hits is None:
            hits = set()
            for pattern in words.candidates(self.id):
                match = pattern.search(words.text)
                if match:
                    hits.add(match.group())
            words.found[self.id] = hits
        return set(hits)


def compile_phrases(phrases: Iterable[str]) -> PhraseList:
    """The phrases in canonical form (see the module note for "*" and word edges)."""
    return PhraseList(phrases)


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"
