"""One question, three front-ends, one answer: the console, Telegram and Discord show the same cited sentences,
numbered sources, risk and disclaimer (issue 9, item 7).

The same ``Router`` serves all three. Each front-end runs for real: the console chat prints to a recording
``rich`` console; python-telegram-bot talks to the local fake Bot API (the HTML it sends is read back); the
Discord /ask callback gets a real ``Interaction`` built from a captured payload and its follow-up embed is
recorded. Each rendering is then read back into the same plain fields, undoing only that platform's markup
and escaping, so what is compared is what a member reads.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
from cryptography.fernet import Fernet
from rich.console import Console

from advisor.advisor import Advisor
from advisor.catalogue import message
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.router import COMMANDS, Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.console.chat import ConsoleChat
from bots.discord.commands import AskCog
from bots.telegram.bot import COMMANDS_ZH, TelegramFrontend
from knowledge.retrieval import Retriever
from tests.bots.discord import payloads
from tests.bots.discord.recorder import offline_bot, record_sends
from tests.bots.telegram.fake_telegram import FakeTelegram
from tests.bots.telegram.test_telegram import GROUP, group_message

QUESTIONS = {
    "english": "what is diversification?",
    "chinese": "什么是分散投资？",
    "refusal": "should I buy TSLA?",  # personal advice: refused, with what the research says instead
}
HEADINGS = {kind: {message(kind, language) for language in ("en", "zh")} for kind in ("sources", "risk")}
RISK = re.compile(r"^(R[1-5]): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class Reading:
    """An answer as a member reads it, whatever the platform's markup: whitespace runs count as one space."""

    body: str
    sources: tuple[tuple[int, str], ...]  # (number, document title)
    risk: str  # "R2: the reason"
    suitability: str
    disclaimer: str

    @property
    def cited(self) -> list[tuple[str, int]]:
        """Each cited sentence with the number of its source, in order."""
        return [(sentence.strip(), int(number)) for sentence, number in re.findall(r"([^\[\]]+?)\s*\[(\d+)\]",
                                                                                   self.body)]


def plain(text: str) -> str:
    return " ".join(text.split())


def numbered(line: str, pattern: str) -> tuple[int, str]:
    """A source line ("1. Title (file.md, date)" or "[1] Title (...)") as (1, "Title")."""
    found = re.fullmatch(pattern + r" (.+) \([^()]*\)", line.strip())
    assert found, line
    return int(found.group(1)), found.group(2)


def risk_line(line: str) -> str:
    """"Risk R2: reason" in either language, as "R2: reason"."""
    heading, _, rest = line.partition(" ")
    assert heading in HEADINGS["risk"] and RISK.match(rest), line
    return plain(rest)


# -- reading each platform back ------------------------------------------------------------------------


def read_console(shown: str) -> Reading:
    """``answer_markup`` as the terminal printed it (markup gone): body, heading, "  [n] ..." lines, the risk
    line, the suitability note, the disclaimer."""
    lines = shown.removeprefix("roundtable> ").rstrip("\n").split("\n")
    at_risk = max(i for i, line in enumerate(lines) if line.partition(" ")[0] in HEADINGS["risk"])
    at_sources = next(i for i, line in enumerate(lines) if line in HEADINGS["sources"])
    return Reading(plain("\n".join(lines[:at_sources])),
                   tuple(numbered(line, r"\[(\d+)\]") for line in lines[at_sources + 1:at_risk]),
                   risk_line(lines[at_risk]), plain(" ".join(lines[at_risk + 1:-1])), plain(lines[-1]))


def read_telegram(sent_html: str) -> Reading:
    """``answer_html``: paragraphs of body, "<b>Sources</b>" and "n. ..." lines, "<b>Risk ...</b>", the
    suitability note, "<i>disclaimer</i>"."""
    parts = sent_html.split("\n\n")
    at_sources = next(i for i, part in enumerate(parts)
                      if re.sub(r"</?b>", "", part.split("\n")[0]) in HEADINGS["sources"])
    sources, risk, *suitability, disclaimer = parts[at_sources:]
    assert risk.startswith("<b>") and risk.endswith("</b>") and disclaimer.startswith("<i>"), sent_html
    return Reading(plain(html.unescape("\n\n".join(parts[:at_sources]))),
                   tuple(numbered(html.unescape(line), r"(\d+)\.") for line in sources.split("\n")[1:]),
                   risk_line(html.unescape(risk[3:-4])), plain(html.unescape(" ".join(suitability))),
                   plain(html.unescape(disclaimer.removeprefix("<i>").removesuffix("</i>"))))


def unmarkdown(text: str) -> str:
    """Undo ``discord.utils.escape_markdown`` / ``escape_mentions``: a backslash escapes the next character,
    and "@\u200beveryone" is "@everyone"."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL).replace("@\u200b", "@")


def read_discord(embed: dict[str, Any]) -> Reading:
    """``answer_embeds``: the description, then fields (sources, "**R2**: reason", suitability), the footer."""
    fields = embed["fields"]
    at_risk = next(i for i, field in enumerate(fields) if field["name"] in HEADINGS["risk"])
    level = re.match(r"^\*\*(R[1-5])\*\*: ", fields[at_risk]["value"])
    assert level, fields[at_risk]
    sources = [line for field in fields[:at_risk] for line in field["value"].split("\n")]
    return Reading(plain(unmarkdown(embed["description"])),
                   tuple(numbered(unmarkdown(line), r"(\d+)\.") for line in sources),
                   plain(f"{level.group(1)}: {unmarkdown(fields[at_risk]['value'][level.end():])}"),
                   plain(" ".join(unmarkdown(field["value"]) for field in fields[at_risk + 1:])),
                   plain(embed["footer"]["text"]))


# -- asking through each front-end ---------------------------------------------------------------------


def ask_console(router: Router, question: str) -> str:
    screen = Console(record=True, soft_wrap=True, width=200)  # soft wrap: no line breaks of the terminal's own
    chat = ConsoleChat(router, screen)
    replies = chat.send(f"/ask {question}")
    assert replies and replies[0].answer is not None, replies
    # The answer is the first thing shown; the asker's private note follows on its own "roundtable" line.
    return screen.export_text().split("\nroundtable (private)> ")[0]


async def ask_telegram(router: Router, fake: FakeTelegram, question: str) -> str:
    frontend = TelegramFrontend(router, fake.token, api_url=fake.url)
    await frontend.start()
    try:
        fake.push(group_message(f"/ask {question}"))
        await asyncio.to_thread(fake.wait_for, "sendMessage", 2)  # the answer and the asker's private note
    finally:
        await frontend.stop()
    (answer,) = [sent for sent in fake.sent() if int(sent["chat_id"]) == GROUP]
    assert answer["parse_mode"] == "HTML"
    return str(answer["text"])


async def ask_discord(router: Router, question: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The /ask callback with a real Interaction; the bot's HTTP side recorded (as tests/bots/discord do)."""
    bot = await offline_bot(router)
    recorder = record_sends(bot, monkeypatch.setattr)
    state = bot._connection
    cog = bot.get_cog("AskCog")
    assert isinstance(cog, AskCog)
    ask: Any = cog.ask  # the callback as the command tree calls it, once the options are parsed
    await ask.callback(cog, payloads.command(state, "ask", {"question": question}), question=question)
    (answer,) = [sent for sent in recorder.messages() if sent.embeds]
    assert not answer.ephemeral
    (embed,) = answer.embeds  # a short answer: one embed, its disclaimer in the footer
    return embed


# -- the test ------------------------------------------------------------------------------------------


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    """One router for the three front-ends (a file database: Telegram and Discord call it from threads)."""
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                  ChatSettingsStore(profiles.engine), FixedCollections({"research"}))


@pytest.mark.parametrize("question", QUESTIONS.values(), ids=QUESTIONS.keys())
async def test_console_telegram_and_discord_show_the_same_answer(question: str, router: Router, fake: FakeTelegram,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    console = read_console(await asyncio.to_thread(ask_console, router, question))
    telegram = read_telegram(await ask_telegram(router, fake, question))
    discord_ = read_discord(await ask_discord(router, question, monkeypatch))

    # The console's reading is sound on its own: cited sentences, each citing a listed source, a risk level.
    assert console.cited and console.sources and RISK.match(console.risk) and console.disclaimer
    assert {number for _, number in console.cited} <= {number for number, _ in console.sources}
    for name, reading in (("telegram", telegram), ("discord", discord_)):
        assert reading.cited == console.cited, name
        assert reading.body == console.body, name  # the uncited sentences too (a refusal's explanation)
        assert reading.sources == console.sources, name
        assert reading.risk == console.risk, name
        assert reading.suitability == console.suitability, name
        assert reading.disclaimer == console.disclaimer, name


# Discord has no /start: a member begins with any slash command, and what /start's deep links open on Telegram
# is served at once as an ephemeral reply (RoundtableBot._private_instead_of_links).
NOT_ON_DISCORD = {"start"}


async def test_every_chat_command_is_offered_on_telegram_and_discord(router: Router) -> None:
    """The router's commands (/help lists them; Telegram's menu registers them, in English and Chinese) are the
    Discord slash commands too, /brief included: a command added to one front-end only fails here."""
    bot = await offline_bot(router)
    assert list(COMMANDS_ZH) == list(COMMANDS)
    slash = {command.name for command in bot.tree.get_commands(type=discord.AppCommandType.chat_input)}
    # /helpful replies to a post; on Discord that is "Mark as helpful" in the post's Apps menu.
    menus = {command.name for command in bot.tree.get_commands(type=discord.AppCommandType.message)}
    assert slash | ({"helpful"} if "Mark as helpful" in menus else set()) == set(COMMANDS) - NOT_ON_DISCORD
    assert "brief" in COMMANDS
