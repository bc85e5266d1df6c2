"""A small time-limited cache for credential look-ups (one per process).

Across processes a revoked key or ended session stops working within TTL_SECONDS; in the process that
revoked it, at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Generic, TypeVar

T = TypeVar("T")
TTL_SECONDS = 10.0


class TTLCache(Generic[T]):
    def __init__(self, ttl: float = TTL_SECONDS, max_items: int = 10_000) -> None:
        self.ttl, self.max_items = ttl, max_items
        self._items: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            expires, value = found
            if expires < time.monotonic():
                del self._items[key]
                return None
            return value

    def put(self, key: str, value: T) -> None:
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# Holds tandem.users.principal.Principal values; typed loosely to keep kit free of domain imports.
PRINCIPALS: TTLCache[Any] = TTLCache()
