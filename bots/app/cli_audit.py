"""`roundtable audit verify | export | anchor`: the tamper-evident audit log, for compliance officers.

JSON shapes are fixed contracts: `verify --json` prints {"entries", "ok", "first_bad"} (plus "reason",
"anchor_seq" and "head"), `anchor --json` prints {"seq", "hash"}. `verify` exits 1 when the chain (or the
export file) is broken. The log lives in the app's database (ROUNDTABLE_DATABASE_URL or the SQLite file under
ROUNDTABLE_HOME); members are found by the pseudonym the app's secret key gives their platform id.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, err, guarded, load_settings, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from advisor.audit import AuditLog

audit_app = typer.Typer(help="The tamper-evident audit log: verify the chain, export it, print its anchor.",
                        no_args_is_help=True)


def open_audit() -> AuditLog:
    from advisor.audit import AuditLog
    from bots.app.stores import key_ring

    settings = load_settings()
    return AuditLog.open(settings.sqlalchemy_url, key_ring(settings))


def parse_bound(text: str | None, *, end: bool) -> datetime | None:
    """A DATE (whole days: --since from its start, --until through its end) or an ISO time (exact; UTC unless it
    says otherwise)."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{text!r} is not a date: use YYYY-MM-DD or an ISO time such as 2024-05-03T08:00Z.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _user(user: str) -> str:
    """As `roundtable portfolio --user`: "telegram:12345" as it is, a bare name as the console user NAME."""
    return user if ":" in user else f"console:{user}"


@audit_app.command("verify")
@guarded
def audit_verify(
    as_json: JsonOpt = False,
    anchor: Annotated[str | None, typer.Option("--anchor", metavar="HASH", help="A head hash printed by "
                                               "`roundtable audit anchor` earlier: prove nothing up to it was "
                                               "rewritten.")] = None,
    export: Annotated[Path | None, typer.Option("--export", metavar="FILE", help="Check an export file instead "
                                                "of the database (its entries, links and trailer).")] = None,
) -> None:
    """Check every entry's hash and every link; name the first broken entry; exit 1 when broken."""
    from advisor.audit import check_anchor, verify_export

    if export is not None:
        if anchor is not None:
            raise UserError("--anchor applies to the database; compare an export's trailer head instead.")
        try:
            with export.open(encoding="utf-8", newline="") as handle:
                report = verify_export(handle)
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"Cannot read {export}: {exc}") from exc
    else:
        try:
            wanted = check_anchor(anchor) if anchor is not None else None
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        report = open_audit().verify(wanted)
    if as_json:
        print(json.dumps(report.to_json()))
    elif report.ok:
        out.print(f"OK: {report.entries:,} entries; {escape(report.reason)}. Head {report.head}.")
    else:
        where = f"first bad entry {report.first_bad}" if report.first_bad is not None else "broken"
        out.print(f"[red]BROKEN[/red] ({where}, {report.entries:,} entries read): {escape(report.reason)}.")
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("export")
@guarded
def audit_export(
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="From this day (UTC) on.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Up to the end of this day (UTC).")]
    = None,
    user: Annotated[str | None, typer.Option("--user", metavar="ID", help="One member: a chat user id such as "
                                             "telegram:12345 (looked up by its pseudonym).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write here instead of "
                                                "stdout.")] = None,
) -> None:
    """Write entries as JSON lines, then a trailer line (count, SHA-256, head) so a cut-short file is detected."""
    start, end = parse_bound(since, end=False), parse_bound(until, end=True)
    if start and end and start >= end:
        raise UserError("--since must come before --until.")
    lines = open_audit().export(start, end, _user(user) if user is not None else None)
    if output is None:
        sys.stdout.writelines(lines)
        sys.stdout.flush()
        return
    count = 0
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line)
                count += 1
    except OSError as exc:
        raise UserError(f"Cannot write {output}: {exc.strerror or exc}.") from exc
    err.print(f"Wrote {count - 1:,} entries and the trailer to {escape(str(output))}.")


@audit_app.command("anchor")
@guarded
def audit_anchor(as_json: JsonOpt = False) -> None:
    """Print the head hash, to publish or store elsewhere (`verify --anchor HASH` checks against it later)."""
    head = open_audit().anchor()
    print(json.dumps(head.to_json()) if as_json else head.hash)
