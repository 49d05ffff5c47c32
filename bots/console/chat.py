"""The console front-end: a terminal group chat on the shared Router.

It behaves like a group: commands and @roundtable mentions are answered. ``/as NAME`` switches who is
speaking, ``/dm`` and ``/group`` switch between a private chat with the bot and the group, and buttons
appear as numbered choices (type the number). Like every front-end it gives the router clean text: the
mention removed, "/ask@roundtable" turned into "/ask", and commands for other bots dropped. Charts are
saved as PNG files (the path is printed); ``/portfolio import FILE`` attaches a local CSV, the way a chat
app attaches a document.

Members are their names here (the name is the user id, as ``/as`` sets it), so "@bob" in a line mentions the
member bob. ``/react EMOJI [NAME]`` reacts to the latest group post (by NAME, or by anyone but the speaker), the
way a chat app's reactions reach the router; a note the router sends to another member is printed labelled
"(private to NAME)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bots.chat.messages import Button, Incoming, Outgoing
from bots.chat.router import Router
from bots.console.render import answer_markup, text_markup

NAME = "roundtable"  # the bot's name in the terminal chat
# "@roundtable" as a whole word: not "@roundtable_fan", not "me@roundtable.org".
MENTION = re.compile(rf"(?<![\w@.])@{NAME}(?![\w@]|\.\w)", re.IGNORECASE)
COMMAND = re.compile(r"^(/\w+)@(\w+)")
MEMBER = re.compile(r"(?<![\w@.])@(\w+)(?![\w@]|\.\w)")  # "@bob", not "me@bob.org"
HELP = """Terminal chat. This is a group: use /ask QUESTION or mention @roundtable (or /dm for a private chat).
Console commands: /as NAME (speak as another member: not an admin, so moderation applies), /dm, /group,
/react EMOJI [NAME] (react to the latest post, by NAME or by someone else), /quit. /help lists the bot's commands.
/portfolio import FILE attaches a CSV from this computer."""
MAX_ATTACHMENT_BYTES = 1024 * 1024  # what a chat app would let through for a portfolio CSV


@dataclass
class ConsoleChat:
    router: Router
    console: Console
    speaker: str = "you"
    chat_kind: str = "group"
    admin: str = "you"  # the person at the terminal runs the group; whoever they speak as with /as is a member
    pending: list[Button] = field(default_factory=list)
    images: Path | None = None  # where charts are saved; None: say they were not saved
    posts: list[tuple[str, str]] = field(default_factory=list)  # the group's posts: (message id, author)

    def incoming(self, text: str = "", action: str | None = None) -> Incoming | None:
        """The router's view of a typed line, or None for a command addressed to another bot."""
        private = self.chat_kind == "private"
        addressed = False
        command = COMMAND.match(text)
        if command:
            if command.group(2).lower() != NAME:
                return None
            text, addressed = command.group(1) + text[command.end():], True
        text, mentions = MENTION.subn("", text)
        if mentions:
            text, addressed = " ".join(text.split()), True
        named = tuple(dict.fromkeys(self.member(name) for name in MEMBER.findall(text)))
        return Incoming("console", f"dm-{self.speaker}" if private else "group", "private" if private else "group",
                        self.speaker, self.speaker, text, mentions_bot=addressed, is_admin=self.speaker == self.admin,
                        action=action, username=self.speaker, mentioned=named,
                        message_id=str(len(self.posts) + 1) if action is None and not private else "",
                        language=None)  # a terminal tells us nothing about the speaker's language

    def member(self, name: str) -> str:
        """A mentioned name as a member id: a speaker seen in the group, whatever the case, else as typed."""
        known = {author.casefold(): author for _, author in self.posts}
        return known.get(name.casefold(), name)

    def react(self, emoji: str = "👍", author: str = "") -> list[Outgoing]:
        """The speaker reacts to the latest group post by ``author`` (or by anyone else)."""
        wanted = self.member(author.lstrip("@")) if author else ""
        target = next((post for post in reversed(self.posts)
                       if (post[1] == wanted if wanted else post[1] != self.speaker)), None)
        base = self.incoming()
        if target is None or base is None or self.chat_kind == "private":
            self.console.print("(no group post to react to)")
            return []
        replies = self.router.handle(replace(base, message_id=target[0], reply_to_user_id=target[1],
                                             reaction=emoji))
        for reply in replies:
            self.show(reply)
        return replies

    def send(self, text: str = "", action: str | None = None) -> list[Outgoing]:
        msg = self.incoming(text, action)
        if msg is not None and msg.text.split()[:2] == ["/portfolio", "import"] and len(msg.text.split()) > 2:
            attached = self.attach(msg.text.split(maxsplit=2)[2])
            if attached is None:
                return []
            msg = replace(msg, text="/portfolio import", attachment=attached[1], attachment_name=attached[0])
        if msg is not None and msg.message_id:
            self.posts.append((msg.message_id, msg.user_id))
        replies = self.router.handle(msg) if msg is not None else []
        for reply in replies:
            self.show(reply)
        return replies

    def attach(self, name: str) -> tuple[str, bytes] | None:
        """A local file as an attachment, or None (with a message) when it cannot be sent."""
        path = Path(name.strip().strip("'\"")).expanduser()
        try:
            if path.stat().st_size > MAX_ATTACHMENT_BYTES:
                self.console.print(f"{escape(str(path))} is larger than 1 MB; a portfolio CSV is much smaller.")
                return None
            return path.name, path.read_bytes()
        except OSError as exc:
            self.console.print(f"Cannot read {escape(str(path))}: {escape(exc.strerror or str(exc))}.")
            return None

    def show(self, out: Outgoing) -> None:
        where = " [dim](private)[/dim]" if out.private and self.chat_kind == "group" else ""
        if out.recipient:  # a note for another member: in a chat app only they would see it
            where = f" [dim](private to {escape(out.recipient)})[/dim]"
        body = answer_markup(out.answer) if out.answer else text_markup(out.text)
        self.console.print(f"[bold cyan]roundtable{where}>[/bold cyan] {body}")
        if out.image is not None:
            self.console.print(f"   [dim]{escape(self.save_image(out.image))}[/dim]")
        self.pending = list(out.buttons)
        for number, button in enumerate(self.pending, start=1):
            self.console.print(f"   {number}) {escape(button.label)}")

    def save_image(self, png: bytes) -> str:
        if self.images is None:
            return "(a chart; the terminal chat has nowhere to save it)"
        self.images.mkdir(parents=True, exist_ok=True)
        path = self.images / f"chart-{datetime.now():%Y%m%d-%H%M%S-%f}.png"
        path.write_bytes(png)
        return f"chart saved to {path}"

    def press(self, number: int) -> None:
        button = self.pending[number - 1]
        if button.deep_link:
            self.chat_kind = "private"
            self.console.print("[dim](switched to your private chat with the bot)[/dim]")
            self.send(f"/start {button.deep_link}")
        else:
            self.send(action=button.action)

    def line(self, text: str) -> bool:
        """Handle one typed line; False means quit."""
        if text in {"/quit", "/exit"}:
            return False
        if text.startswith("/as "):
            self.speaker = text[4:].strip() or self.speaker
            self.console.print(f"[dim](now speaking as {escape(self.speaker)})[/dim]")
        elif text == "/react" or text.startswith("/react "):
            self.react(*text.split()[1:3])
        elif text in {"/dm", "/group"}:
            self.chat_kind = "private" if text == "/dm" else "group"
            self.console.print(f"[dim](now in the {'private chat' if text == '/dm' else 'group'})[/dim]")
        elif self.pending and text.isdigit():
            if 1 <= int(text) <= len(self.pending):
                self.press(int(text))
            else:
                self.console.print(f"Please type a number from 1 to {len(self.pending)}.")
        else:
            self.send(text)
        return True


def run_console(router: Router, console: Console, *, speaker: str = "you", chat_kind: str = "group",
                first: str | None = None, images: Path | None = None) -> None:
    """The interactive loop; with ``first``, send that line and stop once its buttons are answered."""
    chat = ConsoleChat(router, console, speaker=speaker, chat_kind=chat_kind, images=images, admin=speaker)
    if first is None:
        console.print(HELP + "\n")
    else:
        chat.send(first)
    while True:
        if first is not None and not chat.pending:
            return  # a one-off flow (e.g. `roundtable profile`) has finished
        try:
            prompt = f"[bold green]{escape(chat.speaker)}>[/bold green] "
            line = console.input(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if line and not chat.line(line):
            return
