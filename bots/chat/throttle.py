"""At most one thing per key per gap (a removal notice per chat and rule, a panic check per chat), in memory and
bounded: the least recently used keys are dropped past ``capacity``. Thread-safe (the router runs in threads)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta


class Throttle:
    def __init__(self, gap: timedelta, capacity: int = 10_000) -> None:
        self.gap = gap
        self.capacity = capacity
        self._last: OrderedDict[Hashable, datetime] = OrderedDict()
        self._lock = threading.Lock()

    def due(self, key: Hashable, at: datetime) -> bool:
        """True (and ``at`` remembered) unless ``key`` was due less than ``gap`` before ``at``."""
        with self._lock:
            last = self._last.get(key)
            if last is not None and timedelta(0) <= at - last < self.gap:
                return False
            self._last[key] = at
            self._last.move_to_end(key)
            if len(self._last) > self.capacity:
                self._last.popitem(last=False)
            return True
