"""Logging for the app: a rotating file under HOME/logs plus warnings on stderr.

``report_crash`` is the one place an unexpected error becomes a short message with a reference id;
the full traceback goes to the log file only.
"""

from __future__ import annotations

import logging
import logging.handlers
import secrets
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
crash_log = logging.getLogger("roundtable.crash")


def setup_logging(home: Path, level: str = "WARNING") -> Path | None:
    """Log everything from INFO up to the file, and ``level`` and up to stderr. Returns the file path."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(getattr(logging, level.upper(), logging.WARNING))
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.addFilter(lambda record: record.name != crash_log.name)  # tracebacks go to the file only
    root.addHandler(console)
    for noisy in ("chromadb", "httpx", "bm25s", "urllib3", "onnxruntime"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        (home / "logs").mkdir(parents=True, exist_ok=True)
        path = home / "logs" / "roundtable.log"
        file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3,
                                                            encoding="utf-8")
    except OSError:
        return None
    file_handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(file_handler)
    return path


def report_crash(exc: BaseException, context: str) -> str:
    """Log ``exc`` with its traceback under a fresh reference id and return the id."""
    reference = secrets.token_hex(4)
    crash_log.error("unexpected error in %s (ref %s)", context, reference, exc_info=exc)
    return reference
