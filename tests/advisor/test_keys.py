"""The key ring: the first key encrypts, all decrypt, pseudonyms never change, and a running process follows a
key file rewritten by a rotation."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from advisor.keys import KeyProblem, KeyRing, create_key_file, parse_key_text, ring_from_file, write_key_file
from advisor.profiles import user_hasher


def test_a_ring_of_one_key_pseudonymises_as_before() -> None:
    key = Fernet.generate_key()
    assert KeyRing.from_key(key).pseudonym("telegram:42") == user_hasher(key)("telegram:42")


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = KeyRing([old]).encrypt(b"answers")
    ring = KeyRing([new, old])
    assert ring.decrypt(token) == b"answers" and not ring.decrypts(token, first_only=True)
    assert KeyRing([new]).decrypt(ring.rotate(token)) == b"answers"
    assert ring.pseudonym("x") == KeyRing([old]).pseudonym("x")  # derived from the last (oldest) key


def test_a_running_process_follows_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    running = create_key_file(path)  # the bot's ring, loaded at start-up
    other = ring_from_file(path)  # `keys rotate` in another process
    new = Fernet.generate_key()
    write_key_file(path, [new, *other.keys], other.pseudonym_key)
    token = KeyRing([new]).encrypt(b"written by the rotation")
    assert running.decrypt(token) == b"written by the rotation"  # a failed decrypt reloads once
    write_key_file(path, [new], other.pseudonym_key)
    assert KeyRing([new]).decrypt(running.encrypt(b"after")) == b"after"  # encrypts with the new key at once
    with pytest.raises(InvalidToken):
        running.decrypt(KeyRing([Fernet.generate_key()]).encrypt(b"a stranger's"))


def test_malformed_key_files_say_where() -> None:
    with pytest.raises(KeyProblem, match="the key file x holds something that is not a Fernet key"):
        parse_key_text("not-a-key\n", "the key file x")
    keys, pseudonym = parse_key_text("# comment\n\n" + Fernet.generate_key().decode() + "\n", "f")
    assert len(keys) == 1 and pseudonym is None
