"""Investor profiles, persisted with SQLAlchemy (SQLite by default, PostgreSQL by URL), encrypted at rest.

Rows are keyed by an HMAC of the platform user id, so the table holds no raw ids, and the payload
(level, answers, score, date) is Fernet-encrypted. A row that cannot be decrypted or parsed is treated
as "no profile" and logged: the member is invited to take the questionnaire again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import DateTime, LargeBinary, String, create_engine, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.suitability import Profile
from advisor.types import INVESTOR_LEVELS

log = logging.getLogger(__name__)


class ProfileStore(Protocol):
    def get(self, user_id: str) -> Profile | None: ...
    def save(self, profile: Profile) -> None: ...
    def delete(self, user_id: str) -> bool: ...


class Base(DeclarativeBase):
    pass


class ProfileRow(Base):
    __tablename__ = "investor_profiles"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def load_or_create_key(path: Path) -> bytes:
    """The Fernet key at ``path``, created (mode 0600) on first use."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    path.touch(mode=0o600)
    path.write_bytes(key)
    return key


class SqlProfileStore:
    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self._fernet = Fernet(key)
        self._hmac_key = hashlib.sha256(b"roundtable-user-key" + key).digest()
        Base.metadata.create_all(engine)

    @classmethod
    def open(cls, url: str, key: bytes) -> SqlProfileStore:
        return cls(create_engine(url), key)

    def user_key(self, user_id: str) -> str:
        return hmac.new(self._hmac_key, user_id.encode(), hashlib.sha256).hexdigest()

    def get(self, user_id: str) -> Profile | None:
        with Session(self.engine) as session:
            row = session.get(ProfileRow, self.user_key(user_id))
            if row is None:
                return None
            try:
                data = json.loads(self._fernet.decrypt(row.payload))
                level = data["level"]
                if level not in INVESTOR_LEVELS:
                    raise ValueError(f"bad level {level!r}")
                return Profile(user_id, level, {str(k): int(v) for k, v in data["answers"].items()},
                               int(data["points"]), datetime.fromisoformat(data["taken_at"]))
            except (InvalidToken, ValueError, KeyError, TypeError) as exc:
                log.warning("unreadable profile row %s… (%s); treating the member as unprofiled",
                            row.user_key[:8], type(exc).__name__)
                return None

    def save(self, profile: Profile) -> None:
        payload = json.dumps({"level": profile.level, "answers": profile.answers, "points": profile.points,
                              "taken_at": profile.taken_at.isoformat()}).encode()
        with Session(self.engine) as session, session.begin():
            session.merge(ProfileRow(user_key=self.user_key(profile.user_id),
                                     payload=self._fernet.encrypt(payload), updated_at=datetime.now(UTC)))

    def delete(self, user_id: str) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(ProfileRow).where(ProfileRow.user_key == self.user_key(user_id)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def count(self) -> int:
        with Session(self.engine) as session:
            return len(session.scalars(select(ProfileRow.user_key)).all())


class MemoryProfileStore:
    """In-memory profiles for tests and one-off CLI runs."""

    def __init__(self) -> None:
        self._profiles: dict[str, Profile] = {}

    def get(self, user_id: str) -> Profile | None:
        return self._profiles.get(user_id)

    def save(self, profile: Profile) -> None:
        self._profiles[profile.user_id] = profile

    def delete(self, user_id: str) -> bool:
        return self._profiles.pop(user_id, None) is not None
