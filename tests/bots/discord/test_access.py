"""What `roundtable doctor` can report about the Discord bot: intents, invite link, per-server permissions."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bots.discord import access
from bots.discord.bot import intents
from tests.bots.discord.payloads import BOT_USER, GUILD

EVERYONE = int(GUILD["roles"][0]["permissions"])  # @everyone in the captured guild: send, embed, attach...


def test_message_content_is_the_one_privileged_intent_and_doctor_says_so() -> None:
    assert access.intents_text() == ("dm_messages, guild_messages, guild_reactions, guilds, message_content "
                                     "(message_content is privileged: switch it on in the Developer Portal)")
    assert not intents().members and not intents().presences  # a join time comes with each message


def test_the_invite_asks_for_the_commands_scope_and_the_needed_permissions() -> None:
    url = access.invite_url(123)
    assert "scope=bot+applications.commands" in url
    wanted = access.REQUIRED_PERMISSIONS | access.MODERATION_PERMISSIONS  # delete posts, time members out
    assert f"permissions={wanted.value}" in url and wanted.manage_messages and wanted.moderate_members


def test_missing_permissions_are_named() -> None:
    assert access.missing_permissions(EVERYONE) == ()
    no_embeds = EVERYONE & ~discord.Permissions(embed_links=True).value
    assert access.missing_permissions(no_embeds) == ("embed_links",)
    assert access.missing_permissions(discord.Permissions(administrator=True).value) == ()


async def test_guild_access_reads_the_guild_list_over_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    async def request(self: discord.http.HTTPClient, route: discord.http.Route, **kwargs: Any) -> Any:
        asked.append(route.path)
        if route.path == "/users/@me":
            return BOT_USER
        no_attach = EVERYONE & ~discord.Permissions(attach_files=True).value
        return [{"id": GUILD["id"], "name": GUILD["name"], "permissions": str(no_attach)}]

    monkeypatch.setattr(discord.http.HTTPClient, "request", request)
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)  # restored after the test
    (server,) = await access.guild_access("token", "http://127.0.0.1:9/api/v10")
    assert (server.name, server.missing) == (GUILD["name"], ("attach_files",))
    assert asked == ["/users/@me", "/users/@me/guilds"]
