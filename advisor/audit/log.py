"""The audit log: append-only and hash-chained, in the app's database (SQLite by default, PostgreSQL by URL).

One writer at a time, serialised IN THE DATABASE, so threads, processes and bot instances on one database keep a
single chain: the head (last seq and hash) is read and the next entry inserted inside one transaction that holds
the database's write lock, taken before the head is read:

- SQLite: ``BEGIN IMMEDIATE`` takes the file's write lock at once (a plain ``BEGIN`` would read the head under a
  shared lock and let two writers pick the same seq);
- PostgreSQL: ``pg_advisory_xact_lock`` on a constant key, released by the commit. Under READ COMMITTED the
  head is read after the lock is granted, so it sees the previous writer's committed entry.

The primary key on ``seq`` is the second line of defence: a writer that somehow read a
stale head fails to insert and tries again rather than forking the chain. A locked database (SQLite's busy
timeout elapsed, a PostgreSQL lock or serialisation failure, a dropped connection) is retried with backoff until a
generous deadline, after which ``AuditUnavailable`` is raised: an entry is never dropped silently.

On SQLite the audit engine runs in WAL mode with ``synchronous=NORMAL``: a commit is not fsynced, so after a power
cut or OS crash the last few entries may be missing; the file is never corrupted, and a crash of the process
itself loses nothing that was committed. Publishing anchors (``anchor()``) bounds what such a loss can hide.
WAL needs a local filesystem (not NFS); it is a property of the file and also speeds up the other stores.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from advisor.audit.canonical import GENESIS, canonical_data, check_kind, entry_hash, format_time
from advisor.audit.verify import VerifyReport, check_chain
from advisor.db import tune_sqlite
from advisor.keys import KeyRing, pseudonymiser

log = logging.getLogger(__name__)

metadata = MetaData()
entries = Table(
    "audit_log", metadata,
    # INTEGER on SQLite, so seq is the rowid itself: one b-tree fewer to write per append, and a seq-ordered
    # read is a plain table scan.
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", String(27), nullable=False),  # the canonical text: the hash covers exactly what is stored
    Column("kind", String(32), nullable=False),
    Column("chat", String(128), nullable=True),
    Column("user", String(64), nullable=True),  # a pseudonym, never a platform id
    Column("data", Text, nullable=False),  # canonical JSON text (not a JSON column, which may re-encode it)
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # Only ``at`` is indexed (appends land on its last page); a random-looking index on ``user`` or ``hash``
    # would cost a page write per append for the sake of exports, which can afford a scan.
    Index("ix_audit_log_at", "at"),
)
COLUMNS = (entries.c.seq, entries.c.at, entries.c.kind, entries.c.chat, entries.c.user, entries.c.data,
           entries.c.prev, entries.c.hash)
HEAD = select(entries.c.seq, entries.c.hash).order_by(entries.c.seq.desc()).limit(1)
ADVISORY_KEY = 0x52_54_41_55_44_49_54  # "RTAUDIT": the one PostgreSQL advisory lock audit writers share
RETRY_SQLSTATES = {"40001", "40P01", "55P03", "57P01", "08000", "08003", "08006"}  # serialisation, deadlock, lock,
# shutdown, connection


class AuditUnavailable(RuntimeError):
    """The database stayed locked or unreachable past the deadline: the entry was NOT recorded."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    kind: str
    chat: str | None
    user: str | None
    data: str  # canonical JSON text
    prev: str
    hash: str


@dataclass(frozen=True)
class Head:
    seq: int  # 0 for an empty log
    hash: str  # GENESIS for an empty log

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


def audit_engine(url: str, *, busy_timeout: float = 2.0) -> Engine:
    """An engine for the audit log. On SQLite: WAL, synchronous=NORMAL and the driver's own transaction handling
    off, so ``BEGIN IMMEDIATE`` is ours to issue; ``busy_timeout`` is one attempt's wait for the lock."""
    if not url.startswith("sqlite"):
        return create_engine(url)  # a dropped connection fails the attempt, which is retried on a fresh one
    engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit at the driver: no implicit deferred BEGIN
        tune_sqlite(dbapi_connection, url)

    return engine


class AuditLog:
    """Append entries; read the head; verify and export (``advisor.audit.verify``)."""

    def __init__(self, engine: Engine, pseudonym: Callable[[str], str], *, deadline: float = 60.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.pseudonym = pseudonym  # platform user id -> the pseudonym stored in ``user``
        self.deadline = deadline
        self.clock = clock
        self.retries = 0  # appends that had to wait for a lock, since start (for logs and tests)
        self._sqlite = engine.dialect.name == "sqlite"
        self._lock_sql = self._lock_statement()
        self._head_sql = str(HEAD.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        compiled = insert(entries).compile(dialect=engine.dialect)
        self._insert_sql = str(compiled)
        self._insert_order = tuple(compiled.positiontup or ()) if compiled.positional else ()
        self._create_schema()

    @classmethod
    def open(cls, url: str, key: bytes | KeyRing, **options: Any) -> AuditLog:
        """The log in the database at ``url``; users are pseudonymised with the app's secret ``key``, as the
        profile and portfolio stores do, so a member has one pseudonym everywhere."""
        busy = options.pop("busy_timeout", 2.0)
        return cls(audit_engine(url, busy_timeout=busy), pseudonymiser(key), **options)

    def close(self) -> None:
        self.engine.dispose()

    def _lock_statement(self) -> str:
        """What takes the database's write lock for the append's transaction."""
        if self._sqlite:
            return "BEGIN IMMEDIATE"  # the driver's own transaction handling is off (audit_engine)
        if self.engine.dialect.name == "postgresql":
            return f"SELECT pg_advisory_xact_lock({ADVISORY_KEY})"
        # Another server database: lock the head row (the primary key on seq still guards the chain).
        return str(HEAD.with_for_update().compile(dialect=self.engine.dialect,
                                                  compile_kwargs={"literal_binds": True}))

    def _create_schema(self) -> None:
        # Two instances starting together may both try to create the table; the loser finds it made.
        for attempt in range(5):
            try:
                metadata.create_all(self.engine)
                return
            except DBAPIError:
                if attempt == 4 and not inspect(self.engine).has_table(entries.name):
                    raise
                time.sleep(0.05 * (attempt + 1))

    # -- writing ----------------------------------------------------------------------------------------

    def append(self, kind: str, *, user: str | None = None, chat: str | None = None,
               data: Mapping[str, Any] | None = None, user_key: str | None = None) -> Entry:
        """Record one event and return its entry. ``user`` is the platform user id ("telegram:12345"), stored
        only as its pseudonym; ``user_key`` passes a pseudonym already made (for a /forget tombstone written
        after the id itself is gone). Raises ValueError for malformed input and AuditUnavailable when the
        database stays locked past the deadline."""
        check_kind(kind)
        if user is not None and user_key is not None:
            raise ValueError("give user or user_key, not both")
        pseudonym = self.pseudonym(user) if user is not None else user_key
        text = canonical_data(data or {})
        started = time.monotonic()
        pause = 0.002
        while True:
            try:
                return self._append_once(kind, None if chat is None else str(chat), pseudonym, text)
            except Exception as exc:
                if not self._retryable(exc):
                    raise
                waited = time.monotonic() - started
                if waited > self.deadline:
                    raise AuditUnavailable(f"the audit log stayed locked for {waited:.0f} s; {kind} entry not "
                                           f"recorded ({type(exc).__name__}: {exc})") from exc
                self.retries += 1
                log.info("audit append waiting for the database (%s); retrying", type(exc).__name__)
                time.sleep(pause * random.uniform(0.5, 1.5))  # jitter: waiting writers do not wake in step
                pause = min(pause * 2, 0.25)

    def _append_once(self, kind: str, chat: str | None, user: str | None, data: str) -> Entry:
        # The pooled DBAPI connection itself, with SQL compiled once for this dialect: the append is the hot
        # path (<= 1 ms p95 on SQLite) and SQLAlchemy's Connection layer tripled its cost (0.3 ms -> 0.09 ms).
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(self._lock_sql)  # the database's write lock, before the head is read
            cursor.execute(self._head_sql)
            found = cursor.fetchone()
            head = Head(0, GENESIS) if found is None else Head(int(found[0]), str(found[1]))
            seq = head.seq + 1
            at = format_time(self.clock())  # taken under the lock, so times never go backwards along seq
            digest = entry_hash(seq, at, kind, chat, user, data, head.hash)
            values = {"seq": seq, "at": at, "kind": kind, "chat": chat, "user": user, "data": data,
                      "prev": head.hash, "hash": digest}
            cursor.execute(self._insert_sql, tuple(values[name] for name in self._insert_order)
                           if self._insert_order else values)
            raw.commit()
        except BaseException as exc:
            try:
                raw.rollback()
                if self.engine.dialect.is_disconnect(exc, raw.dbapi_connection, None):  # type: ignore[arg-type]
                    raw.invalidate()
            except Exception:
                raw.invalidate()  # a connection that cannot even roll back is not returned to the pool
            raise
        finally:
            raw.close()
        return Entry(seq, at, kind, chat, user, data, head.hash, digest)

    def _retryable(self, exc: Exception) -> bool:
        """A locked or busy database, a lost connection, or a seq taken under our feet (read the new head and
        try again); anything else (a missing table, bad SQL) is raised at once."""
        dbapi = self.engine.dialect.loaded_dbapi
        if not isinstance(exc, dbapi.Error):
            return False
        if isinstance(exc, dbapi.IntegrityError) or self.engine.dialect.is_disconnect(exc, None, None):
            return True
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return True  # SQLite: "database is locked", "database table is locked"
        return getattr(exc, "sqlstate", None) in RETRY_SQLSTATES

    @staticmethod
    def _head(conn: Connection) -> Head:
        row = conn.execute(HEAD).first()
        return Head(0, GENESIS) if row is None else Head(int(row[0]), str(row[1]))

    # -- reading ----------------------------------------------------------------------------------------

    def anchor(self) -> Head:
        """The current head {seq, hash}: publish or store it elsewhere; ``verify(anchor=hash)`` later proves
        that nothing up to that entry was rewritten."""
        with self.engine.connect() as conn:
            return self._head(conn)

    def rows(self, *conditions: Any) -> Iterator[tuple[Any, ...]]:
        """Stored rows as plain tuples in seq order, streamed (a server-side cursor on PostgreSQL)."""
        query = select(*COLUMNS).where(*conditions).order_by(entries.c.seq)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=2000).execute(query)
            for row in result:
                yield tuple(row)

    def count(self, *conditions: Any) -> int:
        """How many stored entries meet ``conditions`` (one COUNT in the database)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(entries).where(*conditions)).scalar() or 0)

    def verify(self, anchor: str | None = None) -> VerifyReport:
        """Check every entry's own hash, every link and the seq run; with ``anchor`` (a head hash published
        earlier), also that the anchor is still in the chain, so nothing up to it was rewritten."""
        return check_chain(self.rows(), anchor)

    def export(self, since: datetime | None = None, until: datetime | None = None,
               user: str | None = None) -> Iterator[str]:
        """JSONL lines (see ``advisor.audit.export``): entries at or after ``since`` and before ``until``
        (timezone-aware), of one member when ``user`` (a platform id) is given, up to the head as it was when
        the export started; then the trailer line."""
        from advisor.audit.export import export_lines

        head = self.anchor()
        pseudonym = self.pseudonym(user) if user is not None else None
        conditions: list[Any] = [entries.c.seq <= head.seq]
        if since is not None:
            conditions.append(entries.c.at >= format_time(since))
        if until is not None:
            conditions.append(entries.c.at < format_time(until))
        if pseudonym is not None:
            conditions.append(entries.c.user == pseudonym)
        return export_lines(self.rows(*conditions), (head.seq, head.hash), since=since, until=until, user=pseudonym)
