"""`roundtable corpus ...`: list, describe, approve and re-embed the research collections."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from bots.app.cli_common import CollectionOpt, JsonOpt, build_app, err, guarded, load_settings, open_research, out

corpus_app = typer.Typer(help="Inspect the research collections and approve them for chats.", no_args_is_help=True)


@corpus_app.command("list")
@guarded
def corpus_list(as_json: JsonOpt = False) -> None:
    """List collections with their document and chunk counts."""
    from rich.table import Table

    research = open_research(load_settings())
    infos = [research.describe(name) for name in research.collection_names()]
    if as_json:
        for info in infos:
            print(json.dumps({"name": info.name, "documents": info.documents, "chunks": info.chunks,
                              "languages": info.languages, "updated": info.updated, "embedding": info.embedding}))
        return
    if not infos:
        out.print("No collections yet. Run `roundtable ingest PATH` or `roundtable chat` to load the bundled notes.")
        return
    table = Table("collection", "documents", "chunks", "languages", "embedding", "updated")
    for info in infos:
        langs = ", ".join(f"{k} {v}" for k, v in sorted(info.languages.items()))
        table.add_row(info.name, str(info.documents), str(info.chunks), langs, info.embedding, info.updated)
    out.print(table)


@corpus_app.command("stats")
@guarded
def corpus_stats(collection: CollectionOpt = None, as_json: JsonOpt = False) -> None:
    """Documents in one collection: title, source, chunks."""
    from rich.table import Table

    settings = load_settings()
    research = open_research(settings)
    name = collection or settings.collection
    store = research.store(name)
    states = store.doc_states()
    info = research.describe(name)
    if as_json:
        print(json.dumps({"name": name, "documents": info.documents, "chunks": info.chunks,
                          "languages": info.languages, "updated": info.updated,
                          "docs": [{"doc_id": d, "title": s.title, "chunks": len(s.chunk_ids)}
                                   for d, s in sorted(states.items())]}, ensure_ascii=False))
        return
    table = Table("doc_id", "title", "language", "chunks", title=f"{name}: {info.documents} documents, "
                  f"{info.chunks} chunks")
    for doc_id, state in sorted(states.items()):
        table.add_row(escape(doc_id), escape(state.title), state.language, str(len(state.chunk_ids)))
    out.print(table)


@corpus_app.command("approve")
@guarded
def corpus_approve(
    name: Annotated[str, typer.Argument(help="The collection to vet and approve for chats.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Withdraw the approval instead.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Vet a collection with the compliance guard and let chats choose it (/settings collection NAME).

    Every sentence of every chunk is screened; the ones the guard would block are listed (they are never
    quoted to members). An ingest into the collection afterwards lapses the approval until you approve again.
    """
    from rich.table import Table

    from bots.app.composition import approve_collection

    app_ = build_app(load_settings())
    if revoke:
        removed = app_.approvals.revoke(name)
        out.print(f"Approval of {name!r} withdrawn; chats using it fall back to the default collection."
                  if removed else f"{name!r} was not approved.")
        return
    vetting, approval = approve_collection(app_, name)
    if as_json:
        print(json.dumps({"name": name, "revision": approval.revision, "sentences": vetting.sentences,
                          "blocked": [{"doc_id": f.doc_id, "rule": f.rule, "sentence": f.sentence}
                                      for f in vetting.flags]}, ensure_ascii=False))
        return
    if vetting.flags:
        table = Table("doc_id", "rule", "sentence the guard would block", title="Blocked sentences")
        for flag in vetting.flags:
            table.add_row(escape(flag.doc_id), flag.rule, escape(flag.sentence))
        out.print(table)
    out.print(f"[green]Approved[/green] {name!r}: {vetting.sentences} sentences screened, {len(vetting.flags)} "
              f"would be blocked ({vetting.blocked_share:.1%}). Chats can choose it with "
              f"/settings collection {name}.")


@corpus_app.command("reembed")
@guarded
def corpus_reembed(
    name: Annotated[str, typer.Argument(help="The collection whose vectors to rebuild.")],
    embedding: Annotated[str, typer.Option(help="minilm, e5-multilingual or both.")],
    rebuild_all: Annotated[bool, typer.Option(help="Recompute vectors the collection already has too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild a collection's vectors with other model(s). The old vectors keep answering until the new ones are
    complete, then they are swapped in one step; if this is interrupted, the old ones simply stay."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from knowledge.errors import CollectionNotFoundError
    from knowledge.reembed import reembed

    research = open_research(load_settings())
    store = research.store(name)
    if not store.exists():
        raise CollectionNotFoundError(name, research.collection_names())
    with Progress(TextColumn(f"re-embedding {escape(name)} with {embedding}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("embed", total=None)
        report = reembed(store, embedding, progress=lambda done, total: bar.update(task, completed=done, total=total),
                         rebuild_all=rebuild_all)
    if as_json:
        print(json.dumps({"name": name, "before": report.before, "after": report.after, "chunks": report.chunks,
                          "seconds": round(report.seconds, 1)}))
        return
    out.print(f"{name!r}: {report.chunks} chunks re-embedded with {report.after} (was {report.before}) in "
              f"{report.seconds:.1f} s; the new vectors are serving.")
