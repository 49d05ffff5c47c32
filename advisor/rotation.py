"""Re-encrypting every encrypted row under the key ring's first key (``roundtable keys rotate``).

Safe to interrupt and to run again: each row is rewritten in its own compare-and-swap (``WHERE payload = the
value read``; holdings also bump their version, so a portfolio write that read the old row retries instead of
overwriting), rows already under the first key are skipped, and no row is ever deleted. A row that no key in the
ring reads was unreadable before the rotation too: it is counted and left exactly as it is. A row changed by a
running bot meanwhile is not overwritten; ``leftovers`` finds any row still not under the first key, and the
caller runs another pass before it drops the old key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import bindparam, func, inspect, select, update
from sqlalchemy.engine import Engine

from advisor.keycheck import ENCRYPTED, KEY_CHECK, EncryptedColumn, as_token, present, sql_table
from advisor.keys import KeyRing

BATCH = 500  # rows read per query and rewritten per transaction
Progress = Callable[[EncryptedColumn, int, int], None]  # (column, rows done, rows in all)


@dataclass
class Rotation:
    rotated: dict[str, int] = field(default_factory=dict)  # table -> rows re-encrypted
    unreadable: dict[str, int] = field(default_factory=dict)  # table -> rows no key reads (left as they are)
    raced: int = 0  # rows a running bot changed under us (picked up by the next pass)


def columns(engine: Engine) -> list[EncryptedColumn]:
    """The encrypted columns present in this database, the key check last."""
    found = present(engine)
    return [*found, KEY_CHECK] if inspect(engine).has_table(KEY_CHECK.table) else found


def _batches(engine: Engine, spec: EncryptedColumn, size: int) -> Iterator[list[tuple[Any, Any]]]:
    """The rows in key order, ``size`` at a time (keyset pagination: memory stays flat on a large table)."""
    handle = sql_table(spec)
    key, payload = handle.c[spec.key], handle.c[spec.payload]
    last: Any = None
    while True:
        query = select(key, payload).order_by(key).limit(size)
        with engine.connect() as connection:
            rows = [(row[0], row[1]) for row in connection.execute(
                query if last is None else query.where(key > last))]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _new_value(spec: EncryptedColumn, ring: KeyRing, value: Any) -> bytes | str | None:
    """The value to store, or None when the row needs nothing (already under the first key) or cannot be read
    (``InvalidToken`` is raised for that)."""
    token = as_token(spec, value)
    if token is None:  # a watchlist stored before encryption: plain JSON text
        return ring.encrypt(str(value).encode()).decode()
    if ring.decrypts(token, first_only=True):
        return None
    fresh = ring.rotate(token)
    return fresh.decode() if spec.text else fresh


def reencrypt_column(engine: Engine, spec: EncryptedColumn, ring: KeyRing, rotation: Rotation, *,
                     batch: int = BATCH, progress: Progress | None = None) -> None:
    handle = sql_table(spec)
    key, payload = handle.c[spec.key], handle.c[spec.payload]
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(handle)).scalar() or 0
    done = 0
    rotation.rotated.setdefault(spec.table, 0)
    # One executemany per batch (a statement per row cost 10x as much); a row whose CAS misses because a bot
    # rewrote it meanwhile is counted as raced and picked up by the caller's next pass (``leftovers``).
    statement = update(handle).where(key == bindparam("k"), payload == bindparam("old")).values(
        {spec.payload: bindparam("new"), **({spec.version: handle.c[spec.version] + 1} if spec.version else {})})
    for rows in _batches(engine, spec, batch):
        params = []
        for row_key, value in rows:
            try:
                fresh = _new_value(spec, ring, value)
            except InvalidToken:
                rotation.unreadable[spec.table] = rotation.unreadable.get(spec.table, 0) + 1
                continue
            if fresh is not None:
                params.append({"k": row_key, "old": value, "new": fresh})
        if params:
            with engine.begin() as connection:
                result = connection.execute(statement, params)
                # Drivers that batch an executemany cannot count its rows: the next pass finds any raced row.
                written = result.rowcount if connection.dialect.supports_sane_multi_rowcount else len(params)
            rotation.rotated[spec.table] += written
            rotation.raced += len(params) - written
        done += len(rows)
        if progress is not None:
            progress(spec, done, total)


def reencrypt(engine: Engine, ring: KeyRing, *, batch: int = BATCH, progress: Progress | None = None,
              specs: Sequence[EncryptedColumn] | None = None) -> Rotation:
    rotation = Rotation()
    for spec in specs if specs is not None else columns(engine):
        reencrypt_column(engine, spec, ring, rotation, batch=batch, progress=progress)
    return rotation


def leftovers(engine: Engine, ring: KeyRing) -> dict[str, int]:
    """Rows the ring reads but its first key alone does not (plain watchlists included): what still needs the
    old keys. Rows no key reads are not counted: they never depended on them."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for spec in columns(engine):
            handle = sql_table(spec)
            for (value,) in connection.execute(select(handle.c[spec.payload])):
                token = as_token(spec, value)
                if token is None or (not ring.decrypts(token, first_only=True) and ring.decrypts(token)):
                    found[spec.table] = found.get(spec.table, 0) + 1
    return found


__all__ = ["ENCRYPTED", "Rotation", "columns", "leftovers", "reencrypt", "reencrypt_column"]
