"""A terminal chat over the research corpus (the advisor issue turns passages into real answers)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from knowledge.errors import UserError
from knowledge.retrieval import HybridRetriever

HELP = """Type a question about investing and press Enter; you get the most relevant research passages.
Commands: /help  /quit  (Ctrl-D also quits)"""


def run_console(retriever: HybridRetriever, console: Console, k: int = 3) -> None:
    console.print(f"[bold]Roundtable[/bold] — research collection [cyan]{retriever.store.name}[/cyan] "
                  f"({retriever.store.count()} passages). {HELP}\n")
    retriever.lexical_index()  # load BM25 before the first question
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
        try:
            hits = retriever.search(text, k=k)
        except UserError as exc:
            console.print(f"[yellow]{escape(str(exc))}[/yellow]")
            continue
        if not hits:
            console.print("I have no research on that yet.")
            continue
        for rank, hit in enumerate(hits, start=1):
            body = " ".join(hit.text.split())
            console.print(f"[bold]{rank}. {escape(hit.title)}[/bold] [dim]({escape(hit.source)})[/dim]\n"
                          f"   {escape(body[:500])}{'…' if len(body) > 500 else ''}")
        console.print("[dim]Educational material, not investment advice.[/dim]\n")
