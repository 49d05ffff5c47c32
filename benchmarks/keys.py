"""Rotation time: `roundtable keys rotate`'s re-encryption of N profiles and N portfolios on a SQLite file.

Run: python benchmarks/keys.py [N]  (default 10,000). Prints seconds for the re-encryption and the check after it.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository on sys.path, before benchmarks/advisor.py)
from cryptography.fernet import Fernet

from advisor.db import app_engine
from advisor.keys import KeyRing
from advisor.portfolio.holdings import Holding, SqlHoldingsStore
from advisor.profiles import SqlProfileStore
from advisor.rotation import leftovers, reencrypt
from advisor.suitability import QUESTIONNAIRE, Profile

members = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
with tempfile.TemporaryDirectory() as folder:
    engine = app_engine(f"sqlite:///{Path(folder) / 'rt.db'}")
    old = KeyRing([Fernet.generate_key()])
    profiles, holdings = SqlProfileStore(engine, old), SqlHoldingsStore(engine, old)
    for n in range(members):
        answers = {item.key: n % len(item.choices) for item in QUESTIONNAIRE}
        profiles.save(Profile.from_answers(f"telegram:{n}", answers))
        holdings.add(f"telegram:{n}", Holding("AAPL", 1 + n % 50, 150.0))
    ring = KeyRing([Fernet.generate_key(), *old.keys], old.pseudonym_key)
    started = time.perf_counter()
    rotation = reencrypt(engine, ring)
    rotated = time.perf_counter() - started
    started = time.perf_counter()
    assert not leftovers(engine, ring)
    checked = time.perf_counter() - started
    print(f"{members} profiles + {members} portfolios: re-encrypted {rotation.rotated} in {rotated:.2f} s; "
          f"verified in {checked:.2f} s")
