"""Real Discord gateway payloads (tests/fixtures/discord, see SOURCE.md) turned into real discord.py objects.

Each builder deep-copies a captured payload and changes only what the test is about (the command and its
options, who is asking with which permissions, the message text), plus the fields Discord added after the
capture that discord.py 2.7 reads.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import discord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "discord"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["d"]
    return data


INTERACTION = load("InteractionCreate.json")
MESSAGE = load("MessageCreate.Type0.json")
GUILD = load("GuildCreate.json")

# From InteractionCreate.json: the application (the bot), the member who ran the command (an admin there).
BOT_ID = int(INTERACTION["application_id"])
ALICE = int(INTERACTION["member"]["user"]["id"])
BOB = 134127815531560960  # a member of GuildCreate.json's guild
CHANNEL = int(INTERACTION["channel_id"])
ALL_PERMISSIONS = INTERACTION["member"]["permissions"]  # "8589934591": every permission up to bit 32
MEMBER_PERMISSIONS = str(discord.Permissions(send_messages=True, read_message_history=True,
                                            use_application_commands=True).value)
BOT_USER = {"id": str(BOT_ID), "username": "Roundtable", "discriminator": "0", "avatar": None, "bot": True}

# From GuildCreate.json: a guild whose channel "test3" has no overwrites. The bot joins it with no role, so
# the @everyone permissions apply (send, embed, attach; not administrator, which would bypass overwrites).
GUILD_ID = int(GUILD["id"])
GUILD_CHANNEL = 263773872204152833


def user(user_id: int, name: str) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "public_flags": 0}


def command(state: Any, name: str, options: dict[str, Any] | None = None, *, subcommand: str | None = None,
            member: int = ALICE, member_name: str = "Shadorc", permissions: str = ALL_PERMISSIONS,
            app_permissions: str = ALL_PERMISSIONS, in_guild: bool = True,
            locale: str = "en-US") -> discord.Interaction[Any]:
    """An INTERACTION_CREATE for ``/name [subcommand] options`` from ``member``."""
    return discord.Interaction(data=command_data(name, options, subcommand=subcommand, member=member,  # type: ignore[arg-type]
                                                 member_name=member_name, permissions=permissions,
                                                 app_permissions=app_permissions, in_guild=in_guild, locale=locale),
                               state=state)


def command_data(name: str, options: dict[str, Any] | None = None, *, subcommand: str | None = None,
                 member: int = ALICE, member_name: str = "Shadorc", permissions: str = ALL_PERMISSIONS,
                 app_permissions: str = ALL_PERMISSIONS, in_guild: bool = True,
                 locale: str = "en-US") -> dict[str, Any]:
    """The ``d`` of that INTERACTION_CREATE, as the gateway delivers it."""
    data = copy.deepcopy(INTERACTION)
    kinds = {str: 3, int: 4, bool: 5, float: 10}
    opts = [{"name": key, "type": kinds[type(value)], "value": value} for key, value in (options or {}).items()]
    # The capture's "resolved" users/roles/channels belong to its own options; these commands have none.
    data["data"].update(name=name, type=1, resolved={}, options=[{"type": 1, "name": subcommand, "options": opts}]
                        if subcommand else opts)
    return _interaction_data(data, member, member_name, permissions, app_permissions, in_guild, locale)


def button_press(state: Any, custom_id: str, message: dict[str, Any], *, member: int = ALICE,
                 member_name: str = "Shadorc", in_guild: bool = True) -> discord.Interaction[Any]:
    """A component interaction: ``member`` pressed the button ``custom_id`` on ``message``."""
    data = copy.deepcopy(INTERACTION)
    data.update(type=3, data={"custom_id": custom_id, "component_type": 2}, message=message)
    return discord.Interaction(data=_interaction_data(data, member, member_name, ALL_PERMISSIONS,  # type: ignore[arg-type]
                                                      ALL_PERMISSIONS, in_guild, "en-US"), state=state)


def _interaction_data(data: dict[str, Any], member: int, member_name: str, permissions: str,
                      app_permissions: str, in_guild: bool, locale: str) -> dict[str, Any]:
    data["member"]["user"] = user(member, member_name)
    data["member"]["permissions"] = permissions
    data.update(attachment_size_limit=10 * 1024 * 1024, app_permissions=app_permissions, locale=locale,
                channel={"id": str(CHANNEL), "type": 0, "name": "general", "guild_id": data["guild_id"],
                         "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None})
    if not in_guild:
        data["user"] = data.pop("member")["user"]
        del data["guild_id"]
        data["channel"] = {"id": str(CHANNEL), "type": 1, "recipients": [data["user"]]}
    return data


def guild(state: Any, *, deny_in_channel: int = 0) -> discord.Guild:
    """GuildCreate.json's guild, cached, with the bot as a member (``deny_in_channel``: permissions the bot
    is denied in GUILD_CHANNEL by a member overwrite)."""
    data = copy.deepcopy(GUILD)
    data["members"].append({"user": BOT_USER, "roles": [], "joined_at": "2026-11-01T00:00:00+00:00",
                            "deaf": False, "mute": False, "flags": 0})
    data["system_channel_id"] = str(GUILD_CHANNEL)
    for channel in data["channels"]:
        if int(channel["id"]) == GUILD_CHANNEL and deny_in_channel:
            channel["permission_overwrites"] = [{"type": 1, "id": str(BOT_ID), "deny": str(deny_in_channel),
                                                 "allow": "0"}]
    return state._add_guild_from_data(data)  # type: ignore[no-any-return]


def message(state: Any, content: str, *, author: int = BOB, mentions: tuple[int, ...] = (),
            replying_to: int | None = None, in_guild: discord.Guild | None = None,
            bot_author: bool = False, webhook: bool = False) -> discord.Message:
    """A MESSAGE_CREATE with ``content``; in ``in_guild``'s GUILD_CHANNEL, or a DM when no guild is given."""
    data = copy.deepcopy(MESSAGE)
    data["content"] = content
    data["author"] = {**user(author, "bob"), **({"bot": True} if bot_author else {})}
    data["mentions"] = [BOT_USER if uid == BOT_ID else user(uid, "someone") for uid in mentions]
    if webhook:
        data["webhook_id"] = "555000000000000001"
    if replying_to is not None:
        earlier = copy.deepcopy(MESSAGE)
        earlier.update(id="732582724170285000", author=BOT_USER if replying_to == BOT_ID else user(replying_to, "x"))
        data.update(type=19, referenced_message=earlier,
                    message_reference={"message_id": earlier["id"], "channel_id": data["channel_id"]})
    if in_guild is not None:
        data.update(guild_id=str(in_guild.id), channel_id=str(GUILD_CHANNEL))
        channel: Any = in_guild.get_channel(GUILD_CHANNEL)
    else:
        data.pop("guild_id")
        data.pop("member")
        dm: Any = {"id": data["channel_id"], "type": 1, "recipients": [data["author"]], "last_message_id": None}
        channel = discord.DMChannel(me=state.user, state=state, data=dm)
    if replying_to is not None:
        data["referenced_message"]["channel_id"] = data["channel_id"]
    return discord.Message(state=state, channel=channel, data=data)  # type: ignore[arg-type]
