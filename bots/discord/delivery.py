"""Sending ``Outgoing`` replies: as interaction follow-ups, or into a channel in reply to a message.

Every send passes ``NO_MENTIONS``. What a reply becomes is decided by ``render``; this module decides
where it goes and copes with what the channel allows:

- Private replies to a slash command are ephemeral follow-ups; private replies to a channel message go
  by DM, and a member whose DMs are closed (50007) gets a neutral line in the channel instead.
- After a public "thinking..." message, Discord turns the first follow-up into that message, whatever its
  ephemeral flag; so a private reply never goes first: a public line ("I've answered you privately")
  takes that place.
- Without Embed Links the answer goes as plain text; without Attach Files the chart is left out; either
  way the server's admins are told once (a log line, and one note in the channel).
- A note for another member (``Outgoing.recipient``, issue 14: a follower told that a portfolio changed) goes
  by DM to that member, after the replies to the member who acted. A member who takes no DMs from the server,
  or an id Discord does not know, is logged and the note dropped: nobody else sees it, nothing else is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import discord

from bots.chat.messages import Outgoing
from bots.discord import render
from bots.discord.render import NO_MENTIONS
from bots.discord.views import ActionView, ErrorHandler, PressHandler

log = logging.getLogger(__name__)

SENT_PRIVATELY = "I've answered you privately: only you can see it."
DMS_CLOSED = ("I couldn't message you privately (your direct messages are closed). The slash commands reply "
              "privately, e.g. /profile.")
# Telegram's "open a private chat" buttons: on Discord, the slash command itself replies privately.
DEEP_LINK_HINTS = {"profile": "/profile", "portfolio": "/portfolio"}
CANNOT_SEND = 50007  # "Cannot send messages to this user": DMs closed, or no shared server


def needs_deep_link(reply: Outgoing) -> bool:
    return any(button.deep_link for button in reply.buttons)


def without_deep_links(reply: Outgoing) -> Outgoing:
    return replace(reply, buttons=tuple(button for button in reply.buttons if not button.deep_link))


def deep_link_hint(reply: Outgoing) -> Outgoing:
    """A reply whose "open a private chat" button becomes a pointer to the private slash command."""
    commands = [DEEP_LINK_HINTS.get(button.deep_link, "/help") for button in reply.buttons if button.deep_link]
    hint = f"Use {' or '.join(dict.fromkeys(commands))} here: its replies are visible only to you."
    return replace(without_deep_links(reply), text=f"{reply.text}\n{hint}".strip())


class Delivery:
    def __init__(self, on_press: PressHandler, on_error: ErrorHandler, client: discord.Client | None = None) -> None:
        self.on_press = on_press
        self.on_error = on_error
        self.client = client  # opens DMs for notes to other members (None: such notes are logged and dropped)
        self.warned_guilds: set[int] = set()  # told about missing permissions (once per guild and process)

    def view(self, reply: Outgoing, owner: discord.abc.User, *, private: bool) -> ActionView | None:
        if not any(button.action for button in reply.buttons):
            return None
        return ActionView(reply.buttons, owner, private=private, on_press=self.on_press, on_error=self.on_error)

    def _notice(self, guild: discord.Guild | None, permissions: discord.Permissions,
                reply: Outgoing) -> str | None:
        """The one-time note to a guild's admins when a missing permission degraded this reply."""
        missing = []
        if reply.answer is not None and not permissions.embed_links:
            missing.append("Embed Links")
        if (reply.image is not None or reply.file is not None) and not permissions.attach_files:
            missing.append("Attach Files")
        if not missing or guild is None or guild.id in self.warned_guilds:
            return None
        self.warned_guilds.add(guild.id)
        names = " and ".join(missing)
        log.warning("discord guild %s: missing %s permission; sending plain text", guild.id, names)
        return (f"Note for server admins: I don't have the {names} permission here, so answers come as plain "
                "text and charts are left out. Granting it restores them.")

    def _messages(self, reply: Outgoing, permissions: discord.Permissions,
                  notice: str | None) -> list[dict[str, Any]]:
        """The keyword arguments of each message one reply becomes: files on the first, as on Telegram the
        chart comes above its text."""
        texts, groups = render.contents(reply, embeds_allowed=permissions.embed_links)
        messages: list[dict[str, Any]] = [{"content": text} for text in texts]
        messages += [{"embeds": group} for group in groups]
        if notice:
            messages.append({"content": notice})
        attached = render.files(reply) if permissions.attach_files else []
        if attached:
            if not messages:
                messages.append({})
            messages[0]["files"] = attached
        return messages

    # -- slash commands and buttons ---------------------------------------------------------------------

    async def to_interaction(self, interaction: discord.Interaction[Any], replies: Sequence[Outgoing], *,
                             private: bool, public_thinking: bool) -> None:
        """Follow-ups for an acknowledged interaction. ``private``: it was deferred ephemerally;
        ``public_thinking``: the first follow-up will replace a public "thinking..." message."""
        replies, notes = apart(replies)
        permissions = interaction_permissions(interaction)
        first = public_thinking
        for reply in replies:
            ephemeral = private or reply.private
            if first and ephemeral and not private:
                await self._followup(interaction, Outgoing(reply.private_fallback or SENT_PRIVATELY), False,
                                     permissions)
            first = False
            await self._followup(interaction, reply, ephemeral, permissions)
        await self.to_members(notes)

    async def _followup(self, interaction: discord.Interaction[Any], reply: Outgoing, ephemeral: bool,
                        permissions: discord.Permissions) -> None:
        notice = None if ephemeral else self._notice(interaction.guild, permissions, reply)
        messages = self._messages(reply, permissions, notice)
        view = self.view(reply, interaction.user, private=ephemeral)
        for index, kwargs in enumerate(messages):
            if view is not None and index == len(messages) - 1:
                kwargs["view"] = view
            sent = await interaction.followup.send(**kwargs, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS,
                                                   wait=True)
            if view is not None and "view" in kwargs:
                view.message = sent

    async def edit_pressed(self, interaction: discord.Interaction[Any], reply: Outgoing, *, private: bool) -> None:
        """The questionnaire moves forward in its own message instead of piling up new ones."""
        view = self.view(reply, interaction.user, private=private)
        pieces = render.split_text(render.light_markup(reply.text))
        await interaction.edit_original_response(content=pieces[0] if pieces else "", embeds=[],
                                                 view=view, allowed_mentions=NO_MENTIONS)
        if view is not None:
            view.origin = interaction
        for piece in pieces[1:]:
            await interaction.followup.send(piece, ephemeral=private, allowed_mentions=NO_MENTIONS)

    # -- messages in channels and DMs -----------------------------------------------------------------

    async def to_message(self, message: discord.Message, replies: Sequence[Outgoing]) -> None:
        replies, notes = apart(replies)
        await self._to_message(message, replies)
        await self.to_members(notes)

    async def _to_message(self, message: discord.Message, replies: Sequence[Outgoing]) -> None:
        channel = message.channel
        permissions = _channel_permissions(message)
        if not permissions.send_messages:
            log.warning("discord channel %s: no Send Messages permission; %d replies dropped", channel.id,
                        len(replies))
            return
        for reply in replies:
            if needs_deep_link(reply):
                reply = deep_link_hint(reply)
            if reply.private and message.guild is not None:
                await self._direct(message, reply)
                continue
            notice = self._notice(message.guild, permissions, reply)
            await self._to_channel(message, channel, reply, permissions, notice)

    async def _direct(self, message: discord.Message, reply: Outgoing) -> None:
        try:
            dm = await message.author.create_dm()
            await self._to_channel(None, dm, replace(reply, reply=False), discord.Permissions.all(), None,
                                   owner=message.author)
        except discord.Forbidden as exc:
            if exc.code != CANNOT_SEND:
                raise
            log.info("discord: member's DMs are closed; telling them in the channel")
            await self._to_channel(message, message.channel, Outgoing(DMS_CLOSED),
                                   _channel_permissions(message), None)

    async def _to_channel(self, origin: discord.Message | None, channel: discord.abc.Messageable, reply: Outgoing,
                          permissions: discord.Permissions, notice: str | None,
                          owner: discord.abc.User | None = None) -> None:
        owner = owner or (origin.author if origin is not None else None)
        view = self.view(reply, owner, private=origin is None) if owner is not None else None
        messages = self._messages(reply, permissions, notice)
        for index, kwargs in enumerate(messages):
            if index == 0 and origin is not None and reply.reply:
                # Answer the member's message without pinging them; a deleted question is no reason to fail.
                kwargs["reference"] = origin.to_reference(fail_if_not_exists=False)
                kwargs["mention_author"] = False
            if view is not None and index == len(messages) - 1:
                kwargs["view"] = view
            sent = await channel.send(**kwargs, allowed_mentions=NO_MENTIONS)
            if view is not None and "view" in kwargs:
                view.message = sent

    async def to_members(self, notes: Sequence[Outgoing]) -> None:
        for note in notes:
            await self.to_member(note)

    async def to_member(self, note: Outgoing) -> None:
        """``note`` by DM to ``note.recipient``; refused or undeliverable notes are logged and dropped."""
        if self.client is None:
            log.warning("discord: a note for member %s, but no client to open a DM with; dropped", note.recipient)
            return
        try:
            dm = await self.client.create_dm(discord.Object(int(note.recipient)))
            await self._to_channel(None, dm, replace(note, reply=False), discord.Permissions.all(), None,
                                   owner=dm.recipient)
        except ValueError:
            log.warning("discord: a note for %r, which is no Discord user id; dropped", note.recipient)
        except discord.Forbidden as exc:  # 50007: DMs from server members are closed, or no shared server
            log.info("discord would not deliver a note to member %s (%s); dropped", note.recipient, exc.code)
        except discord.HTTPException as exc:  # e.g. 10013 Unknown User
            log.warning("a note to discord member %s failed (%s %s); dropped", note.recipient, exc.status,
                        exc.code)

    async def to_event(self, channel: discord.abc.Messageable | None, member_id: int,
                       replies: Sequence[Outgoing]) -> None:
        """Replies to something that is no message (a reaction): into ``channel`` without replying to anything,
        private ones by DM to ``member_id``, notes to their members."""
        for reply in replies:
            if reply.recipient or reply.private:
                await self.to_member(replace(reply, recipient=reply.recipient or str(member_id)))
            elif channel is not None:
                permissions = _permissions_in(channel)
                if permissions.send_messages:
                    await self._to_channel(None, channel, replace(reply, reply=False), permissions, None)
                else:
                    log.warning("discord channel %s: no Send Messages permission; a reply dropped",
                                getattr(channel, "id", "?"))


def apart(replies: Sequence[Outgoing]) -> tuple[list[Outgoing], list[Outgoing]]:
    """The replies for the member who acted, and the notes for other members (sent after them)."""
    return [r for r in replies if not r.recipient], [r for r in replies if r.recipient]


def interaction_permissions(interaction: discord.Interaction[Any]) -> discord.Permissions:
    """What the bot may do where the interaction happened. DMs allow everything. Discord sends
    ``app_permissions`` with every guild interaction; a payload without it (older captures, some fakes)
    reads as 0, which is taken as "not reported" rather than "allowed nothing"."""
    if interaction.guild_id is None or interaction.app_permissions.value == 0:
        return discord.Permissions.all()
    return interaction.app_permissions


def _channel_permissions(message: discord.Message) -> discord.Permissions:
    return _permissions_in(message.channel) if message.guild is not None else discord.Permissions.all()


def _permissions_in(channel: discord.abc.Messageable) -> discord.Permissions:
    if isinstance(channel, discord.abc.GuildChannel | discord.Thread) and channel.guild.me is not None:
        return channel.permissions_for(channel.guild.me)
    return discord.Permissions.all()  # a DM or an uncached channel: try, and let a refusal surface as an error
