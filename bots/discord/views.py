"""Buttons: ``Outgoing.buttons`` as a ``discord.ui.View`` that only the member who asked can press.

A questionnaire answer or a "delete my portfolio" confirmation belongs to one member. Anyone in a channel
can click a public message's buttons, so the view checks who pressed: others are told, privately, whose
buttons these are, and nothing reaches the router. Each button's custom_id carries the router's action;
the view stops after one press (the reply brings its own buttons) and disables its buttons when it times
out, so a stale questionnaire cannot be answered an hour later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bots.chat.messages import Button
from bots.discord.render import NO_MENTIONS, escape

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 600.0  # under the 15 minutes an interaction token lasts, so the timeout can still edit
LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100

# (interaction, action, private): what the front-end does with a press
PressHandler = Callable[[discord.Interaction[Any], str, bool], Awaitable[None]]
ErrorHandler = Callable[[discord.Interaction[Any], Exception], Awaitable[None]]


class ActionButton(discord.ui.Button["ActionView"]):
    def __init__(self, button: Button) -> None:
        super().__init__(label=button.label[:LABEL_LIMIT], custom_id=button.action[:CUSTOM_ID_LIMIT],
                         style=discord.ButtonStyle.primary)
        self.action = button.action
        self.anyone = button.anyone

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None
        await self.view.pressed(interaction, self.action, anyone=self.anyone)


class ActionView(discord.ui.View):
    """Buttons that belong to ``owner``; ``private`` says whether they were sent where only the owner sees."""

    def __init__(self, buttons: Sequence[Button], owner: discord.abc.User, *, private: bool,
                 on_press: PressHandler, on_error: ErrorHandler, timeout: float = TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner.id
        self.owner_name = owner.display_name
        self.private = private
        self._on_press = on_press
        self._on_error = on_error
        # Where the view is shown, so the timeout can disable it: a channel or webhook message, or the
        # interaction whose original response it is (an ephemeral message can only be edited that way).
        self.message: discord.Message | discord.WebhookMessage | None = None
        self.origin: discord.Interaction[Any] | None = None
        for button in buttons:
            if button.action:  # deep links never reach a view (see bot.py)
                self.add_item(ActionButton(button))

    async def pressed(self, interaction: discord.Interaction[Any], action: str, *, anyone: bool = False) -> None:
        if anyone:  # a rating: any member, any number of times; the owner's buttons stay live
            await self._on_press(interaction, action, self.private)
            return
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(f"These buttons are for {escape(self.owner_name)}.",
                                                    ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        self.stop()  # one answer per question: the reply carries the next buttons
        await self._on_press(interaction, action, self.private)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        try:
            if self.origin is not None:
                await self.origin.edit_original_response(view=self)
            elif self.message is not None:
                await self.message.edit(view=self)
        except discord.HTTPException as exc:  # deleted meanwhile, or the token expired: nothing to disable
            log.info("could not disable timed-out buttons (%s)", exc)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception,
                       item: discord.ui.Item[Any]) -> None:
        await self._on_error(interaction, error)
