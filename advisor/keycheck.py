"""Which columns hold encrypted personal data, and the start-up check that the keys can read them.

The ``key_check`` table holds one row: a Fernet token of a known constant and a fingerprint of the pseudonym key.
At start-up a wrong encryption key fails to read the token, and a wrong pseudonym key (which would make every
member's rows and audit entries impossible to find) fails the fingerprint; either raises ``KeyProblem`` naming
the key's source and the data at stake, with counts, and changes nothing. A database from before the check has
no such row: the keys are then tried on a sample of its encrypted rows, and the row is written once they pass.

Nothing here ever drops or rewrites a row it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, column, func, inspect, select
from sqlalchemy import table as table_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.expression import TableClause

from advisor.keys import KeyProblem, KeyRing

KNOWN_PLAINTEXT = b"roundtable key check v1"
SAMPLE = 20  # rows per table tried on a database from before the key check


@dataclass(frozen=True)
class EncryptedColumn:
    """A column of Fernet tokens: bytes, or ASCII text when ``text`` (a token is url-safe base64)."""

    table: str
    key: str  # the primary key column (one column)
    payload: str
    label: str  # "risk profile", counted in messages as "12 risk profiles"
    text: bool = False
    version: str | None = None  # a compare-and-swap column bumped on every write (holdings)

    def plural(self, count: int) -> str:
        return f"{count} {self.label}" + ("" if count == 1 else "s")


ENCRYPTED = (
    EncryptedColumn("investor_profiles", "user_key", "payload", "risk profile"),
    EncryptedColumn("questionnaire_progress", "user_key", "payload", "questionnaire in progress"),
    EncryptedColumn("portfolio_holdings", "user_key", "payload", "portfolio", version="version"),
    EncryptedColumn("briefing_subscriptions", "chat_key", "watchlist", "briefing watchlist", text=True),
)

metadata = MetaData()
key_check = Table(
    "key_check", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("token", LargeBinary, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
KEY_CHECK = EncryptedColumn("key_check", "id", "token", "key check")


def sql_table(spec: EncryptedColumn) -> TableClause:
    """A lightweight handle on the table (no import of the store modules, which import this one's users)."""
    names = [spec.key, spec.payload] + ([spec.version] if spec.version else [])
    return table_(spec.table, *(column(name) for name in names))


def as_token(spec: EncryptedColumn, value: bytes | str | None) -> bytes | None:
    """The stored value as token bytes; None when it is not a Fernet token (a watchlist stored before it was
    encrypted is plain JSON text, which starts with "[")."""
    if value is None:
        return None
    raw = value.encode() if isinstance(value, str) else bytes(value)
    return None if spec.text and not raw.startswith(b"gAAAAA") else raw


def present(engine: Engine) -> list[EncryptedColumn]:
    names = set(inspect(engine).get_table_names())
    return [spec for spec in ENCRYPTED if spec.table in names]


def counts(engine: Engine) -> dict[EncryptedColumn, int]:
    """Rows holding encrypted data, per column (tables not created yet count 0)."""
    found: dict[EncryptedColumn, int] = {}
    with engine.connect() as connection:
        for spec in present(engine):
            found[spec] = connection.execute(select(func.count()).select_from(sql_table(spec))).scalar() or 0
    return found


def describe(found: dict[EncryptedColumn, int]) -> str:
    """ "12 risk profiles, 3 portfolios and 2 briefing watchlists" (only what there is)."""
    parts = [spec.plural(count) for spec, count in found.items() if count]
    if not parts:
        return "no encrypted data"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def holds_secrets(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    return key_check.name in names or any(counts(engine).values())


def _stored_check(engine: Engine) -> tuple[bytes, str] | None:
    if not inspect(engine).has_table(key_check.name):
        return None
    with engine.connect() as connection:
        row = connection.execute(select(key_check.c.token, key_check.c.fingerprint)
                                 .where(key_check.c.id == 1)).first()
    return None if row is None else (bytes(row[0]), str(row[1]))


def _sample_reads(engine: Engine, ring: KeyRing) -> bool | None:
    """Whether the ring reads the first rows of each encrypted table: True if any, False if none, None when
    there is no token to try."""
    tried = False
    with engine.connect() as connection:
        for spec in present(engine):
            handle = sql_table(spec)
            for (value,) in connection.execute(select(handle.c[spec.payload]).limit(SAMPLE)):
                token = as_token(spec, value)
                if token is None:
                    continue
                tried = True
                if ring.decrypts(token):
                    return True
    return False if tried else None


def wrong_key(ring: KeyRing, engine: Engine, why: str) -> KeyProblem:
    at_stake = describe(counts(engine))
    return KeyProblem(
        f"Cannot start: {why}. The database holds {at_stake}, encrypted; nothing was changed or deleted. "
        f"Restore the key that wrote them (from a backup of the key file, or in ROUNDTABLE_SECRET_KEY), "
        f"or point ROUNDTABLE_DATABASE_URL / ROUNDTABLE_HOME at the database that goes with {ring.source}.")


def check_keys(engine: Engine, ring: KeyRing) -> None:
    """Raise ``KeyProblem`` when ``ring`` cannot read this database's encrypted data; record the check once."""
    stored = _stored_check(engine)
    if stored is None:
        if _sample_reads(engine, ring) is False:
            raise wrong_key(ring, engine, f"the encryption key in {ring.source} does not read this database")
        metadata.create_all(engine)
        try:
            with engine.begin() as connection:
                connection.execute(key_check.insert().values(
                    id=1, token=ring.encrypt(KNOWN_PLAINTEXT), fingerprint=ring.fingerprint(),
                    updated_at=datetime.now(UTC)))
            return
        except IntegrityError:  # another instance wrote it first: check against theirs
            stored = _stored_check(engine)
            assert stored is not None
    token, fingerprint = stored
    try:
        readable = ring.decrypt(token) == KNOWN_PLAINTEXT
    except InvalidToken:
        readable = False
    if not readable:
        raise wrong_key(ring, engine, f"the encryption key in {ring.source} is not the one this database was "
                                      "written with")
    if fingerprint != ring.fingerprint():
        raise wrong_key(ring, engine, f"the pseudonym key of {ring.source} is not this database's (members' rows "
                                      "and audit entries would not be found); after a rotation the key file "
                                      "carries a pseudonym-key line, and the environment needs "
                                      "ROUNDTABLE_PSEUDONYM_KEY")
