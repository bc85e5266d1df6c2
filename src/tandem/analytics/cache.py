"""What the dashboard read last, kept in memory per day and data version.

A dashboard request reads a month of rollups (megabytes of exact durations) and the outcome facts of the
part-days at either end of its window; asked again before anything changed, it would read the same bytes
again. Whenever a day's rollups are written (by a refresh, in any process) the day gets a new random stamp
in `conversation_outcome_day_stamp`, written in the same transaction, and every entry here is keyed by the
database and the stamps of the days it was read from. A change makes a different key, so an entry is never
served after the data it was read from has changed, and a change to today leaves the other days' entries
in use.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
# A month of days read one by one, the month they make, and a few windows' edge days (a month of 1M
# messages is about 11 MB of durations, held once by the days and once by the month).
ENTRIES = 96
_entries: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def peek(key: Hashable) -> object | None:
    with _lock:
        return _entries.get(key)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """The value stored under `key`, computing and storing it when absent. Values must not be mutated."""
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]  # type: ignore[return-value]
    value = compute()
    keep(key, value)
    return value


def keep(key: Hashable, value: object) -> None:
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > ENTRIES:
            _entries.popitem(last=False)
