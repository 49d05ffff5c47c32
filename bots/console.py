"""A terminal chat on the advisor, and the questionnaire in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from advisor.advisor import Advisor
from advisor.profiles import ProfileStore
from advisor.suitability import QUESTIONNAIRE, Profile, max_risk
from advisor.types import Language, Question
from bots.render import answer_markup
from knowledge.errors import UserError

HELP = """Ask a question about investing and press Enter. Answers quote our research with sources.
Commands: /profile (risk questionnaire)  /help  /quit  (Ctrl-D also quits)"""


def run_console(advisor: Advisor, profiles: ProfileStore, console: Console, user_id: str = "console") -> None:
    store = advisor.retriever_for(advisor.collection).store
    console.print(f"[bold]Roundtable[/bold] — research collection [cyan]{store.name}[/cyan] "
                  f"({store.count()} passages).\n{HELP}\n")
    while True:
        try:
            line = console.input("[bold green]you>[/bold green] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        text = line.strip()
        if not text:
            continue
        if text in {"/quit", "/exit"}:
            return
        if text == "/help":
            console.print(HELP)
            continue
        if text == "/profile":
            run_questionnaire(profiles, console, user_id)
            continue
        try:
            answer = advisor.answer(Question(text, user_id=user_id, chat_id="console"))
        except UserError as exc:
            console.print(f"[yellow]{escape(str(exc))}[/yellow]")
            continue
        console.print(answer_markup(answer) + "\n")


def run_questionnaire(profiles: ProfileStore, console: Console, user_id: str,
                      language: Language = "en") -> Profile | None:
    """Ask each question with numbered choices; save and return the profile (None if abandoned)."""
    console.print("[bold]Risk questionnaire[/bold] — 8 questions; your answers stay private.\n")
    answers: dict[str, int] = {}
    for number, item in enumerate(QUESTIONNAIRE, start=1):
        console.print(f"[bold]{number}. {escape(item.text(language))}[/bold]")
        for index, choice in enumerate(item.choice_texts(language), start=1):
            console.print(f"   {index}) {escape(choice)}")
        while True:
            try:
                reply = console.input("   choice> ").strip()
            except (EOFError, KeyboardInterrupt):
                console.print("\nQuestionnaire abandoned; nothing was saved.")
                return None
            if reply.isdigit() and 1 <= int(reply) <= len(item.choices):
                answers[item.key] = int(reply) - 1
                break
            console.print(f"   Please type a number from 1 to {len(item.choices)}.")
    profile = Profile.from_answers(user_id, answers)
    profiles.save(profile)
    console.print(f"\nYour risk profile is [bold]{profile.level}[/bold] ({profile.points}/100): products up to "
                  f"[bold]{max_risk(profile.level)}[/bold] match it. Answers about riskier products will carry "
                  "a warning.\n")
    return profile
