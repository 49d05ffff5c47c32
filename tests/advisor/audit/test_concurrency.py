"""Several writers, one chain: threads and processes appending at once, a locked database, a lost lock.

The append is serialised in the database (SQLite ``BEGIN IMMEDIATE``, PostgreSQL advisory lock), so these
writers share nothing in memory: each thread or process has its own engine and connections.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from advisor.audit import AuditLog, AuditUnavailable

ROOT = Path(__file__).resolve().parents[3]
KEY = b"concurrency-test-key"

WRITER = """
import sys, time
from advisor.audit import AuditLog
url, name, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
log = AuditLog.open(url, b"concurrency-test-key")
print("ready", flush=True)
import os
while not os.path.exists(go):
    time.sleep(0.005)
for i in range(n):
    log.append("answer", user="telegram:" + name, data={"writer": name, "i": i})
print("done", log.retries, flush=True)
"""


def writers_of(log: AuditLog) -> list[str]:
    import json

    return [json.loads(row[5])["writer"] for row in log.rows()]


def test_eight_threads_on_one_sqlite_file_keep_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    AuditLog.open(url, KEY)  # the schema, as the app creates it at start-up

    def write(name: str) -> None:
        log = AuditLog.open(url, KEY)  # its own engine: nothing shared but the file
        for i in range(200):
            log.append("moderation", chat="telegram:-1", data={"writer": name, "i": i})

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = AuditLog.open(url, KEY)
    report = log.verify()
    assert (report.entries, report.ok) == (1600, True)
    assert Counter(writers_of(log)) == {f"t{n}": 200 for n in range(8)}


def test_two_processes_appending_5000_each_make_one_chain_of_10000(database_url: str, tmp_path: Path) -> None:
    AuditLog.open(database_url, KEY).close()
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, database_url, name, "5000", str(go)], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in ("a", "b")]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    go.touch()  # both start appending together
    for process in processes:
        stdout, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr[-2000:]
        assert stdout.startswith("done")
    log = AuditLog.open(database_url, KEY)
    report = log.verify()
    assert (report.entries, report.ok, report.first_bad) == (10_000, True, None)
    writers = writers_of(log)
    assert Counter(writers) == {"a": 5000, "b": 5000}
    # They really ran at the same time: the chain switches writer more than once.
    assert sum(1 for x, y in pairwise(writers) if x != y) > 1


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another program holding the SQLite file's write lock (as a long migration or backup might)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_an_append_waits_out_a_locked_database_and_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog.open(f"sqlite:///{path}", KEY, busy_timeout=0.02, deadline=30)
    log.append("setting", data={"quota": "on"})
    holder = hold_write_lock(path)
    done: list[int] = []
    writer = threading.Thread(target=lambda: done.append(log.append("forget", user="telegram:9").seq))
    writer.start()
    time.sleep(0.5)
    assert not done  # still waiting for the lock...
    holder.execute("COMMIT")
    writer.join(timeout=10)
    assert done == [2] and log.retries > 0  # ...then written, after retries
    assert log.verify().ok and log.verify().entries == 2


def test_past_the_deadline_the_append_fails_loudly_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog.open(f"sqlite:///{path}", KEY, busy_timeout=0.02, deadline=0.3)
    holder = hold_write_lock(path)
    try:
        with pytest.raises(AuditUnavailable, match=r"stayed locked .* answer entry not recorded"):
            log.append("answer", data={"intent": "education"})
    finally:
        holder.execute("ROLLBACK")
    assert log.anchor().seq == 0
    assert log.append("answer", data={"intent": "education"}).seq == 1  # the caller may try again


def test_without_the_database_lock_the_unique_seq_still_keeps_one_chain(tmp_path: Path) -> None:
    """The second line of defence: writers that read the same head collide on the seq and retry."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    AuditLog.open(url, KEY)
    logs = [AuditLog.open(url, KEY) for _ in range(4)]
    for log in logs:
        log._lock_sql = "SELECT 1"  # no BEGIN IMMEDIATE: each statement commits on its own

    def write(log: AuditLog, name: str) -> None:
        for i in range(150):
            log.append("answer", data={"writer": name, "i": i})

    threads = [threading.Thread(target=write, args=(log, f"t{n}")) for n, log in enumerate(logs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = logs[0].verify()
    assert (report.entries, report.ok) == (600, True)
    assert sum(log.retries for log in logs) > 0  # collisions happened and were retried
