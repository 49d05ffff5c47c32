"""Slash commands, called with real ``discord.Interaction`` objects built from a captured INTERACTION_CREATE;
what the bot sends back is recorded (tests/bots/discord/recorder.py). Registration payloads come from
``to_dict``, as Discord receives them at sync."""

from __future__ import annotations

from typing import Any, cast

import discord
import pytest
from discord import app_commands

from advisor.community.feedback import FeedbackStore
from bots.chat.community import Community
from bots.chat.feedback import FeedbackCommands
from bots.discord.bot import RoundtableBot
from bots.discord.commands import AskCog
from bots.discord.market_commands import MarketCog
from bots.discord.render import RISK_COLOURS
from tests.bots.discord.payloads import ALICE, BOB, MEMBER_PERMISSIONS, button_press, command
from tests.bots.discord.recorder import Recorder

DEFERRED = 5  # "thinking..."
NO_PINGS: dict[str, list[str]] = {"parse": []}  # allowed_mentions none, as Discord receives it


def ask_cog(bot: RoundtableBot) -> AskCog:
    cog = bot.get_cog("AskCog")
    assert isinstance(cog, AskCog)
    return cog


def market_cog(bot: RoundtableBot) -> MarketCog:
    cog = bot.get_cog("MarketCog")
    assert isinstance(cog, MarketCog)
    return cog


async def invoke(cmd: Any, cog: Any, interaction: discord.Interaction[Any], **options: Any) -> None:
    """A slash command's callback, called as the command tree calls it once the options are parsed."""
    await cmd.callback(cog, interaction, **options)


def registered(bot: RoundtableBot) -> dict[str, dict[str, Any]]:
    return {cmd.name: cmd.to_dict(bot.tree) for cmd in bot.tree.get_commands()}


# -- registration ------------------------------------------------------------------------------------------


async def test_every_command_and_option_is_described_and_typed(bot: RoundtableBot) -> None:
    commands = registered(bot)
    assert set(commands) == {"ask", "profile", "forget", "privacy", "help", "settings", "quote", "chart",
                             "portfolio", "brief", "mood", "modqueue", "modpolicy", "quiz", "follow", "unfollow",
                             "points", "top", "leaderboard", "Mark as helpful"}

    def walk(payload: dict[str, Any]) -> None:
        assert payload["description"].strip(), payload["name"]
        for option in payload.get("options", []):
            walk(option)

    for payload in commands.values():
        if payload.get("type", 1) == 1:  # a slash command; "Mark as helpful" is a context menu, with no text
            walk(payload)
    question = commands["ask"]["options"][0]
    assert (question["name"], question["type"], question["required"], question["max_length"]) == \
        ("question", 3, True, 1000)
    period = next(o for o in commands["chart"]["options"] if o["name"] == "period")
    assert [c["value"] for c in period["choices"]] == ["1m", "6m", "1y", "5y"] and not period["required"]
    portfolio = {sub["name"]: sub for sub in commands["portfolio"]["options"]}
    assert set(portfolio) == {"add", "remove", "list", "snapshot", "import", "export", "clear", "share", "unshare",
                              "view"}
    assert portfolio["import"]["options"][0]["type"] == 11  # an attachment
    assert [o["type"] for o in portfolio["add"]["options"]] == [3, 10, 10, 3]  # symbol, quantity, price, date


async def test_settings_need_manage_server_by_default(bot: RoundtableBot) -> None:
    settings = registered(bot)["settings"]
    assert settings["default_member_permissions"] == discord.Permissions(manage_guild=True).value
    subcommands = {sub["name"]: sub for sub in settings["options"]}
    assert set(subcommands) == {"show", "language", "collection", "mentions", "quota"}
    quota = subcommands["quota"]["options"][0]
    assert (quota["type"], quota["min_value"], quota["max_value"]) == (4, 1, 1000)
    assert subcommands["collection"]["options"][0]["autocomplete"] is True
    assert registered(bot)["ask"]["default_member_permissions"] is None  # everyone else: open to all


# -- /ask --------------------------------------------------------------------------------------------------


async def test_ask_defers_then_answers_with_an_embed(bot: RoundtableBot, sent: Recorder) -> None:
    interaction = command(bot._connection, "ask", {"question": "what is diversification?"})
    cog = ask_cog(bot)
    await invoke(cog.ask, cog, interaction, question="what is diversification?")

    assert sent.sent[0].path.endswith("/callback") and sent.sent[0].body["type"] == DEFERRED
    assert not sent.sent[0].ephemeral  # an answer in a channel is for everyone
    answer, note = sent.messages()
    (embed,) = answer.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Sources"].startswith("1. ")
    level = fields["Risk"][2:4]  # "**R2**: ..."
    assert embed["color"] == RISK_COLOURS[level].value
    assert "not" in embed["footer"]["text"].lower()  # the disclaimer ("...is not investment advice...")
    assert "diversif" in embed["description"].lower()
    assert not answer.ephemeral
    assert note.ephemeral and "risk questionnaire" in note.content  # the asker's own note: only they see it
    assert all(message.body["allowed_mentions"] == NO_PINGS for message in sent.messages())


async def test_a_long_answer_is_split_within_discords_limits(bot: RoundtableBot, sent: Recorder,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    advisor = bot.router.advisor
    real = advisor.answer

    def wordy(*args: Any, **kwargs: Any) -> Any:
        from dataclasses import replace

        answer = real(*args, **kwargs)
        return replace(answer, text="\n\n".join([answer.text] * 40))  # about 17,000 characters

    monkeypatch.setattr(advisor, "answer", wordy)
    interaction = command(bot._connection, "ask", {"question": "what is diversification?"})
    cog = ask_cog(bot)
    await invoke(cog.ask, cog, interaction, question="what is diversification?")

    public = [m for m in sent.messages() if not m.ephemeral]
    assert len(public) >= 2  # more than one message's worth of embeds
    for message in public:
        embeds = message.embeds
        assert 1 <= len(embeds) <= 10
        total = sum(len(e.get("description", "")) + len(e.get("footer", {}).get("text", "")) +
                    sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", [])) for e in embeds)
        assert total <= 6000
        assert all(len(e.get("description", "")) <= 4096 for e in embeds)
    last = public[-1].embeds[-1]
    assert "Not investment advice" in last["footer"]["text"]  # the disclaimer closes the answer


# -- private commands and their buttons ---------------------------------------------------------------------


async def test_profile_is_ephemeral_and_only_its_owner_can_press(bot: RoundtableBot, sent: Recorder) -> None:
    cog = ask_cog(bot)
    await invoke(cog.profile, cog, command(bot._connection, "profile"))

    assert sent.acknowledgements()[0].ephemeral
    (question,) = sent.messages()
    assert question.ephemeral and question.content.startswith("**1/")
    choices = question.buttons
    assert len(choices) >= 2 and all(b["custom_id"].startswith("profile:0:") for b in choices)

    view = next(iter(bot._connection._view_store._views.values()))
    button = next(item for item in view.values() if item.custom_id == choices[0]["custom_id"])  # type: ignore[attr-defined]
    owner_view = button.view
    assert owner_view is not None
    shown = sent._reply_for(question)  # the message as Discord returned it, buttons and all

    intruder = button_press(bot._connection, choices[0]["custom_id"], shown, member=BOB, member_name="bob")
    await button.callback(intruder)
    refusal = sent.sent[-1]
    assert refusal.ephemeral and refusal.content == "These buttons are for Shadorc."
    assert bot.router.profiles.progress(f"discord:{BOB}") is None  # nothing reached the router

    owner = button_press(bot._connection, choices[0]["custom_id"], shown, member=ALICE)
    await button.callback(owner)
    edit = sent.sent[-1]
    assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
    assert edit.content.startswith("**2/")  # the questionnaire moved on in the same message
    assert all(b["custom_id"].startswith("profile:1:") for b in edit.buttons)


async def test_forget_is_ephemeral(bot: RoundtableBot, sent: Recorder) -> None:
    cog = ask_cog(bot)
    await invoke(cog.forget, cog, command(bot._connection, "forget"))
    (reply,) = sent.messages()
    assert sent.acknowledgements()[0].ephemeral and reply.ephemeral
    assert "nothing stored" in reply.content


async def test_portfolio_add_and_list_are_ephemeral(bot: RoundtableBot, sent: Recorder) -> None:
    cog = market_cog(bot)
    add = command(bot._connection, "portfolio", {"symbol": "AAPL", "quantity": 10.0, "price": 150.5},
                  subcommand="add")
    await invoke(cog.add, cog, add, symbol="AAPL", quantity=10.0, price=150.5)
    await invoke(cog.list_holdings, cog, command(bot._connection, "portfolio", subcommand="list"))

    assert all(ack.ephemeral for ack in sent.acknowledgements())
    added, listed = sent.messages()
    assert added.ephemeral and added.content == "Added 10 AAPL."
    assert listed.ephemeral and "AAPL: 10 at 150.50" in listed.content


async def test_quote_shows_price_time_and_source(bot: RoundtableBot, sent: Recorder) -> None:
    cog = market_cog(bot)
    await invoke(cog.quote, cog, command(bot._connection, "quote", {"symbols": "AAPL"}), symbols="AAPL")
    (reply,) = sent.messages()
    assert not reply.ephemeral
    assert "(AAPL)" in reply.content and "as of 2018-04-" in reply.content and "source:" in reply.content


# -- /settings ------------------------------------------------------------------------------------------------


async def test_settings_are_refused_at_run_time_without_manage_server(bot: RoundtableBot, sent: Recorder) -> None:
    cog = ask_cog(bot)
    member = command(bot._connection, "settings", {"per_hour": 5}, subcommand="quota", member=BOB,
                     member_name="bob", permissions=MEMBER_PERMISSIONS)
    await invoke(cog.settings_quota, cog, member, per_hour=5)
    admin = command(bot._connection, "settings", {"per_hour": 5}, subcommand="quota")
    await invoke(cog.settings_quota, cog, admin, per_hour=5)

    refused, saved = sent.messages()
    assert refused.content == "Only group admins can change settings."
    assert saved.content.startswith("Saved.") and "questions per member per hour: 5" in saved.content


async def test_collection_autocomplete_offers_the_approved_collections(bot: RoundtableBot) -> None:
    cog = ask_cog(bot)
    interaction = command(bot._connection, "settings", subcommand="collection")
    complete = cast(Any, cog).collection_names
    offered = await complete(interaction, "")
    assert [choice.value for choice in offered] == ["default", "research"]
    assert [c.value for c in await complete(interaction, "RES")] == ["research"]


# -- degraded channels and failures ---------------------------------------------------------------------------


async def test_without_embed_links_the_answer_is_plain_text_and_admins_are_told_once(
        bot: RoundtableBot, sent: Recorder) -> None:
    no_embeds = str(discord.Permissions(send_messages=True, view_channel=True).value)
    cog = ask_cog(bot)
    for _ in range(2):
        interaction = command(bot._connection, "ask", app_permissions=no_embeds)
        await invoke(cog.ask, cog, interaction, question="what is diversification?")

    public = [m for m in sent.messages() if not m.ephemeral]
    assert public and not any(m.embeds for m in public)
    text = "\n".join(m.content for m in public)
    assert "**Sources**" in text and "**Risk R2**" in text and "Not investment advice" in text
    assert text.count("Note for server admins") == 1
    assert all(len(m.content) <= 2000 for m in public)


async def test_an_interaction_that_expired_is_dropped(bot: RoundtableBot, sent: Recorder,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    callback = "/interactions/{webhook_id}/{webhook_token}/callback"
    sent.refuse[callback] = discord.NotFound(_response(404), {"code": 10062, "message": "Unknown interaction"})
    cog = ask_cog(bot)
    await invoke(cog.ask, cog, command(bot._connection, "ask"), question="what is diversification?")
    assert sent.messages() == []
    assert "expired before it was acknowledged" in caplog.text


async def test_a_crash_gets_a_reference_and_a_short_apology(bot: RoundtableBot, sent: Recorder,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("the database is on fire")

    monkeypatch.setattr(bot.router, "handle", broken)
    interaction = command(bot._connection, "help")
    cog = ask_cog(bot)
    with pytest.raises(RuntimeError) as raised:
        await invoke(cog.help, cog, interaction)
    await bot.on_app_command_error(interaction, app_commands.CommandInvokeError(cog.help, raised.value))
    (apology,) = sent.messages()
    assert apology.content.startswith("Sorry, something went wrong on my side (reference ")
    reference = apology.content.split("reference ")[1][:8]
    assert reference in caplog.text and "the database is on fire" not in apology.content


def _response(status: int) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(status=status, reason="refused")


async def test_ready_means_commands_synced_and_the_gateway_ready(bot: RoundtableBot) -> None:
    await bot.on_connect()  # READY before the sync finished (cannot happen in setup_hook order; still)
    assert not bot.commands_ready.is_set()
    bot.synced = True
    await bot.on_connect()
    assert bot.commands_ready.is_set()


async def test_chart_is_an_attachment(bot: RoundtableBot, sent: Recorder) -> None:
    cog = market_cog(bot)
    period = app_commands.Choice(name="1 year", value="1y")
    await invoke(cog.chart, cog, command(bot._connection, "chart", {"symbol": "AAPL", "period": "1y"}),
                 symbol="AAPL", period=period)
    (chart,) = sent.messages()
    assert chart.files == ["chart.png"] and "(AAPL)" in chart.content


async def test_a_huge_csv_is_refused_before_it_is_downloaded(bot: RoundtableBot, sent: Recorder,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    downloads: list[str] = []

    async def download(url: str) -> bytes:
        downloads.append(url)
        return b"symbol,quantity,cost,date\nAAPL,3,150,2018-01-02\n"

    monkeypatch.setattr(bot.http, "get_from_cdn", download)
    cog = market_cog(bot)

    def attachment(size: int) -> discord.Attachment:
        return discord.Attachment(state=bot._connection, data={
            "id": "1", "filename": "holdings.csv", "size": size, "url": "https://cdn.test/holdings.csv",
            "proxy_url": "https://cdn.test/holdings.csv"})

    await invoke(cog.import_csv, cog, command(bot._connection, "portfolio", subcommand="import"),
                 file=attachment(5_000_000))
    await invoke(cog.import_csv, cog, command(bot._connection, "portfolio", subcommand="import"),
                 file=attachment(48))
    refused, imported = sent.messages()
    assert refused.ephemeral and refused.content.startswith("That file is 5.0 MB")
    assert downloads == ["https://cdn.test/holdings.csv"]  # only the small one was fetched
    assert imported.ephemeral and imported.content.startswith("Imported 1 holding ")


async def test_clearing_a_portfolio_asks_first_and_the_press_edits_the_question(bot: RoundtableBot,
                                                                               sent: Recorder) -> None:
    cog = market_cog(bot)
    await invoke(cog.add, cog, command(bot._connection, "portfolio", subcommand="add"), symbol="AAPL",
                 quantity=2.0, price=None, date=None)
    await invoke(cog.clear, cog, command(bot._connection, "portfolio", subcommand="clear"))
    question = sent.messages()[-1]
    assert question.ephemeral and [b["custom_id"] for b in question.buttons] == ["portfolio:clear"]

    view = next(item.view for items in bot._connection._view_store._views.values() for item in items.values())
    assert view is not None
    (button,) = view.children
    await button.callback(button_press(bot._connection, "portfolio:clear", sent._reply_for(question)))
    edit = sent.sent[-1]
    assert edit.method == "PATCH" and edit.content == "Done: 1 holdings deleted." and edit.buttons == []
    assert bot.router.markets is not None and bot.router.markets.portfolios.holdings(f"discord:{ALICE}") == []


async def test_the_command_tree_dispatches_with_parsed_options(bot: RoundtableBot, sent: Recorder) -> None:
    """The whole path Discord's INTERACTION_CREATE takes: the tree finds /settings quota, converts the option
    and calls the callback; a crash inside reaches the one error handler."""
    await bot.tree._call(command(bot._connection, "settings", {"per_hour": 7}, subcommand="quota"))
    (saved,) = sent.messages()
    assert "questions per member per hour: 7" in saved.content


async def test_a_crash_through_the_tree_reaches_the_error_handler(bot: RoundtableBot, sent: Recorder,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.router, "handle", broken)
    interaction = command(bot._connection, "help")
    await bot.tree._call(interaction)
    (apology,) = sent.messages()
    assert apology.content.startswith("Sorry, something went wrong on my side (reference ")


async def test_symbols_autocomplete_from_the_market_data(bot: RoundtableBot) -> None:
    cog = market_cog(bot)
    interaction = command(bot._connection, "chart", {"symbol": "appl"})
    choices = await cog.symbol_choices(interaction, "appl")
    assert choices and choices[0].value == "AAPL" and choices[0].name == "AAPL · Apple Inc."  # a typo still finds it
    assert await cog.symbol_choices(interaction, "  ") == []
    registered = cog.chart.to_dict(bot.tree)
    assert next(o for o in registered["options"] if o["name"] == "symbol")["autocomplete"] is True


async def test_any_member_may_rate_an_answer_and_the_askers_buttons_stay_theirs(bot: RoundtableBot,
                                                                                 sent: Recorder) -> None:
    feedback = FeedbackCommands(FeedbackStore(bot.router.profiles.engine))  # type: ignore[attr-defined]
    bot.router.community = Community(feedback=feedback)
    cog = ask_cog(bot)
    await invoke(cog.ask, cog, command(bot._connection, "ask", {"question": "what is diversification?"}),
                 question="what is diversification?")
    answer = sent.messages()[0]
    rate = {b["label"]: b["custom_id"] for b in answer.buttons}
    assert set(rate) == {"👍", "👎"}
    view = next(iter(bot._connection._view_store._views.values()))
    down = next(item for item in view.values() if item.custom_id == rate["👎"])  # type: ignore[attr-defined]

    await down.callback(button_press(bot._connection, rate["👎"], sent._reply_for(answer), member=BOB,
                                     member_name="bob"))
    reasons = sent.messages()[-1]
    assert reasons.ephemeral and "what was wrong" in reasons.content.lower()  # new and private: the answer stays
    assert not any(m.method == "PATCH" for m in sent.sent)
    assert feedback.store.member(f"discord:{BOB}") == 1 and feedback.store.member(f"discord:{ALICE}") == 0
    assert not down.view.is_finished()  # type: ignore[union-attr]  # others may still rate
