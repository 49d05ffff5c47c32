"""The chat core as transcripts: who says what in which chat, and what the bot answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.messages import Incoming, Outgoing
from bots.chat.quota import Quota
from bots.chat.router import Router
from bots.chat.settings import ChatSettings, ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_router(notes_retriever: Callable[[str], Retriever], url: str, key: bytes, clock: Clock) -> Router:
    profiles = SqlProfileStore.open(url, key)
    advisor = Advisor(notes_retriever, GroundedComposer(), profiles)
    return Router(advisor, profiles, ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  quota=Quota(profiles.engine, clock))


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path, clock: Clock) -> Router:
    return make_router(notes_retriever, f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key(), clock)


def say(router: Router, text: str = "", *, user: str = "1", chat: str = "-100", kind: str = "group",
        **extra: object) -> list[Outgoing]:
    return router.handle(Incoming("telegram", chat if kind == "group" else user, kind,  # type: ignore[arg-type]
                                  user, f"user{user}", text, **extra))  # type: ignore[arg-type]


def test_group_answers_commands_mentions_and_replies_only(router: Router) -> None:
    assert say(router, "what is diversification?") == []
    answer, note = say(router, "/ask what is diversification?")
    assert answer.answer is not None and answer.answer.citations[0].doc_id == "diversification.md"
    assert note.private and "haven't taken the risk questionnaire" in note.text
    assert say(router, "@RoundtableBot what is an ETF?", mentions_bot=True)[0].answer is not None
    assert say(router, "and what about bonds?", reply_to_bot=True)[0].answer is not None


def test_private_chat_answers_plain_text(router: Router) -> None:
    (reply,) = say(router, "how do margin calls work?", kind="private")
    assert reply.answer is not None and reply.answer.risk.level == "R5"


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("/frobnicate", "group", None),
    ("/frobnicate", "private", "I don't know /frobnicate"),
    ("/ask", "group", "Ask me something after the command"),
    ("/help", "group", "/profile — take the risk questionnaire"),
    ("/privacy", "private", "/forget deletes your data"),
])
def test_commands(router: Router, text: str, kind: str, expected: str | None) -> None:
    replies = say(router, text, kind=kind)
    if expected is None:
        assert replies == []
    else:
        assert expected in replies[0].text


def test_commands_addressed_to_this_bot_by_name(router: Router) -> None:
    # Front-ends turn "/cmd@ThisBot" into "/cmd" with mentions_bot set (and drop other bots' commands).
    assert say(router, "/ask what is an index fund?", mentions_bot=True)[0].answer is not None
    assert "I don't know /frobnicate" in say(router, "/frobnicate", mentions_bot=True)[0].text


def test_hostile_and_odd_text_does_not_break_anything(router: Router) -> None:
    for text in ["/ask <b>bold</b> & <script>alert(1)</script>", "/ask مرحبا كيف حالك"]:
        (reply,) = say(router, text, kind="private")
        assert reply.answer is not None and reply.answer.disclaimer and "<script>" not in reply.answer.text
    assert say(router, "/ask مرحبا كيف حالك", kind="private")[0].answer.abstained  # type: ignore[union-attr]
    assert say(router, "/ask 🚀🚀🚀", kind="private")[0].text == "The question has no words in it."
    assert say(router, "/ask \u200b\u200b", kind="private")[0].text == "The question has no words in it."
    assert "the limit is 1000" in say(router, "/ask " + "x" * 5000, kind="private")[0].text
    (echo,) = say(router, "/**" + "&" * 1000 + "**", kind="private")
    assert echo.text == "I don't know /. Try /help."  # user markup is never echoed back


def test_per_member_quota_with_a_friendly_message(router: Router, clock: Clock) -> None:
    router.chat_settings.save(ChatSettings("telegram:-100", quota_per_hour=2))
    assert say(router, "/ask what is an ETF?")[0].answer is not None
    assert say(router, "/ask what is a bond?")[0].answer is not None
    assert "please give it a little while" in say(router, "/ask what is a stock?")[0].text
    assert say(router, "/ask what is a stock?", user="2")[0].answer is not None  # others are not affected
    clock.now += 3601
    assert say(router, "/ask what is a stock?")[0].answer is not None


def test_questionnaire_runs_privately_with_buttons(router: Router) -> None:
    (invite,) = say(router, "/profile")
    assert invite.buttons[0].deep_link == "profile" and not invite.answer
    (first,) = say(router, "/start profile", kind="private")
    assert first.private and first.text.startswith("**1/8**") and len(first.buttons) == 4
    replies = [first]
    for _ in range(8):
        replies = say(router, kind="private", action=replies[0].buttons[-1].action)
    assert "Your risk profile is **C5**" in replies[0].text
    (private,) = say(router, "how do margin calls work?", kind="private")
    assert private.answer is not None and "within your risk profile (C5)" in private.answer.suitability
    in_group, note = say(router, "/ask how do margin calls work?")  # the group never learns a member's level
    assert in_group.answer is not None and "C5" not in in_group.answer.suitability
    assert in_group.answer.suitability.startswith("This topic is rated R5")
    assert note.private and "within your risk profile (C5)" in note.text


def test_stale_or_forged_buttons_are_refused(router: Router) -> None:
    assert "expired" in say(router, kind="private", action="profile:0:1")[0].text
    say(router, "/profile", kind="private")
    assert "doesn't fit" in say(router, kind="private", action="profile:5:0")[0].text
    assert "doesn't fit" in say(router, kind="private", action="profile:0:99")[0].text


def test_forget_deletes_the_profile(router: Router) -> None:
    replies = say(router, "/profile", kind="private")
    for _ in range(8):
        replies = say(router, kind="private", action=replies[0].buttons[0].action)
    assert router.profiles.get("telegram:1") is not None
    (done,) = say(router, "/forget")
    assert done.private and "deleted your risk profile" in done.text
    assert router.profiles.get("telegram:1") is None
    assert "nothing to delete" in say(router, "/forget")[0].text


def test_settings_are_admin_only_and_persist(router: Router) -> None:
    assert "answer mentions: on" in say(router, "/settings")[0].text
    assert "Only group admins" in say(router, "/settings mentions off", is_admin=False)[0].text
    assert "Saved" in say(router, "/settings mentions off", is_admin=True)[0].text
    assert say(router, "@RoundtableBot what is an ETF?", mentions_bot=True) == []
    assert "didn't understand" in say(router, "/settings quota lots", is_admin=True)[0].text
    assert "must be 3-63" in say(router, "/settings collection x", is_admin=True)[0].text
    assert "not approved for chats (approved: research)" in say(router, "/settings collection rumours",
                                                                 is_admin=True)[0].text
    say(router, "/settings language zh", is_admin=True)
    assert say(router, "/ask what is diversification?")[0].answer.language == "zh"  # type: ignore[union-attr]


def test_settings_follow_a_group_migration(router: Router) -> None:
    router.chat_settings.save(ChatSettings("telegram:-100", quota_per_hour=7))
    router.chat_settings.move("telegram:-100", "telegram:-100999")
    assert router.chat_settings.get("telegram:-100999").quota_per_hour == 7
    assert router.chat_settings.get("telegram:-100").quota_per_hour == 20


def take_questionnaire(router: Router, choice: int, user: str = "1") -> str:
    """Answer every question with ``choice`` (capped at the last one); the closing message."""
    replies = say(router, "/profile", kind="private", user=user)
    for _ in range(8):
        buttons = replies[0].buttons
        replies = say(router, kind="private", user=user, action=buttons[min(choice, len(buttons) - 1)].action)
    return replies[0].text


def test_a_group_answer_reads_the_same_with_or_without_a_profile(router: Router) -> None:
    take_questionnaire(router, 1, user="2")  # member 2 is C2: margin (R5) is far above them
    unprofiled, note_1 = say(router, "/ask how do margin calls work?", user="1")
    profiled, note_2 = say(router, "/ask how do margin calls work?", user="2")
    assert unprofiled.answer and profiled.answer and not unprofiled.buttons and not profiled.buttons
    public = ("text", "suitability", "citations", "risk", "disclaimer", "language")  # what the group sees
    assert [getattr(unprofiled.answer, f) for f in public] == [getattr(profiled.answer, f) for f in public]
    assert note_1.private and note_2.private and note_1.text != note_2.text
    assert "haven't taken the risk questionnaire" in note_1.text
    assert note_2.text.startswith("Warning: this topic is rated R5, above your risk profile C2")
    assert note_2.buttons[0].action == "confirm:R5"  # G6: the warning asks for a confirmation, privately
    # Where no private message can be delivered, the group sees one neutral line, the same for everyone.
    assert note_1.private_fallback == note_2.private_fallback == (
        "I have sent you a private note (open a chat with me if you did not get it).")


def test_out_of_profile_topics_are_confirmed_with_a_button_and_recorded(router: Router) -> None:
    assert "**C2**" in take_questionnaire(router, 1)
    (warned,) = say(router, "how do margin calls work?", kind="private")
    assert warned.answer is not None and warned.answer.suitability.startswith("Warning")
    (button,) = warned.buttons
    assert button.label == "I understand this risk" and button.action == "confirm:R5"
    (done,) = say(router, kind="private", action=button.action)
    assert done.private and "confirmation is recorded" in done.text
    assert router.profiles.confirmed("telegram:1", "R5") and not router.profiles.confirmed("telegram:1", "R4")
    (again,) = say(router, "how do margin calls work?", kind="private")
    assert again.answer is not None and "you confirmed" in again.answer.suitability and not again.buttons
    # A forged confirmation for a level within the profile, or without a profile, is refused.
    assert "expired" in say(router, kind="private", action="confirm:R1")[0].text
    assert "expired" in say(router, kind="private", action="confirm:R5", user="9")[0].text
    take_questionnaire(router, 1)  # answers changed: the member is re-assessed and confirms again
    assert not router.profiles.confirmed("telegram:1", "R5")


def test_two_routers_on_one_database_agree(notes_retriever: Callable[[str], Retriever], tmp_path: Path,
                                          clock: Clock) -> None:
    url, key = f"sqlite:///{tmp_path / 'shared.db'}", Fernet.generate_key()
    first, second = (make_router(notes_retriever, url, key, clock) for _ in range(2))
    (question,) = say(first, "/profile", kind="private")
    for router in (second, first, second, first, second, first, second):  # turns alternate between instances
        (question,) = say(router, kind="private", action=question.buttons[0].action)
    (done,) = say(first, kind="private", action=question.buttons[0].action)
    assert "Your risk profile is **C1**" in done.text and second.profiles.get("telegram:1") is not None
    first.chat_settings.save(ChatSettings("telegram:-100", quota_per_hour=2))
    assert say(first, "/ask what is an ETF?")[0].answer is not None
    assert say(second, "/ask what is a bond?")[0].answer is not None
    assert "please give it a little while" in say(first, "/ask what is a stock?")[0].text
    assert "please give it a little while" in say(second, "/ask what is a stock?")[0].text


def test_forget_also_drops_a_questionnaire_in_progress_and_recent_questions(router: Router) -> None:
    router.chat_settings.save(ChatSettings("telegram:-100", quota_per_hour=1))
    assert say(router, "/ask what is an ETF?")[0].answer is not None
    (question,) = say(router, "/profile", kind="private")
    say(router, "/forget", kind="private")
    assert "expired" in say(router, kind="private", action=question.buttons[0].action)[0].text
    assert say(router, "/ask what is a bond?")[0].answer is not None  # the quota forgot the member too


def test_chats_choose_only_approved_collections_and_lapsed_ones_fall_back(
        notes_retriever: Callable[[str], Retriever], tmp_path: Path, clock: Clock) -> None:
    from knowledge.memory import MemoryRetriever, retrievers
    from tests.helpers import write

    write(tmp_path / "club" / "club-rules.md", "# Club rules\n\nOur investment club meets on the first Monday "
          "of every month to discuss diversification and fees.")
    club = MemoryRetriever.from_paths([tmp_path / "club"])
    research = notes_retriever("research")
    approved = FixedCollections({"research", "club"})
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'c.db'}", Fernet.generate_key())
    advisor = Advisor(retrievers({"research": research, "club": club}), GroundedComposer(), profiles)
    router = Router(advisor, profiles, ChatSettingsStore(profiles.engine), approved, quota=Quota(profiles.engine))
    assert "Approved collections: club, research" in say(router, "/settings")[0].text
    assert "Saved" in say(router, "/settings collection club", is_admin=True)[0].text
    answer = say(router, "/ask when does the investment club meet?")[0].answer
    assert answer is not None and answer.citations[0].doc_id == "club-rules.md"
    approved.names.discard("club")  # new, unvetted content arrived: the approval lapsed
    answer = say(router, "/ask when does the investment club meet?")[0].answer
    assert answer is not None and all(c.doc_id != "club-rules.md" for c in answer.citations)


def test_the_questionnaire_speaks_the_members_language(router: Router) -> None:
    (first,) = say(router, "/profile", kind="private", language="zh")
    assert first.text == "**1/8** 这笔资金您计划投资多长时间？" and first.buttons[0].label == "少于1年"
    (second,) = say(router, kind="private", language="zh", action=first.buttons[0].action)
    assert second.text.startswith("**2/8** 一年内您能承受的最大亏损幅度")


def test_commands_of_features_the_bot_was_built_without_say_so(router: Router) -> None:
    # make_router builds no briefings, moderation or mood: their commands answer plainly, never crash.
    assert router.briefs is None and router.moderation is None and router.mood is None
    assert say(router, "/brief on")[0].text == "Briefings are not set up for this bot."
    assert say(router, "/modqueue")[0].text == "Moderation is not set up for this bot."
    assert say(router, "/modpolicy")[0].text == "Moderation is not set up for this bot."
    assert say(router, "/mood")[0].text == "Mood tracking is not set up for this bot."
