"""A throwaway PostgreSQL cluster for multi-instance tests: initdb + pg_ctl from Debian's postgresql package.

The cluster lives in a temporary folder, listens on 127.0.0.1 at a free port with trust authentication,
and is stopped and deleted afterwards. PostgreSQL refuses to run as root, so under root the server runs
as the ``postgres`` system user (which the Debian package creates). Anything missing -> a skip that says what.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Unavailable(Exception):
    """PostgreSQL cannot be started here; the message says why."""


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)  # newest version first
    path = found[0] if found else shutil.which(name)
    if not path:
        raise Unavailable(f"{name} not found (install Debian's postgresql package)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Yield a SQLAlchemy URL for a fresh cluster."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise Unavailable("the psycopg driver is not installed") from exc
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if not runuser:
            raise Unavailable("running as root and runuser is missing, so PostgreSQL cannot drop privileges")
        prefix = [runuser, "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="roundtable-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if prefix:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    try:
        _run("initdb", [*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--no-sync"])
        _run("pg_ctl start", [*prefix, pg_ctl, "-D", str(data), "-w", "-t", "30", "-l", str(root / "server.log"), "-o",
              f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} -c fsync=off", "start"])
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True,
                           check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(what: str, command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode:
        raise Unavailable(f"{what} failed: {(result.stderr or result.stdout).strip()[-300:]}")
