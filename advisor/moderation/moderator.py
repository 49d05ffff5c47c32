"""The moderation pipeline: one ``Moderator`` per process, ``check(post)`` per group message, cheapest checks first.

Order: admin exemption and disabled chats (free) -> flood window (a deque per member) -> normalise once -> links
and media from new members -> lexicon and scam/spam regexes -> pump detection (MinHash only when the post names
a symbol). State (flood windows, warn counts, pump windows) is in memory, guarded by one lock and evicted when
old, so memory stays bounded however many members and chats pass through.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

from advisor.moderation import rules, spam_model
from advisor.moderation.lexicon import Words
from advisor.moderation.pump import ChatPumpWindow
from advisor.moderation.types import (
    FLOOD,
    NEW_MEMBER_LINK,
    OK,
    PUMP,
    SEVERITY,
    SPAM,
    Decision,
    Policy,
    Post,
    Verdict,
)
from advisor.text import normalise

# Matching looks at the first this-many characters: Telegram caps a message at 4,096 and a caption at 1,024, so
# anything longer is not a real message, and a megabyte of text must not stall the pipeline.
MAX_CHARS = 8_192
# At most this many members' flood windows and warn counts are remembered (least recently seen go first).
MAX_MEMBERS = 50_000
MAX_CHATS = 5_000
WARNINGS_EXPIRE = timedelta(hours=24)


class Moderator:
    """Decides what to do with each group post. Thread-safe; ``policy_for(chat)`` gives a chat's policy."""

    def __init__(self, policy_for: Callable[[str], Policy] | None = None, *, use_spam_model: bool = True) -> None:
        """``use_spam_model=False`` leaves the trained spam classifier out (the lexicon alone decides "spam"):
        scripts/train_spam.py needs the lexicon's own verdicts."""
        default = Policy()
        self._spam_model = spam_model.load() if use_spam_model else None
        self._policy_for = policy_for or (lambda _chat: default)
        self._lock = threading.Lock()
        self._recent: OrderedDict[tuple[str, str], deque[datetime]] = OrderedDict()
        self._warnings: OrderedDict[tuple[str, str], list[datetime]] = OrderedDict()
        self._seen_ids: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._pumps: OrderedDict[str, ChatPumpWindow] = OrderedDict()

    def check(self, post: Post) -> Decision:
        policy = self._policy_for(post.chat)
        if not policy.enabled:
            return OK
        if post.is_admin:
            return Decision("ok", reasons=("admin: exempt",))
        found: dict[str, list[str]] = {}
        with self._lock:
            first_time = self._first_sight(post)
            if first_time and self._flooding(post, policy):
                found.setdefault(FLOOD, []).append(
                    f"more than {policy.flood_messages} messages in {policy.flood_seconds:g} s")
        original = post.text[:MAX_CHARS]
        text = normalise(original)
        is_new = self._is_new(post, policy)
        if is_new:
            what = "media" if post.has_media else "a link" if rules.has_link(text) else ""
            if what:
                found.setdefault(NEW_MEMBER_LINK, []).append(
                    f"{what} from a member who joined under {policy.new_member_hours:g} h ago")
        words = Words(text)
        findings = rules.lexicon_findings(words) + rules.scam_findings(words, is_new=is_new)
        findings += rules.spam_findings(words, original)
        for category, reason in findings:
            found.setdefault(category, []).append(reason)
        if SPAM not in found and self._spam_model is not None:
            reason = self._model_says_spam(words, original)
            if reason:
                found.setdefault(SPAM, []).append(reason)
        with self._lock:
            pump = self._pump_window(post.chat).check(text, original, post.user, post.at, policy, words.words)
        if pump:
            found.setdefault(PUMP, []).extend(pump)
        return self._decide(post, policy, found)

    def _model_says_spam(self, words: Words, original: str) -> str:
        """The trained classifier's word, for posts the lexicon let through: a reason, or ""."""
        assert self._spam_model is not None
        flagged = self._spam_model.flags(words, original)
        if flagged is None:
            return ""
        probability, cues = flagged
        shown = ", ".join(name.replace("_", " ") for name, value in zip(spam_model.SHAPES, cues.values, strict=True)
                          if value > 0 and name in spam_model.GATE_CUES)
        return f"looks like advertising (model {probability:.2f}): {shown}"

    def _pump_window(self, chat: str) -> ChatPumpWindow:
        window = self._pumps.pop(chat, None) or ChatPumpWindow()
        self._pumps[chat] = window
        if len(self._pumps) > MAX_CHATS:
            self._pumps.popitem(last=False)
        return window

    # -- cheap checks ---------------------------------------------------------------------------------

    def _first_sight(self, post: Post) -> bool:
        """An edit re-checks the content, but is not a new message for the flood window."""
        key = (post.chat, post.id)
        if key in self._seen_ids:
            self._seen_ids.move_to_end(key)
            return False
        self._seen_ids[key] = None
        if len(self._seen_ids) > MAX_MEMBERS * 4:
            self._seen_ids.popitem(last=False)
        return not post.edited

    def _flooding(self, post: Post, policy: Policy) -> bool:
        key = (post.chat, post.user)
        window = self._recent.pop(key, None) or deque(maxlen=policy.flood_messages + 1)
        self._recent[key] = window  # most recently seen last: eviction drops the quietest members
        if len(self._recent) > MAX_MEMBERS:
            self._recent.popitem(last=False)
        window.append(post.at)
        horizon = post.at - timedelta(seconds=policy.flood_seconds)
        while window and window[0] < horizon:
            window.popleft()
        return len(window) > policy.flood_messages

    @staticmethod
    def _is_new(post: Post, policy: Policy) -> bool:
        if post.joined_at is None:
            return False
        return post.at - post.joined_at < timedelta(hours=policy.new_member_hours)

    # -- the decision ---------------------------------------------------------------------------------

    def _decide(self, post: Post, policy: Policy, found: dict[str, list[str]]) -> Decision:
        if not found:
            return OK
        verdict: Verdict = "ok"
        for category in found:
            action = policy.action_for(category)
            if SEVERITY[action] > SEVERITY[verdict]:
                verdict = action
        reasons = tuple(reason for category in found for reason in found[category])
        mute = self._count_warning(post, policy) if verdict == "warn" else 0
        alert = verdict == "hold" or PUMP in found
        return Decision(verdict, tuple(found), reasons, mute_minutes=mute, alert_admins=alert)

    def _count_warning(self, post: Post, policy: Policy) -> int:
        """The warn ladder: the ``warn_limit``-th warning within a day means a mute (and a fresh start)."""
        key = (post.chat, post.user)
        with self._lock:
            stamps = [t for t in self._warnings.pop(key, []) if post.at - t < WARNINGS_EXPIRE]
            stamps.append(post.at)
            if len(stamps) >= policy.warn_limit:
                return policy.mute_minutes
            self._warnings[key] = stamps
            if len(self._warnings) > MAX_MEMBERS:
                self._warnings.popitem(last=False)
        return 0
