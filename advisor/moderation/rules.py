"""Content rules over the normalised text: lexicons L1/L2/L3, scam patterns and the spam score.

Each check returns (category, reason) pairs; a reason quotes what matched, so a member or an admin can see why.
Only words and patterns flag a post, never its language: a post in a language no list covers matches nothing.
"""

from __future__ import annotations

import re

from advisor.moderation import lexicon
from advisor.moderation.lexicon import Words
from advisor.moderation.types import COORDINATION, HYPE, PROMISSORY, SCAM, SPAM

Finding = tuple[str, str]

PROMISSORY_RE = lexicon.compile_phrases(lexicon.PROMISSORY_EN + lexicon.PROMISSORY_ZH + lexicon.PROMISSORY_RU)
HYPE_RE = lexicon.compile_phrases(lexicon.HYPE_EN + lexicon.HYPE_ZH)
COORDINATION_RE = lexicon.compile_phrases(lexicon.COORDINATION_EN + lexicon.COORDINATION_ZH)
SCAM_RE = lexicon.compile_phrases(lexicon.SCAM_EN + lexicon.SCAM_ZH)
SPAM_STRONG_RE = lexicon.compile_phrases(lexicon.SPAM_STRONG)
SPAM_WEAK_RE = lexicon.compile_phrases(lexicon.SPAM_WEAK)

# Links. Invite links and shorteners are what scammers post; a plain link is only a new member's problem.
# A domain ("spacexminer.ltd", "t.me/x"): starts with the literal dot, so the regex scans fast.
DOMAIN_RE = re.compile(r"\.(?<=\w\.)(?:com|net|org|io|ltd|xyz|top|ru|cn|me)\b")
INVITE_RE = re.compile(r"t\.me/(?:\+|joinchat/)|telegram\.me/joinchat|chat\.whatsapp\.com|discord\.gg/|"
                       r"discord(?:app)?\.com/invite|weixin\.qq\.com/g/")
SHORTENER_RE = re.compile(r"(?<![\w.])(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|"
                          r"shorturl\.at|tiny\.cc|rebrand\.ly|s\.id|dwz\.cn|url\.cn)/")
HANDLE_RE = re.compile(r"@[a-z][a-z0-9_]{3,}")
# Money amounts ("1200$", "$ 5000", "25 000 руб", "5万") and percentages.
AMOUNT_RE = re.compile(r"\d\s?(?:\$|usd|eur|€|руб|p\b|k\b|[万千])|\$\s?\d")  # not %: prices move in %
# The teacher/喊单 pattern: a "teacher" who calls trades for a group and wants followers or payment.
TEACHER_RE = re.compile(r"(?:老师|导师|大师|带头人).{0,12}(?:带|喊|指导|推荐|荐股|进群|加群|微信|vx)|"
                        r"(?:跟|听)(?:着)?(?:老师|导师)|(?:喊单|带单).{0,12}(?:群|老师|收费|会员|加)|"
                        r"\b(?:teacher|mentor|coach|prof(?:essor)?|mr|mrs|sir)\b.{0,40}\b(?:signals?|trades? for|"
                        r"call(?:s|ed)? the|account manager|helped me|made me|recover|withdraw)")
# Payment to a private account: a request to send money next to a wallet address, card, or handle.
PAYMENT_RE = re.compile(r"(?:send|pay|transfer|deposit)\b.{0,40}(?:to (?:my|this|our) (?:wallet|account|address|"
                        r"card)|0x[0-9a-f]{40}|\b[13][a-km-z1-9]{25,34}\b|\bt[a-z0-9]{33}\b)|(?:转账|打款|汇款|付款)"
                        r".{0,10}(?:到|给).{0,10}(?:私人|个人|我的|本人)")
DM_TO_EARN_RE = re.compile(r"\b(?:dm|pm|inbox|message|text|write|contact)\b(?: me)?\b.{0,30}\b(?:earn|profit|"
                           r"income|invest|signals?|trade|join)|\b(?:earn|profit|income)\b.{0,40}\b(?:dm|pm|inbox)"
                           r" me\b|私(?:聊|信).{0,10}(?:赚|收益|带|进群)")
# Words written in two scripts at once ("Cpeдний дoxoд", "Mοжeм"): a real word is in one script; mixing is how
# spammers dodge filters. Checked on the original text, before normalise maps the look-alikes away.
# Only Latin letters that pass for Cyrillic ones count: "порадовалиnДо" (a newline lost as "n") is not a trick.
MIXED_WORD_RE = re.compile(r"[\u0400-\u04ff]+[aceopxyikmtbhABCEHKMOPTXY\u0370-\u03ff]|"
                           r"[aceopxyiABCEHKMOPTXY\u0370-\u03ff]+[\u0400-\u04ff]")

# A promised rate: "guaranteed 300% returns", "20% monthly, guaranteed", "保证月收益30%". The phrase lists
# match contiguous phrases only ("guaranteed return"); a number between the promise and the word slips past
# them. Gated on the promise word (a substring test); a negation just before it ("nobody can guarantee 10%")
# is an honest warning, not a promise.
PROMISED_RATE_RE = re.compile(r"\bguarantee[ds]?\b[^.!?\n]{0,12}?\d[\d.,]*\s?%|"
                              r"\d[\d.,]*\s?%(?:(?!\bnot\b|\bnever\b|n't\b)[^.!?\n]){0,24}?\bguaranteed\b|"
                              r"保证.{0,8}?\d[\d.]*\s?[%％]|\d[\d.]*\s?[%％].{0,6}?保证")
NEGATED_RE = re.compile(r"(?:\bnot?|n't|never|nobody|no one|cannot|无法|不能|不可能|没有人|谁也不能)\W*(?:\w+\W+)?$")

CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
# Cheap gates for the slow regexes below: words (or Chinese substrings) without which a regex cannot match.
# DM_TO_EARN_RE needs one of these whole words (its \b...\b) or "私"; TEACHER_RE one of these whole words or
# a Chinese title; PAYMENT_RE's verbs may end a longer word ("resend"), so they stay substrings.
DM_WORDS = frozenset({"dm", "pm", "inbox", "message", "text", "write", "contact"})
PAYMENT_HINTS = ("send", "pay", "transfer", "deposit", "转账", "打款", "汇款", "付款")
TEACHER_WORDS = frozenset({"teacher", "mentor", "coach", "prof", "professor", "mr", "mrs", "sir"})
TEACHER_CJK = ("老师", "导师", "大师", "带头人", "喊单", "带单")


def _quote(match: re.Match[str]) -> str:
    return match.group().strip()


def lexicon_findings(words: Words) -> list[Finding]:
    """L1 promissory, L2 hype, L3 coordination on the normalised text."""
    found: list[Finding] = []
    for category, pattern, label in ((PROMISSORY, PROMISSORY_RE, "promissory language"),
                                     (HYPE, HYPE_RE, "hype or insider language"),
                                     (COORDINATION, COORDINATION_RE, "coordinated trading")):
        phrase = pattern.search(words) or (promised_rate(words.text) if category == PROMISSORY else "")
        if phrase:
            found.append((category, f'{label}: "{phrase.strip()}"'))
    return found


def promised_rate(text: str) -> str:
    """A promised percentage ("guaranteed 300% returns"), unless the promise is negated; else ""."""
    if "guarantee" not in text and "保证" not in text:
        return ""
    for match in PROMISED_RATE_RE.finditer(text):
        if not NEGATED_RE.search(text[max(0, match.start() - 24):match.start()]):
            return match.group()
    return ""


def scam_findings(words: Words, *, is_new: bool) -> list[Finding]:
    """Paid signals, DM-to-earn, payment to private accounts, the teacher pattern; invites and shorteners from
    new members."""
    found: list[Finding] = []
    text = words.text
    phrase = SCAM_RE.search(words)
    if phrase:
        found.append((SCAM, f'paid signals or private dealing: "{phrase.strip()}"'))
    # The gates are cheap: these regexes scan slowly and rarely have anything to find.
    for pattern, gate, label in (
            (DM_TO_EARN_RE, not DM_WORDS.isdisjoint(words.words) or "私" in text, '"DM me to earn"'),
            (PAYMENT_RE, any(hint in text for hint in PAYMENT_HINTS), "payment to a private account"),
            (TEACHER_RE, not TEACHER_WORDS.isdisjoint(words.words) or
             (words.has_cjk and any(title in text for title in TEACHER_CJK)), "the teacher/喊单 pattern")):
        match = pattern.search(text) if gate else None
        if match:
            found.append((SCAM, f'{label}: "{_quote(match)[:60]}"'))
    if is_new and "/" in text:
        for pattern, label in ((INVITE_RE, "an invite link"), (SHORTENER_RE, "a URL shortener")):
            match = pattern.search(text)
            if match:
                found.append((SCAM, f"{label} from a new member: {_quote(match)}"))
    return found


def spam_score(words: Words, original: str) -> tuple[int, list[str]]:
    """Points for advertising: strong phrases 2 each, weak ones 1 each (each distinct phrase once), mixed-script
    words 2, a link or handle 1, a money amount 1. Returns the score and what scored; the score is 0 without a
    phrase or mixed-script words, because a link and a dollar figure alone are what a news headline looks like
    (measured: they flagged 5 % of real financial news lines)."""
    hits: list[str] = []
    score = 0
    text = words.text
    strong = {s.strip() for s in SPAM_STRONG_RE.found(words)}
    weak = {w.strip() for w in SPAM_WEAK_RE.found(words)} - strong
    score += 2 * len(strong) + len(weak)
    hits += [f'"{s}"' for s in sorted(strong)] + [f'"{w}"' for w in sorted(weak)]
    # isascii() is a flag look-up: an ASCII post has no Cyrillic letter to look for.
    if not original.isascii() and CYRILLIC_RE.search(original) and len(MIXED_WORD_RE.findall(original)) >= 2:
        score += 2
        hits.append("words mixing alphabets")
    if not score:
        return 0, []
    if has_link(text) or ("@" in text and HANDLE_RE.search(text)):
        score += 1
        hits.append("a link or handle")
    if AMOUNT_RE.search(text):
        score += 1
        hits.append("a money amount")
    return score, hits


SPAM_THRESHOLD = 2


def spam_findings(words: Words, original: str) -> list[Finding]:
    score, hits = spam_score(words, original)
    if score >= SPAM_THRESHOLD:
        return [(SPAM, f"advertising (score {score}): {', '.join(hits[:5])}")]
    return []


def has_link(text: str) -> bool:
    if "http" in text or "www." in text:
        return True
    return bool(DOMAIN_RE.search(text) or ("/" in text and (INVITE_RE.search(text) or SHORTENER_RE.search(text))))
