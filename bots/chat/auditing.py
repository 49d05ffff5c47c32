"""What the chat core's audit entries name: a chat only when it is a group, a setting's value only when it is
not a member's personal one. The entries themselves are written with ``advisor.audit.record.record``."""

from __future__ import annotations

from bots.chat.messages import Incoming


def audit_chat(msg: Incoming) -> str | None:
    """The chat an audit entry names: a group's key; never a private chat's, whose id is the member's own."""
    return msg.chat_key if msg.chat_kind == "group" else None


def setting_data(command: str, setting: str, value: str, msg: Incoming) -> dict[str, str]:
    """A setting change's entry: which setting, and its new value unless it is a member's personal one (a
    private chat's settings are that member's own)."""
    data = {"command": command, "setting": setting.lower()}
    if msg.chat_kind == "group":
        data["value"] = " ".join(value.split())[:100]
    return data
