"""Investor profiles, persisted with SQLAlchemy (SQLite by default, PostgreSQL by URL), encrypted at rest.

Rows are keyed by an HMAC of the platform user id, so the tables hold no raw ids, and the payloads
(level, answers, score, date) are Fernet-encrypted. A row that cannot be decrypted or parsed is treated
as "no profile" and logged: the member is invited to take the questionnaire again.

Three tables: finished profiles; questionnaires in progress (in the database, not one process's memory,
so several bot instances behind one webhook agree on where a member is); and suitability confirmations
(a member confirming they understand a topic is above their profile, rule G6). Saving a new profile
clears its confirmations, as the compliance notes ask for a fresh assessment when answers change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import DateTime, Integer, LargeBinary, String, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.db import app_engine
from advisor.keys import KeyRing, pseudonymiser
from advisor.suitability import Profile
from advisor.types import INVESTOR_LEVELS, RiskLevel

log = logging.getLogger(__name__)


class ProfileStore(Protocol):
    def get(self, user_id: str) -> Profile | None: ...
    def save(self, profile: Profile) -> None: ...
    def delete(self, user_id: str) -> bool: ...
    # The questionnaire in progress: {item key: choice}, None when none is under way.
    def progress(self, user_id: str) -> dict[str, int] | None: ...
    def save_progress(self, user_id: str, answers: dict[str, int] | None) -> None: ...
    # The next answer of a questionnaire under way: False (nothing written) when there is none any more, e.g.
    # /forget erased it between the member's click and this write: a click never resurrects erased data.
    def advance(self, user_id: str, answers: dict[str, int]) -> bool: ...
    # The last answer: the questionnaire in progress becomes the profile, in one step; False when it was erased.
    def finish(self, profile: Profile) -> bool: ...
    # G6: the member confirmed that they understand a topic at ``risk`` is above their profile.
    def confirm(self, user_id: str, risk: RiskLevel) -> None: ...
    def confirmed(self, user_id: str, risk: RiskLevel) -> bool: ...
    def confirmations(self, user_id: str) -> list[tuple[str, datetime]]: ...  # (risk, when), for /privacy


class Base(DeclarativeBase):
    pass


class ProfileRow(Base):
    __tablename__ = "investor_profiles"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProgressRow(Base):
    __tablename__ = "questionnaire_progress"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConfirmationRow(Base):
    __tablename__ = "suitability_confirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    risk: Mapped[str] = mapped_column(String(2))
    level: Mapped[str] = mapped_column(String(2))  # the member's level when they confirmed
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def load_or_create_key(path: Path) -> bytes:
    """The Fernet key at ``path``, created (mode 0600) on first use."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    path.touch(mode=0o600)
    path.write_bytes(key)
    return key


def user_hasher(key: bytes | KeyRing) -> Callable[[str], str]:
    """Row keys for platform user ids: an HMAC under the ring's pseudonym key (for bytes, the key derived from
    that Fernet key), so tables hold no raw ids and every store keyed this way (profiles, portfolios, audit)
    finds the same member's rows for /forget and /privacy."""
    return pseudonymiser(key)


class SqlProfileStore:
    def __init__(self, engine: Engine, key: bytes | KeyRing) -> None:
        self.engine = engine
        self.ring = KeyRing.from_key(key)  # shared with the other stores, so a reload reaches them all
        self.user_key = self.ring.pseudonym
        Base.metadata.create_all(engine)

    @classmethod
    def open(cls, url: str, key: bytes | KeyRing) -> SqlProfileStore:
        return cls(app_engine(url), key)

    def get(self, user_id: str) -> Profile | None:
        with Session(self.engine) as session:
            row = session.get(ProfileRow, self.user_key(user_id))
            if row is None:
                return None
            try:
                data = json.loads(self.ring.decrypt(row.payload))
                level = data["level"]
                if level not in INVESTOR_LEVELS:
                    raise ValueError(f"bad level {level!r}")
                return Profile(user_id, level, {str(k): int(v) for k, v in data["answers"].items()},
                               int(data["points"]), datetime.fromisoformat(data["taken_at"]))
            except (InvalidToken, ValueError, KeyError, TypeError) as exc:
                log.warning("unreadable profile row %s… (%s); treating the member as unprofiled",
                            row.user_key[:8], type(exc).__name__)
                return None

    def _profile_payload(self, profile: Profile) -> bytes:
        return self.ring.encrypt(json.dumps({"level": profile.level, "answers": profile.answers,
                                             "points": profile.points,
                                             "taken_at": profile.taken_at.isoformat()}).encode())

    def save(self, profile: Profile) -> None:
        key = self.user_key(profile.user_id)
        with Session(self.engine) as session, session.begin():
            session.merge(ProfileRow(user_key=key, payload=self._profile_payload(profile),
                                     updated_at=datetime.now(UTC)))
            session.execute(delete(ConfirmationRow).where(ConfirmationRow.user_key == key))  # re-assessed

    def delete(self, user_id: str) -> bool:
        """Erase everything kept about the member: profile, questionnaire in progress, confirmations."""
        key = self.user_key(user_id)
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(ProfileRow).where(ProfileRow.user_key == key))
            session.execute(delete(ProgressRow).where(ProgressRow.user_key == key))
            session.execute(delete(ConfirmationRow).where(ConfirmationRow.user_key == key))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def progress(self, user_id: str) -> dict[str, int] | None:
        with Session(self.engine) as session:
            row = session.get(ProgressRow, self.user_key(user_id))
            if row is None:
                return None
            try:
                return {str(k): int(v) for k, v in json.loads(self.ring.decrypt(row.payload)).items()}
            except (InvalidToken, ValueError, AttributeError) as exc:
                log.warning("unreadable questionnaire row %s… (%s); starting over", row.user_key[:8],
                            type(exc).__name__)
                return None

    def save_progress(self, user_id: str, answers: dict[str, int] | None) -> None:
        key = self.user_key(user_id)
        with Session(self.engine) as session, session.begin():
            if answers is None:
                session.execute(delete(ProgressRow).where(ProgressRow.user_key == key))
            else:
                session.merge(ProgressRow(user_key=key, payload=self.ring.encrypt(json.dumps(answers).encode()),
                                          updated_at=datetime.now(UTC)))

    def advance(self, user_id: str, answers: dict[str, int]) -> bool:
        payload = self.ring.encrypt(json.dumps(answers).encode())
        with Session(self.engine) as session, session.begin():
            result = session.execute(update(ProgressRow).where(ProgressRow.user_key == self.user_key(user_id))
                                     .values(payload=payload, updated_at=datetime.now(UTC)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish(self, profile: Profile) -> bool:
        key = self.user_key(profile.user_id)
        with Session(self.engine) as session, session.begin():
            # Deleting the progress row takes the write lock first: a /forget either ran before (nothing to
            # delete, nothing saved) or waits for this transaction and then erases the new profile too.
            gone = session.execute(delete(ProgressRow).where(ProgressRow.user_key == key))
            if not gone.rowcount:  # type: ignore[attr-defined]
                return False
            session.merge(ProfileRow(user_key=key, payload=self._profile_payload(profile),
                                     updated_at=datetime.now(UTC)))
            session.execute(delete(ConfirmationRow).where(ConfirmationRow.user_key == key))  # re-assessed
            return True

    def confirm(self, user_id: str, risk: RiskLevel) -> None:
        profile = self.get(user_id)
        with Session(self.engine) as session, session.begin():
            session.add(ConfirmationRow(user_key=self.user_key(user_id), risk=risk,
                                        level=profile.level if profile else "", confirmed_at=datetime.now(UTC)))

    def confirmed(self, user_id: str, risk: RiskLevel) -> bool:
        with Session(self.engine) as session:
            found = session.scalars(select(ConfirmationRow.id).where(
                ConfirmationRow.user_key == self.user_key(user_id), ConfirmationRow.risk == risk).limit(1)).first()
            return found is not None

    def confirmations(self, user_id: str) -> list[tuple[str, datetime]]:
        """The member's G6 confirmations: (risk level confirmed, when), oldest first (for /privacy)."""
        with Session(self.engine) as session:
            rows = session.execute(select(ConfirmationRow.risk, ConfirmationRow.confirmed_at).where(
                ConfirmationRow.user_key == self.user_key(user_id)).order_by(ConfirmationRow.id)).all()
            return [(risk, at if at.tzinfo else at.replace(tzinfo=UTC)) for risk, at in rows]

    def count(self) -> int:
        with Session(self.engine) as session:
            return len(session.scalars(select(ProfileRow.user_key)).all())


class MemoryProfileStore:
    """In-memory profiles for tests and one-off CLI runs."""

    def __init__(self) -> None:
        self._profiles: dict[str, Profile] = {}
        self._progress: dict[str, dict[str, int]] = {}
        self._confirmed: set[tuple[str, RiskLevel]] = set()

    def get(self, user_id: str) -> Profile | None:
        return self._profiles.get(user_id)

    def save(self, profile: Profile) -> None:
        self._profiles[profile.user_id] = profile
        self._confirmed = {c for c in self._confirmed if c[0] != profile.user_id}

    def delete(self, user_id: str) -> bool:
        self._progress.pop(user_id, None)
        self._confirmed = {c for c in self._confirmed if c[0] != user_id}
        return self._profiles.pop(user_id, None) is not None

    def progress(self, user_id: str) -> dict[str, int] | None:
        answers = self._progress.get(user_id)
        return dict(answers) if answers is not None else None

    def save_progress(self, user_id: str, answers: dict[str, int] | None) -> None:
        if answers is None:
            self._progress.pop(user_id, None)
        else:
            self._progress[user_id] = dict(answers)

    def advance(self, user_id: str, answers: dict[str, int]) -> bool:
        if user_id not in self._progress:
            return False
        self._progress[user_id] = dict(answers)
        return True

    def finish(self, profile: Profile) -> bool:
        if self._progress.pop(profile.user_id, None) is None:
            return False
        self.save(profile)
        return True

    def confirm(self, user_id: str, risk: RiskLevel) -> None:
        self._confirmed.add((user_id, risk))

    def confirmed(self, user_id: str, risk: RiskLevel) -> bool:
        return (user_id, risk) in self._confirmed

    def confirmations(self, user_id: str) -> list[tuple[str, datetime]]:
        return [(risk, datetime.min.replace(tzinfo=UTC)) for user, risk in sorted(self._confirmed) if user == user_id]
