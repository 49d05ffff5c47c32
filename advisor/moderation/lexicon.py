"""The moderation lexicons, written for this project (compliance notes L1/L2/L3, extended with care).

Entries are plain phrases, compiled by ``compile_phrases`` into one regex per list, in ``normalise``'s canonical
form: each phrase goes through ``normalise`` too, so "гарантированный" written here matches the homoglyph-laced
"Гapaнтиpoвaнный" in a post (both become the same skeleton). A phrase ending in "*" is a stem ("заработ*" also
matches "заработать"); other Latin phrases match whole words only, so "insider" does not fire inside
"insiders-guide.com" but "10x" does not fire inside "110x" either. Chinese phrases match anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

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
    "заработ*", "зарабатыва*", "доход*", "прибыл*", "в месяц", "в неделю", "в день", "часа в день", "18+",
    "криптовалют*", "обучени*", "сотрудничеств*", "схемы", "розыгрыш", "подписк*", "канал*", "прогноз*",
    "ставк*", "заходите", "курсы", "напиши мне", "требуется", "магазин*", "цифровых активах", "трейдинг*",
    "earn", "earning*", "income", "profit*", "per day", "per week", "whatsapp", "contact me", "dm me",
    "group members", "giveaway", "bonus", "opportunity", "exclusive", "clients", "investment plan",
    "thrilled to announce", "submit your", "campaign*", "rewards", "legitimate", "witnessed", "influencer*",
    "招聘", "代理", "加群", "优惠券",
)



WORD_RE = re.compile(r"\w+")
CJK_RE = re.compile("[\u3400-\u9fff]")
STEM_LENGTHS = range(2, 12)


class Words:
    """A post's words, computed once and shared by every phrase list: the whole words, their prefixes (for
    stems) and whether the text has Chinese characters at all."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = set(WORD_RE.findall(text))
        self.prefixes = {word[:k] for word in self.words for k in STEM_LENGTHS if len(word) > k}
        self.has_cjk = bool(CJK_RE.search(text))


class PhraseList:
    """A list of phrases matched fast. Python's ``re`` tries a big alternation at every position of a text,
    which costs milliseconds on a long post, so a phrase's own small regex runs only when its first word is
    among the post's words (or, for a stem, among their prefixes; for Chinese, in the text)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.entries: list[tuple[str, str, re.Pattern[str]]] = []  # (how to look, trigger, regex)
        for phrase in phrases:
            stem = phrase.endswith("*")
            text = normalise(phrase.rstrip("*"))
            body = re.escape(text).replace(r"\ ", r"\s?")
            if re.match(r"\w", text) and not _is_cjk(text[0]):
                body = r"(?<!\w)" + body
            if not stem and re.search(r"\w$", text) and not _is_cjk(text[-1]):
                body += r"(?!\w)"
            first = WORD_RE.match(text)
            if first is None or _is_cjk(text[0]):
                how, trigger = "text", text.split(" ")[0] if first is None else text
            else:
                single_stem = stem and first.group() == text
                how, trigger = ("prefix" if single_stem else "word"), first.group()
            self.entries.append((how, trigger, re.compile(body)))
        # Longer phrases first, so a reason quotes "稳赚不赔" rather than "稳赚".
        self.entries.sort(key=lambda entry: len(entry[2].pattern), reverse=True)

    def _candidates(self, words: Words) -> Iterator[re.Pattern[str]]:
        for how, trigger, pattern in self.entries:
            if how == "word":
                hit = trigger in words.words
            elif how == "prefix":
                hit = trigger in words.words or trigger in words.prefixes
            else:
                hit = (words.has_cjk or trigger.isascii()) and trigger in words.text
            if hit:
                yield pattern

    def search(self, words: Words) -> str:
        """The first phrase (longest first) found, or ""."""
        for pattern in self._candidates(words):
            match = pattern.search(words.text)
            if match:
                return match.group()
        return ""

    def found(self, words: Words) -> set[str]:
        """Every phrase found, as written in the text."""
        hits = set()
        for pattern in self._candidates(words):
            match = pattern.search(words.text)
            if match:
                hits.add(match.group())
        return hits


def compile_phrases(phrases: Iterable[str]) -> PhraseList:
    """The phrases in canonical form (see the module note for "*" and word edges)."""
    return PhraseList(phrases)


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"
