"""The app's secret keys: a ``KeyRing`` of Fernet keys (the first encrypts, every one decrypts) and a separate,
stable pseudonym key (the HMAC that turns platform user ids into row keys and audit pseudonyms).

Why two kinds of key: encryption keys must be rotatable, but a pseudonym must never change, since audit entries
are immutable and `audit export --user` must keep finding a member after a rotation. So the pseudonym key is
fixed once: by default it is exactly the derivation the app always used from its ORIGINAL Fernet key
(``sha256(b"roundtable-user-key" + key)``), so existing databases keep working; after a rotation the key file
carries it explicitly, because the original Fernet key is no longer there.

Key file (HOME/secret.key, mode 0600)::

    # comments and blank lines are ignored
    pseudonym-key: <url-safe base64 of 32 bytes>     (optional; absent = derived from the LAST Fernet key)
    <Fernet key that encrypts>
    <older Fernet key, still decrypting during a rotation>

The old format (one Fernet key and nothing else) is the same file without the optional lines. The environment
spells it ``ROUNDTABLE_SECRET_KEY=new,old`` and ``ROUNDTABLE_PSEUDONYM_KEY=...``.

A running bot follows a rotation made by another process: before encrypting it looks whether the key file
changed (one ``stat``), and when a decrypt fails it reloads the ring once before calling the row unreadable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import stat
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from knowledge.errors import UserError

log = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "pseudonym-key:"
HEADER = ("# Roundtable secret keys. The first Fernet key encrypts; every key listed decrypts (more than one only\n"
          "# during `roundtable keys rotate`). Keep this file private (mode 0600) and backed up: without it the\n"
          "# encrypted profiles, portfolios and watchlists cannot be read.\n")


class KeyProblem(UserError):
    """A key that cannot be used: malformed, missing, or not the one the database was written with."""


def derive_pseudonym_key(fernet_key: bytes) -> bytes:
    """The pseudonym key the app has always derived from a Fernet key (kept byte for byte: existing rows and
    audit entries are keyed with it)."""
    return hashlib.sha256(b"roundtable-user-key" + fernet_key).digest()


def pseudonymiser(key: bytes | KeyRing) -> Callable[[str], str]:
    """platform user id -> pseudonym, for a ring or for raw key bytes (any bytes: the audit log needs no Fernet
    key, only the derivation)."""
    if isinstance(key, KeyRing):
        return key.pseudonym
    secret = derive_pseudonym_key(key)
    return lambda user_id: hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()


def _fernet_key(text: str, where: str) -> bytes:
    key = text.strip().encode()
    try:
        Fernet(key)
    except (ValueError, binascii.Error) as exc:
        raise KeyProblem(f"{where} holds something that is not a Fernet key (44 url-safe base64 characters).") \
            from exc
    return key


def parse_pseudonym_key(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, binascii.Error) as exc:
        raise KeyProblem(f"{where}: the pseudonym key is not url-safe base64.") from exc
    if len(key) < 32:
        raise KeyProblem(f"{where}: the pseudonym key must be at least 32 bytes.")
    return key


def encode_pseudonym_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


class KeyRing:
    """Encrypt, decrypt and pseudonymise with the app's keys. Thread-safe; ``reload`` swaps the Fernet keys in
    place (never the pseudonym key), so every store holding this ring follows a rotation."""

    def __init__(self, keys: Sequence[bytes], pseudonym_key: bytes | None = None, *,
                 source: str = "a key given in code", loader: Callable[[], KeyRing] | None = None,
                 changed: Callable[[], bool] | None = None) -> None:
        if not keys:
            raise KeyProblem(f"{source} holds no Fernet key.")
        self.keys = tuple(keys)
        self.pseudonym_key = pseudonym_key if pseudonym_key is not None else derive_pseudonym_key(self.keys[-1])
        self.source = source  # for messages: "the key file /home/x/secret.key", "ROUNDTABLE_SECRET_KEY"
        self._fernet = MultiFernet([Fernet(k) for k in self.keys])
        self._loader = loader  # reads the ring again from its source (None: keys given in code)
        self._changed = changed  # cheap: has the source changed since the last load?
        self._lock = threading.Lock()

    @classmethod
    def from_key(cls, key: bytes | KeyRing) -> KeyRing:
        """A ring of one key with today's pseudonym derivation (tests and callers that pass bytes)."""
        return key if isinstance(key, KeyRing) else cls([key])

    # -- using it ------------------------------------------------------------------------------------

    def pseudonym(self, user_id: str) -> str:
        return hmac.new(self.pseudonym_key, user_id.encode(), hashlib.sha256).hexdigest()

    def fingerprint(self) -> str:
        """Names the pseudonym key without revealing it (stored in the database's key check)."""
        return hashlib.sha256(b"roundtable-pseudonym-fingerprint" + self.pseudonym_key).hexdigest()[:32]

    def encrypt(self, data: bytes) -> bytes:
        if self._changed is not None and self._changed():
            self.reload()
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """Plain bytes; ``InvalidToken`` when no key reads it, even after reloading the ring from its source."""
        fernet = self._fernet
        try:
            return fernet.decrypt(token)
        except InvalidToken:
            # Reload only when the source changed (a rotation ran): a row no key reads must not re-read the file.
            if self._changed is None or not self._changed() or not self.reload():
                raise
        return self._fernet.decrypt(token)

    def decrypts(self, token: bytes, *, first_only: bool = False) -> bool:
        """Whether this ring (or only its first key) reads ``token``; never reloads."""
        try:
            (Fernet(self.keys[0]) if first_only else self._fernet).decrypt(token)
            return True
        except InvalidToken:
            return False

    def rotate(self, token: bytes) -> bytes:
        """``token`` re-encrypted under the first key (its timestamp kept); ``InvalidToken`` if unreadable."""
        return self._fernet.rotate(token)

    def reload(self) -> bool:
        """Read the keys again from the source; True when they changed. The pseudonym key must not change: a
        source that now names another one is refused (logged) and the current keys stay."""
        if self._loader is None:
            return False
        with self._lock:
            try:
                fresh = self._loader()
            except UserError as exc:
                log.error("could not reload the keys from %s: %s", self.source, exc)
                return False
            if fresh.pseudonym_key != self.pseudonym_key:
                log.error("%s now names another pseudonym key; keeping the keys loaded at start-up", self.source)
                return False
            if fresh.keys == self.keys:
                return False
            self.keys, self._fernet = fresh.keys, fresh._fernet
            log.info("reloaded the encryption keys from %s (%d key(s))", self.source, len(self.keys))
            return True


# -- the key file ---------------------------------------------------------------------------------------------


def parse_key_text(text: str, where: str) -> tuple[list[bytes], bytes | None]:
    """(Fernet keys, explicit pseudonym key or None) from a key file's text."""
    keys: list[bytes] = []
    pseudonym: bytes | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith(PSEUDONYM_PREFIX):
            pseudonym = parse_pseudonym_key(line[len(PSEUDONYM_PREFIX):], where)
        else:
            keys.append(_fernet_key(line, where))
    return keys, pseudonym


def format_key_file(keys: Sequence[bytes], pseudonym_key: bytes) -> str:
    lines = [HEADER, f"{PSEUDONYM_PREFIX} {encode_pseudonym_key(pseudonym_key)}"]
    lines += [key.decode() for key in keys]
    return "\n".join(lines) + "\n"


def write_key_file(path: Path, keys: Sequence[bytes], pseudonym_key: bytes) -> None:
    """Replace the key file atomically: a temp file (0600) in the same folder, fsynced, renamed over it, and the
    folder fsynced, so a crash leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, format_key_file(keys, pseudonym_key).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def loose_permissions(path: Path) -> str | None:
    """A warning when group or others may read or write the key file (it should be 0600), else None."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return (f"the key file {path} has permissions {mode:04o}: other accounts on this machine may read it. "
                f"Run: chmod 600 {path}")
    return None


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def ring_from_file(path: Path, pseudonym_key: bytes | None = None) -> KeyRing:
    """The ring in an existing key file (either format); it follows later changes to the file.
    ``pseudonym_key`` (from the environment) overrides the file's."""
    where = f"the key file {path}"
    signature = [_signature(path)]

    def load() -> KeyRing:
        signature[0] = _signature(path)
        try:
            text = path.read_text()
        except OSError as exc:
            raise KeyProblem(f"cannot read {where}: {exc}") from exc
        keys, pseudonym = parse_key_text(text, where)
        return KeyRing(keys, pseudonym_key or pseudonym, source=where)

    first = load()
    return KeyRing(first.keys, first.pseudonym_key, source=where, loader=load,
                   changed=lambda: _signature(path) != signature[0])


def create_key_file(path: Path) -> KeyRing:
    """A new key file (mode 0600) with a fresh key, in the old one-key format (readable by older versions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never over an existing file
    try:
        os.write(fd, key + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return ring_from_file(path)


def ring_from_settings(secret_keys: str, pseudonym_key: str | None, variable: str = "ROUNDTABLE_SECRET_KEY",
                       pseudonym_variable: str = "ROUNDTABLE_PSEUDONYM_KEY") -> KeyRing:
    """The ring given in the environment: comma-separated Fernet keys (first encrypts), and optionally the
    pseudonym key (unset: derived from the last, i.e. the oldest, key)."""
    keys = [_fernet_key(part, variable) for part in secret_keys.split(",") if part.strip()]
    pseudonym = parse_pseudonym_key(pseudonym_key, pseudonym_variable) if pseudonym_key else None
    return KeyRing(keys, pseudonym, source=variable)
