"""Summing outcome facts: a `Cube` of cells (one per day and dashboard dimension), read back as one
`Tally` per breakdown: the counts, averages and percentiles the dashboard shows.

Pure: rows in, numbers out. `repository` reads and writes the rows (and sums conversations into
rollup-shaped rows in SQL); `service` turns tallies into reports. The counts are exact integers and
durations are kept value by value, so a tally of rollup rows gives the same answers as the same
aggregate over every conversation. Cells are held column-wise (numpy) because a month is thousands of
cells and a request must stay well under the dashboard's 200 ms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# What a rollup row is keyed by (a conversation's group in every breakdown the dashboard offers).
DIMENSIONS = ("started_day", "started_week", "channel", "queue", "intent", "path", "handover_reason")
GROUP_DIMENSION = {"day": "started_day", "week": "started_week"}
# Counters (conversations contribute 0 or 1 to each, or their rating), then sums of floats.
COUNTS = (
    "conversations",
    "ai_resolved",
    "confirmed",
    "false_containment",
    "confirmed_and_stayed",
    "handed_over",
    "repeat_contact",
    "complaints",
    "repeated_fact",
    "rated",
    "satisfaction_sum",
    "emotion_n",
    "frustration_end_n",
    "frustration_eased",
    "frustration_rose",
)
SUMS = ("frustration_start_sum", "frustration_end_sum")
DURATIONS = ("first_response_s", "time_to_human_s", "resolution_s")
DURATION_NAMES = {
    "first_response_s": "first_response",
    "time_to_human_s": "time_to_human",
    "resolution_s": "resolution",
}
# A stored rollup row, in this order.
ROLLUP_COLUMNS = (*DIMENSIONS, *COUNTS, *SUMS, "repeated_kinds", *DURATIONS)
# A `conversation_outcome` row as `Cube.add_conversations` reads it, in this order.
FLAGS = ("ai_resolved", "confirmed", "false_containment", "handed_over", "repeat_contact", "complaint", "repeated_fact")
CONVERSATION_COLUMNS = (
    *DIMENSIONS,
    *FLAGS,
    "satisfaction",
    "frustration_start",
    "frustration_end",
    "repeated_kinds",
    *DURATIONS,
)
Key = tuple[Any, ...]
_C0, _S0 = len(DIMENSIONS), len(DIMENSIONS) + len(COUNTS)
_K = _S0 + len(SUMS)


@dataclass
class Tally:
    """One group of conversations, summed."""

    counts: dict[str, int]
    sums: dict[str, float]
    repeated_kinds: Counter[str]
    durations: dict[str, FloatArray]

    def rollup_row(self) -> dict[str, Any]:
        return {
            **self.counts,
            **self.sums,
            "repeated_kinds": dict(sorted(self.repeated_kinds.items())),
            **{name: encode(values) for name, values in self.durations.items()},
        }

    def summary(self, targets: Mapping[str, float]) -> dict[str, Any]:
        """The same keys, with the same meaning, as `repository.aggregate` gives for one group."""
        c = self.counts
        found: dict[str, Any] = {
            name: c[name] for name in COUNTS if name not in ("satisfaction_sum", "frustration_end_n")
        }
        found["satisfaction_avg"] = _mean(c["satisfaction_sum"], c["rated"])
        found["frustration_start_avg"] = _mean(self.sums["frustration_start_sum"], c["emotion_n"])
        found["frustration_end_avg"] = _mean(self.sums["frustration_end_sum"], c["frustration_end_n"])
        for column, target in (
            ("first_response_s", targets["first_response"]),
            ("time_to_human_s", targets["human_response"]),
            ("resolution_s", targets["resolution"]),
        ):
            values, name = self.durations[column], DURATION_NAMES[column]
            found[f"{name}_n"] = int(values.size)
            found[f"{name}_met"] = int((values <= target).sum())
            found[f"{name}_avg"] = float(values.mean()) if values.size else None
        return found

    def percentiles(self) -> dict[str, tuple[float, float] | None]:
        """Median and 90th percentile of each duration (linear interpolation, as PostgreSQL's
        percentile_cont)."""
        found: dict[str, tuple[float, float] | None] = {}
        for column, name in DURATION_NAMES.items():
            values = self.durations[column]
            if values.size == 0:
                found[name] = None
                continue
            median, p90 = np.percentile(values, [50, 90])
            found[name] = (float(median), float(p90))
        return found


@dataclass
class Cube:
    """Cells by every rollup dimension for one window; any breakdown is a sum over its cells."""

    keys: list[Key] = field(default_factory=list)
    _index: dict[Key, int] = field(default_factory=dict)
    _kinds: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Durations as stored (bytes per cell and duration), and conversation by conversation (a cell per row,
    # a column per duration, NaN where not measured); joined only for the cells a tally asks for.
    _blobs: dict[str, list[tuple[int, bytes]]] = field(default_factory=lambda: defaultdict(list))
    _detail_cells: list[NDArray[np.int64]] = field(default_factory=list)
    _detail_values: list[FloatArray] = field(default_factory=list)
    # One row per cell: COUNTS then SUMS (grown in blocks as cells are added).
    _numbers: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, len(COUNTS) + len(SUMS))))

    def _cell(self, key: Key) -> int:
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.keys)
            self.keys.append(key)
        return found

    def _matrix_of_numbers(self) -> NDArray[np.float64]:
        """The per-cell numbers, with a (zero) row for every cell known so far."""
        missing = len(self.keys) - self._numbers.shape[0]
        if missing > 0:
            grown = np.zeros((len(self.keys) + 1024, self._numbers.shape[1]))
            grown[: self._numbers.shape[0]] = self._numbers
            self._numbers = grown
        return self._numbers

    def add_rollups(self, rows: Sequence[Sequence[Any]]) -> None:
        """Stored rollup rows, in ROLLUP_COLUMNS order (None where a column was not read)."""
        if not rows:
            return
        cells = [self._cell(tuple(row[:_C0])) for row in rows]
        np.add.at(self._matrix_of_numbers(), cells, np.array([row[_C0:_K] for row in rows], dtype=np.float64))
        for cell, row in zip(cells, rows, strict=True):
            if row[_K]:
                self._kinds[cell].update(row[_K])
            for name, blob in zip(DURATIONS, row[_K + 1 :], strict=True):
                if blob:
                    self._blobs[name].append((cell, bytes(blob)))

    def add_conversations(self, rows: Sequence[Sequence[Any]]) -> None:
        """`conversation_outcome` rows in CONVERSATION_COLUMNS order (None where not measured or not read),
        counted as `repository.aggregate` counts them in SQL."""
        if not rows:
            return
        cells = np.array([self._cell(tuple(row[:_C0])) for row in rows], dtype=np.int64)
        flags = np.array([row[_C0 : _C0 + len(FLAGS)] for row in rows], dtype=bool).T
        resolved, confirmed, false_containment, handed_over, repeat_contact, complaint, repeated_fact = flags
        measures = np.array([row[_C0 + len(FLAGS) : _C0 + len(FLAGS) + 3] for row in rows], dtype=np.float64).T
        satisfaction, start, end = measures
        with np.errstate(invalid="ignore"):  # NaN (not measured) compares false, as NULL does in SQL
            eased, rose = end < start, end > start
        numbers = {
            "conversations": np.ones(len(rows)),
            "ai_resolved": resolved,
            "confirmed": resolved & confirmed,
            "false_containment": resolved & false_containment,
            "confirmed_and_stayed": resolved & confirmed & ~false_containment,
            "handed_over": handed_over,
            "repeat_contact": repeat_contact,
            "complaints": complaint,
            "repeated_fact": repeated_fact,
            "rated": ~np.isnan(satisfaction),
            "satisfaction_sum": np.nan_to_num(satisfaction),
            "emotion_n": ~np.isnan(start),
            "frustration_end_n": ~np.isnan(end),
            "frustration_eased": eased,
            "frustration_rose": rose,
            "frustration_start_sum": np.nan_to_num(start),
            "frustration_end_sum": np.nan_to_num(end),
        }
        matrix = np.stack([np.asarray(numbers[name], dtype=np.float64) for name in (*COUNTS, *SUMS)], axis=1)
        np.add.at(self._matrix_of_numbers(), cells, matrix)
        kinds_at = _C0 + len(FLAGS) + 3
        for cell, row in zip(cells.tolist(), rows, strict=True):
            if row[kinds_at]:
                self._kinds[cell].update(row[kinds_at])
        self._detail_cells.append(cells)
        self._detail_values.append(np.array([row[kinds_at + 1 :] for row in rows], dtype=np.float64))

    def tally_of(self, key: Key) -> Tally | None:
        cell = self._index.get(key)
        return None if cell is None else self._tally(np.array([cell], dtype=np.int64))

    def cells(self) -> list[tuple[Key, Tally]]:
        return [(key, self._tally(np.array([i]))) for i, key in enumerate(self.keys)]

    def total(self) -> Tally:
        return self._tally(np.arange(len(self.keys)))

    def by(self, group: str) -> list[tuple[Any, Tally]]:
        """One tally per value of `group` (day, week, channel, queue, intent, path, handover_reason), in
        ascending order with the unknown (None) group last, as PostgreSQL orders them."""
        position = DIMENSIONS.index(GROUP_DIMENSION.get(group, group))
        members: dict[Any, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            members[key[position]].append(i)
        order = sorted(members, key=lambda value: (value is None, value if value is not None else ""))
        return [(value, self._tally(np.array(members[value]))) for value in order]

    def _tally(self, cells: NDArray[np.int64]) -> Tally:
        numbers = self._matrix_of_numbers()[cells].sum(axis=0)
        kinds: Counter[str] = Counter()
        for cell in cells.tolist():
            if cell in self._kinds:
                kinds.update(self._kinds[cell])
        return Tally(
            counts={name: round(float(numbers[i])) for i, name in enumerate(COUNTS)},
            sums={name: float(numbers[len(COUNTS) + i]) for i, name in enumerate(SUMS)},
            repeated_kinds=kinds,
            durations={name: self._values(name, cells) for name in DURATIONS},
        )

    def _values(self, name: str, cells: NDArray[np.int64]) -> FloatArray:
        everything = cells.size == len(self.keys)
        wanted = set() if everything else set(cells.tolist())
        blobs = [blob for cell, blob in self._blobs.get(name, []) if everything or cell in wanted]
        parts = [decode(b"".join(blobs))]
        column = DURATIONS.index(name)
        for owners, values in zip(self._detail_cells, self._detail_values, strict=True):
            mine = values[:, column]
            keep = ~np.isnan(mine) if everything else ~np.isnan(mine) & np.isin(owners, cells)
            parts.append(mine[keep])
        return np.concatenate(parts)


def changed(stored: Tally | None, before: Sequence[Tally], after: Tally | None) -> Tally | None:
    """A stored cell with some conversations' old facts taken out and their new facts put in. None when
    the old facts are not all in the cell (it must then be rebuilt from the facts)."""
    parts = [t for t in (stored, after) if t is not None]
    counts: Counter[str] = Counter()
    sums: dict[str, float] = defaultdict(float)
    kinds: Counter[str] = Counter()
    for tally in parts:
        counts.update(tally.counts)
        kinds.update(tally.repeated_kinds)
        for name, total in tally.sums.items():
            sums[name] += total
    durations = {name: np.concatenate([t.durations[name] for t in parts] or [np.zeros(0)]) for name in DURATIONS}
    for old in before:
        counts.subtract(old.counts)
        kinds.subtract(old.repeated_kinds)
        for name, total in old.sums.items():
            sums[name] -= total
        for name in DURATIONS:
            left = _without(durations[name], old.durations[name])
            if left is None:
                return None
            durations[name] = left
    if any(n < 0 for n in counts.values()) or any(n < 0 for n in kinds.values()):
        return None
    return Tally(
        counts={name: counts[name] for name in COUNTS},
        sums={name: sums[name] for name in SUMS},
        repeated_kinds=+kinds,
        durations=durations,
    )


def _without(values: FloatArray, gone: FloatArray) -> FloatArray | None:
    """`values` less one occurrence of each of `gone` (None if one is missing)."""
    if gone.size == 0:
        return values
    missing = Counter(gone.tolist())
    kept = []
    for value in values.tolist():
        if missing[value] > 0:
            missing[value] -= 1
        else:
            kept.append(value)
    return np.array(kept, dtype=np.float64) if not +missing else None


def encode(values: FloatArray) -> bytes:
    return np.asarray(values, dtype="<f8").tobytes()


def decode(blob: bytes) -> FloatArray:
    return np.frombuffer(blob, dtype="<f8").astype(np.float64)


def _mean(total: float, n: int) -> float | None:
    return total / n if n else None
