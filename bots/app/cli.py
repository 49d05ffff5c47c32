"""The `roundtable` command line: ingest, search, corpus, doctor, ask, chat, run, quote, portfolio, brief.

This module is the composition root for the CLI: settings -> Research -> commands (what they share is in
``cli_common``; the ``corpus`` group in ``cli_corpus``; ``quote`` and the ``portfolio`` group in
``cli_market``; the ``brief`` group in ``cli_brief``). Commands print for people by default and JSON lines with
``--json``; a ``UserError`` becomes a one-line message and exit code 1; anything unexpected is logged with its
traceback under a reference id.

Heavy libraries (Chroma, onnxruntime, langchain, SQLAlchemy, telegram, pydantic) are imported inside the
commands that use them, so `roundtable --help` and typing mistakes answer at once;
tests/bots/app/test_cli.py keeps it that way.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from bots.app.cli_audit import audit_app
from bots.app.cli_brief import brief_app
from bots.app.cli_common import CollectionOpt, JsonOpt, app, build_app, err, guarded, load_settings, open_research, out
from bots.app.cli_corpus import corpus_app
from bots.app.cli_keys import keys_app
from bots.app.cli_leaderboard import LEADERBOARD_CONTEXT, leaderboard
from bots.app.cli_market import portfolio_app, quote
from bots.app.cli_moderate import moderate
from bots.app.cli_mood import mood
from bots.app.cli_points import points
from bots.app.cli_quiz import quiz_app
from bots.app.cli_report import REPORT_CONTEXT, report
from knowledge.errors import UserError

if TYPE_CHECKING:
    from bots.app.composition import App
    from bots.app.settings import Settings
    from knowledge.ingest import IngestReport
    from knowledge.research import Research
    from knowledge.retrieval import Hit


app.add_typer(corpus_app, name="corpus")
app.add_typer(quiz_app, name="quiz")
__all__ = ["app"]


# -- ingest -----------------------------------------------------------------------------------------


class IngestProgress:
    """A rich progress bar: files read, then chunks embedded."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console, transient=True)
        self.read = self.bar.add_task("reading documents", total=None)
        self.embed: Any = None

    def __enter__(self) -> IngestProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "read":
            self.bar.update(self.read, completed=done)
        else:
            if self.embed is None:
                self.bar.update(self.read, visible=False)
                self.embed = self.bar.add_task("embedding chunks", total=total)
            self.bar.update(self.embed, completed=done)


def print_report(report: IngestReport, console: Console) -> None:
    for problem in report.problems:
        colour = "red" if problem.level == "error" else "yellow"
        console.print(f"[{colour}]{problem.level}:[/{colour}] {escape(str(problem))}")
    console.print(
        f"[bold]{report.collection}[/bold]: {report.documents} documents read — {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged (skipped), {report.deleted} removed; "
        f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in the collection; "
        f"{report.seconds:.1f} s"
        + (f"; {report.ignored} files of unsupported types ignored" if report.ignored else "")
    )


@app.command()
@guarded
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (.md .txt .html .pdf .jsonl).")],
    collection: CollectionOpt = None,
    prune: Annotated[bool, typer.Option(help="Remove documents under these paths that no longer exist.")] = False,
    embedding: Annotated[str | None, typer.Option(
        help="Model(s) of a NEW collection: minilm, e5-multilingual or both. Default: both when any document is "
             "Chinese (or another non-English language), else minilm. An existing collection keeps its own.")] = None,
) -> None:
    """Add research documents to a collection; unchanged documents are skipped."""
    settings = load_settings()
    research = open_research(settings)
    with IngestProgress(err) as progress:
        report = research.ingest(paths, collection or settings.collection, prune=prune, progress=progress,
                                 embedding=embedding)
    if report.embedding_reason:
        err.print(f"Created {report.collection!r} with embedding {report.embedding} ({report.embedding_reason}).")
    print_report(report, err)
    if report.errors:
        raise typer.Exit(1)


def ensure_default_corpus(research: Research, settings: Settings, collection: str, *, sync: bool,
                          app_: App | None = None) -> None:
    """Ingest the bundled notes into the default collection on first use (or keep them in sync); with the
    app at hand, the bundled notes are also approved for chats (vetted by the compliance guard)."""
    if collection != settings.collection:
        return
    if not sync and collection in research.collection_names() and research.store(collection).count():
        return
    with IngestProgress(err) as progress:
        report = research.ensure_bundled(collection, progress=progress)
    if report.changed:
        err.print(f"Loaded the bundled research notes into {collection!r} "
                  f"({report.added} added, {report.updated} updated, {report.deleted} removed).")
    if app_ is not None:
        from bots.app.composition import approve_bundled

        approve_bundled(app_, collection)


# -- search -----------------------------------------------------------------------------------------


def read_batch(path: Path) -> Iterator[tuple[str | None, str]]:
    """(id, text) per line: JSONL objects with ``id`` and ``text``, or plain lines with no id."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read batch file {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
            text = record.get("text") if isinstance(record, dict) else None
            if not isinstance(text, str):
                raise UserError(f"{path}:{number}: expected an object with a 'text' field")
            yield (str(record["id"]) if record.get("id") is not None else None), text
        else:
            yield None, line


def write_batch(path: Path, field: str, noun: str,
                line_for: Callable[[str | None, str], dict[str, Any]]) -> None:
    """One JSON line per entry of a batch file. An entry rejected with a user error gets ``{"id", field,
    "error"}`` instead, the rest carry on, and the run exits 1 at the end."""
    failed = 0
    for entry_id, text in read_batch(path):
        try:
            line = line_for(entry_id, text)
        except UserError as exc:
            failed += 1
            line = {"id": entry_id, field: text, "error": str(exc)}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if failed:
        err.print(f"{failed} {noun} were rejected (see their \"error\" fields).")
        raise typer.Exit(1)


def print_hits(query: str, hits: list[Hit]) -> None:
    if not hits:
        out.print(f"No passages found for {escape(query)!r}.")
        return
    for rank, hit in enumerate(hits, start=1):
        out.print(f"[bold]{rank}. {escape(hit.title)}[/bold]  [dim]{escape(hit.source)} · score {hit.score:.3f}[/dim]")
        out.print(f"   {escape(_excerpt(hit.text))}\n")


def _excerpt(text: str, limit: int = 400) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


@app.command()
@guarded
def search(
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="How many passages.")] = 5,
    collection: CollectionOpt = None,
    as_json: JsonOpt = False,
    batch: Annotated[Path | None, typer.Option(help="File of queries: one per line, or JSONL (id, text).")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense, lexical, or one model alone: minilm or "
                                      "e5-multilingual.")] = "hybrid",
) -> None:
    """Search the research corpus (hybrid dense + BM25)."""
    from knowledge.retrieval import MODES, clean_text

    if (query is None) == (batch is None):
        raise UserError("Give either a QUERY or --batch FILE.")
    if mode not in MODES:
        raise UserError(f"Unknown mode {mode!r}; use {', '.join(MODES)}.")

    settings = load_settings()
    research = open_research(settings)
    name = collection or settings.collection
    ensure_default_corpus(research, settings, name, sync=False)
    retriever = research.retriever(name)
    if batch is None:
        assert query is not None
        hits = retriever.search(query, k=k, mode=mode)
        if as_json:
            out.print_json(data={"query": clean_text(query), "id": None, "results": [h.to_json() for h in hits]})
        else:
            print_hits(query, hits)
        return
    write_batch(batch, "query", "queries", lambda query_id, text: {
        "query": text, "id": query_id, "results": [h.to_json() for h in retriever.search(text, k=k, mode=mode)]})


# -- doctor, chat, run ------------------------------------------------------------------------------


@app.command()
@guarded
def doctor() -> None:
    """Check settings, store, model files and tokens; say what is wrong in plain words."""
    from bots.app.doctor import run_checks

    ok = run_checks(out)
    if not ok:
        raise typer.Exit(1)


@app.command()
@guarded
def ask(
    question: Annotated[str | None, typer.Argument(help="Your question.")] = None,
    user: Annotated[str, typer.Option("--user", "-u", help="Whose risk profile to apply.")] = "console",
    collection: CollectionOpt = None,
    as_json: JsonOpt = False,
    batch: Annotated[Path | None, typer.Option(help="File of questions: one per line, or JSONL (id, text).")] = None,
) -> None:
    """Ask the advisor: a cited, risk-labelled answer from the research corpus."""
    from advisor.types import Question
    from bots.console.render import answer_markup

    if (question is None) == (batch is None):
        raise UserError("Give either a QUESTION or --batch FILE.")
    settings = load_settings()
    app_ = build_app(settings)
    name = collection or settings.collection
    ensure_default_corpus(app_.research, settings, name, sync=False, app_=app_)
    if batch is None:
        assert question is not None
        try:
            answer = app_.advisor.answer(Question(question, user_id=f"console:{user}"), collection=name)
        except UserError as exc:
            if not as_json:
                raise
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
            raise typer.Exit(1) from None
        if as_json:
            print(json.dumps(answer.to_json(question), ensure_ascii=False))
        else:
            out.print(answer_markup(answer))
        return
    write_batch(batch, "question", "questions", lambda question_id, text: app_.advisor.answer(
        Question(text, user_id=f"console:{user}"), collection=name).to_json(text, question_id))


@app.command()
@guarded
def profile(user: Annotated[str, typer.Option("--user", "-u", help="Whose profile.")] = "console") -> None:
    """Take the risk questionnaire in the terminal (your profile decides which risk warnings you get)."""
    from bots.console.chat import run_console

    app_ = build_app(load_settings())
    run_console(app_.router, out, speaker=user, chat_kind="private", first="/profile")


@app.command()
@guarded
def chat(collection: CollectionOpt = None,
         user: Annotated[str, typer.Option("--user", "-u", help="Whose risk profile to apply.")] = "console") -> None:
    """Ask questions in the terminal; the advisor answers from the research corpus."""
    from bots.console.chat import run_console

    settings = terminal_defaults(load_settings())
    if collection:
        settings = settings.model_copy(update={"collection": collection})
    app_ = build_app(settings)
    ensure_default_corpus(app_.research, settings, settings.collection, sync=True, app_=app_)
    run_console(app_.router, out, speaker=user, images=settings.home / "charts")


def terminal_defaults(settings: Settings) -> Settings:
    """The terminal chat is the try-it-out mode: unless ROUNDTABLE_MARKET_DATA says otherwise, it uses the bundled
    offline sample, so /quote and /portfolio work on a machine without internet."""
    if "market_data" in settings.model_fields_set:
        return settings
    err.print("[dim]Market data: the bundled offline sample (real prices up to 2018-04-11). Set "
              "ROUNDTABLE_MARKET_DATA=yahoo for live prices.[/dim]")
    return settings.model_copy(update={"market_data": "offline"})


@app.command()
@guarded
def run() -> None:
    """Start Roundtable: the scheduler plus the Telegram and/or Discord bots, or the terminal chat when no token
    is set."""
    import asyncio

    from bots.app.serve import serve

    settings = load_settings()
    if not settings.telegram_token and not settings.discord_token:
        settings = terminal_defaults(settings)

    def build() -> App:
        """Runs in a thread while the bots connect: the heavy imports (Chroma, the embedding model) come here."""
        app_ = build_app(settings)
        ensure_default_corpus(app_.research, settings, settings.collection, sync=True, app_=app_)
        # One search loads what the first question would otherwise wait for: the embedding model (onnxruntime
        # session and tokenizer), the Chroma collection and the BM25 index.
        app_.research.retriever(settings.collection).search("what is diversification?", k=1)
        return app_

    asyncio.run(serve(settings, out, err, build))


app.command()(quote)
app.add_typer(portfolio_app, name="portfolio")
app.add_typer(audit_app, name="audit")
app.add_typer(brief_app, name="brief")
app.add_typer(keys_app, name="keys")
app.command()(moderate)
app.command()(mood)
app.command(context_settings=REPORT_CONTEXT)(report)
app.command(context_settings=REPORT_CONTEXT)(points)
app.command(context_settings=LEADERBOARD_CONTEXT)(leaderboard)
