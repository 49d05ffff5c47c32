"""`roundtable keys rotate` and `roundtable keys check`: the encryption keys of personal data at rest.

Rotation with the key file (HOME/secret.key), in an order where a crash at any point leaves everything readable
and running the command again finishes the job:

1. write the file atomically with the NEW key first and the old key(s) after it (plus the pseudonym key, which
   never changes), before touching any row: from here every row is readable whichever key encrypted it;
2. re-encrypt every encrypted row under the new key, in batches (``advisor.rotation``);
3. check that every row reads with the new key alone (another pass for rows a running bot wrote meanwhile);
4. rewrite the file with the new key only.

A file that already holds several keys is an interrupted rotation: the command resumes it (no new key). With
the keys in ROUNDTABLE_SECRET_KEY the command cannot edit them: it re-encrypts under the first key given and
says what to set next.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated

import typer

from bots.app.cli_common import JsonOpt, err, guarded, load_settings, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from advisor.keys import KeyRing
    from advisor.rotation import Rotation

keys_app = typer.Typer(help="The encryption keys of personal data at rest: rotate them, check them.",
                       no_args_is_help=True)
PASSES = 3  # re-encryption passes before giving up on rows a running bot keeps rewriting under an old key


def _passes(engine: Engine, ring: KeyRing, batch: int, quiet: bool) -> Rotation:
    """Re-encrypt until every readable row is under the first key (or PASSES passes); the first pass's counts
    plus whatever later passes did."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from advisor.keycheck import EncryptedColumn
    from advisor.rotation import Rotation, leftovers, reencrypt

    total = Rotation()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=quiet) as bar:
        tasks: dict[str, object] = {}

        def progress(spec: EncryptedColumn, done: int, rows: int) -> None:
            if spec.table not in tasks:
                tasks[spec.table] = bar.add_task(f"re-encrypting {spec.table}", total=rows)
            bar.update(tasks[spec.table], completed=done)  # type: ignore[arg-type]

        for _ in range(PASSES):
            rotation = reencrypt(engine, ring, batch=batch, progress=progress)
            for table, count in rotation.rotated.items():
                total.rotated[table] = total.rotated.get(table, 0) + count
            total.unreadable = rotation.unreadable  # the same rows each pass: not summed
            if not leftovers(engine, ring):
                return total
    remaining = leftovers(engine, ring)
    raise UserError(f"After {PASSES} passes some rows are still not under the new key ({remaining}): a bot is "
                    "probably still writing with the old key. Nothing is lost (the key file keeps both keys); "
                    "restart the bots and run `roundtable keys rotate` again.")


@keys_app.command("rotate")
@guarded
def rotate(
    as_json: JsonOpt = False,
    batch: Annotated[int, typer.Option(min=1, help="Rows re-encrypted per transaction.")] = 500,
) -> None:
    """Make a new key, re-encrypt every profile, questionnaire, portfolio and watchlist with it, drop the old."""
    from cryptography.fernet import Fernet

    from advisor.db import app_engine
    from advisor.keys import encode_pseudonym_key, write_key_file
    from bots.app.stores import key_file, key_ring

    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = app_engine(settings.sqlalchemy_url)
    started = time.perf_counter()
    try:
        ring = key_ring(settings, engine)  # refuses a wrong or lost key before anything is written
        next_steps = ""
        if settings.secret_key:
            if len(ring.keys) == 1:
                raise UserError(
                    "The key comes from ROUNDTABLE_SECRET_KEY, which this command cannot edit. Put a new key in "
                    f"front of the current one (ROUNDTABLE_SECRET_KEY=<new>,<current>; a fresh key: "
                    f"{Fernet.generate_key().decode()}), set ROUNDTABLE_PSEUDONYM_KEY="
                    f"{encode_pseudonym_key(ring.pseudonym_key)} (it must never change), restart the bots, and "
                    "run `roundtable keys rotate` again.")
            rotation = _passes(engine, ring, batch, as_json)
            next_steps = (f"Every row is now under the first key. Set ROUNDTABLE_SECRET_KEY to that key alone and "
                          f"ROUNDTABLE_PSEUDONYM_KEY={encode_pseudonym_key(ring.pseudonym_key)}, then restart "
                          "the bots.")
        else:
            path = key_file(settings)
            if len(ring.keys) == 1:
                write_key_file(path, [Fernet.generate_key(), *ring.keys], ring.pseudonym_key)  # step 1
                ring.reload()
            else:
                err.print(f"{path} holds {len(ring.keys)} keys: finishing an interrupted rotation.")
            rotation = _passes(engine, ring, batch, as_json)  # steps 2 and 3
            write_key_file(path, ring.keys[:1], ring.pseudonym_key)  # step 4
            ring.reload()
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    if as_json:
        out.print(json.dumps({"rotated": rotation.rotated, "unreadable": rotation.unreadable,
                              "key_source": ring.source, "seconds": round(seconds, 3)}), soft_wrap=True)
    else:
        done = ", ".join(f"{count} in {table}" for table, count in rotation.rotated.items()) or "nothing to do"
        out.print(f"Re-encrypted {done} in {seconds:.1f} s; the key is in {ring.source}.")
        if rotation.unreadable:
            out.print(f"Left untouched (no key reads them, before or after): {rotation.unreadable}.")
    if next_steps:
        err.print(next_steps)


@keys_app.command("check")
@guarded
def check(as_json: JsonOpt = False) -> None:
    """Check that the keys read this database; count the encrypted data; warn about a loose key file."""
    from advisor.db import app_engine
    from advisor.keycheck import counts
    from advisor.keys import loose_permissions
    from advisor.rotation import leftovers
    from bots.app.stores import key_file, key_ring

    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = app_engine(settings.sqlalchemy_url)
    try:
        ring = key_ring(settings, engine)
        data = {spec.table: count for spec, count in counts(engine).items()}
        pending = leftovers(engine, ring)
    finally:
        engine.dispose()
    path = key_file(settings)
    warning = None if settings.secret_key or not path.exists() else loose_permissions(path)
    if as_json:
        out.print(json.dumps({"ok": True, "key_source": ring.source, "keys": len(ring.keys), "data": data,
                              "not_under_first_key": pending, "permissions": warning}), soft_wrap=True)
        return
    out.print(f"The keys in {ring.source} read this database ({len(ring.keys)} key(s)).")
    out.print("Encrypted rows: " + (", ".join(f"{n} in {t}" for t, n in data.items()) or "none"))
    if pending:
        out.print(f"Rows not yet under the first key: {pending} (run `roundtable keys rotate`).")
    if warning:
        out.print(f"[yellow]Warning:[/yellow] {warning}")
