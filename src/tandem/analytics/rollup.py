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
    "commented",
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
FLAGS = (
    "ai_resolved",
    "confirmed",
    "false_containment",
    "handed_over",
    "repeat_contact",
    "complaint",
    "repeated_fact",
    "commented",  # a rating came with a comment (rating_comment IS NOT NULL)
)
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
_M = _C0 + len(FLAGS)  # where the measures start in a conversation row


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
    _kinds: dict[int, Counter[str]] = field(default_factory=dict)
    # Durations in the order they were added, in chunks of (owning cell, value) pairs: decoded once from
    # the stored rows, or the measured values of conversation rows. Joined into one array per duration
    # when a tally asks (and kept until the next add), so a tally is a mask, not a loop over cells.
    _chunks: dict[str, list[tuple[NDArray[np.int64], FloatArray]]] = field(
        default_factory=lambda: {name: [] for name in DURATIONS}
    )
    _joined: dict[str, tuple[NDArray[np.int64], FloatArray]] = field(default_factory=dict)
    # The repeated kinds as a cell-by-kind table (names in the order first met), built when a tally asks.
    _kind_table: tuple[list[str], FloatArray] | None = None
    # One row per cell: COUNTS then SUMS (grown in blocks as cells are added).
    _numbers: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, len(COUNTS) + len(SUMS))))
    # What tallies carry beyond the counts (a report that shows no durations need not gather them).
    with_kinds: bool = True
    with_durations: bool = True

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

    def _add_kinds(self, cell: int, kinds: Any) -> None:
        # A new Counter per change: a copy of this cube shares its counters with the original.
        self._kinds[cell] = self._kinds[cell] + Counter(kinds) if cell in self._kinds else Counter(kinds)
        self._kind_table = None

    def _add_chunk(self, name: str, owners: NDArray[np.int64], values: FloatArray) -> None:
        if values.size:
            self._chunks[name].append((owners, values))
            self._joined.pop(name, None)

    def add_rollups(self, rows: Sequence[Sequence[Any]]) -> None:
        """Stored rollup rows, in ROLLUP_COLUMNS order (None where a column was not read)."""
        if not rows:
            return
        self._kind_table = None
        cells = [self._cell(tuple(row[:_C0])) for row in rows]
        np.add.at(self._matrix_of_numbers(), cells, np.array([row[_C0:_K] for row in rows], dtype=np.float64))
        for cell, row in zip(cells, rows, strict=True):
            if row[_K]:
                # As Counter.update would: a stored {"kind": n} adds n, a list adds one per item.
                self._add_kinds(cell, row[_K])
        for offset, name in enumerate(DURATIONS):
            blobs = [bytes(row[_K + 1 + offset] or b"") for row in rows]
            lengths = [len(blob) // 8 for blob in blobs]
            self._add_chunk(name, np.repeat(np.array(cells, dtype=np.int64), lengths), decode(b"".join(blobs)))

    def add_conversations(self, rows: Sequence[Sequence[Any]]) -> None:
        """`conversation_outcome` rows in CONVERSATION_COLUMNS order (None where not measured or not read),
        counted as `repository.aggregate` counts them in SQL."""
        self.add_facts(Facts.of(rows))

    def add_facts(self, facts: Facts) -> None:
        if not facts.keys:
            return
        self._kind_table = None
        local = np.array([self._cell(key) for key in facts.keys], dtype=np.int64)
        cells = local[facts.key_of_row]
        np.add.at(self._matrix_of_numbers(), cells, facts.numbers)
        if facts.kind_names:
            per_key = np.zeros((len(facts.keys), len(facts.kind_names)))
            np.add.at(per_key, facts.key_of_row, facts.kind_counts)
            for key in np.flatnonzero(per_key.any(axis=1)).tolist():
                counts = {name: round(n) for name, n in zip(facts.kind_names, per_key[key].tolist(), strict=True) if n}
                self._add_kinds(int(local[key]), counts)
        for column, name in enumerate(DURATIONS):
            values = facts.durations[:, column]
            measured = ~np.isnan(values)
            self._add_chunk(name, cells[measured], values[measured])

    @classmethod
    def merged(cls, parts: Sequence[Cube]) -> Cube:
        """A new cube holding every part's cells (the parts are left as they are: they may be cached)."""
        cube = cls()
        for part in parts:
            if not part.keys:
                continue
            cells = np.array([cube._cell(key) for key in part.keys], dtype=np.int64)
            np.add.at(cube._matrix_of_numbers(), cells, part._matrix_of_numbers()[: len(part.keys)])
            for cell, kinds in part._kinds.items():
                cube._add_kinds(int(cells[cell]), kinds)
            for name, chunks in part._chunks.items():
                for owners, values in chunks:
                    cube._add_chunk(name, cells[owners], values)
        return cube

    def copy(self) -> Cube:
        """A cube to add to, leaving this one as it is (it may be cached): the arrays and counters are
        shared and never changed in place."""
        return Cube(
            keys=list(self.keys),
            _index=dict(self._index),
            _kinds=dict(self._kinds),
            _chunks={name: list(chunks) for name, chunks in self._chunks.items()},
            _joined=dict(self._joined),
            _kind_table=self._kind_table,
            _numbers=self._matrix_of_numbers().copy(),
        )

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
        return Tally(
            counts={name: round(float(numbers[i])) for i, name in enumerate(COUNTS)},
            sums={name: float(numbers[len(COUNTS) + i]) for i, name in enumerate(SUMS)},
            repeated_kinds=self._kinds_of(cells) if self.with_kinds else Counter(),
            durations={name: self._values(name, cells) if self.with_durations else np.zeros(0) for name in DURATIONS},
        )

    def _kinds_of(self, cells: NDArray[np.int64]) -> Counter[str]:
        if cells.size == 1:
            return Counter(self._kinds.get(int(cells[0]), {}))
        if self._kind_table is None:
            names: dict[str, int] = {}
            for cell in sorted(self._kinds):  # first met in cell order, as summing cell by cell meets them
                for name in self._kinds[cell]:
                    names.setdefault(name, len(names))
            table = np.zeros((len(self.keys), len(names)))
            for cell, counter in self._kinds.items():
                for name, n in counter.items():
                    table[cell, names[name]] = n
            self._kind_table = (list(names), table)
        names_in_order, table = self._kind_table
        if not names_in_order:
            return Counter()
        picked = table[cells]
        found: Counter[str] = Counter()
        # In the order a cell-by-cell sum would meet them: by the first chosen cell holding each kind.
        held = picked != 0
        first = np.where(held.any(axis=0), held.argmax(axis=0), len(cells))
        for column in sorted(range(len(names_in_order)), key=lambda c: (int(first[c]), c)):
            if first[column] < len(cells):
                found[names_in_order[column]] = round(float(picked[:, column].sum()))
        return found

    def _values(self, name: str, cells: NDArray[np.int64]) -> FloatArray:
        joined = self._joined.get(name)
        if joined is None:
            chunks = self._chunks[name]
            joined = (
                np.concatenate([owners for owners, _ in chunks]) if chunks else np.zeros(0, dtype=np.int64),
                np.concatenate([values for _, values in chunks]) if chunks else np.zeros(0),
            )
            self._joined[name] = joined
        owners, values = joined
        if cells.size == len(self.keys):
            return values
        member = np.zeros(len(self.keys), dtype=bool)
        member[cells] = True
        return values[member[owners]]


@dataclass(frozen=True)
class Facts:
    """Conversation rows made column-wise, ready to add to a cube: each row's key (an index into `keys`, the
    distinct keys), its COUNTS and SUMS, how often it repeated each kind of fact (a column per name in
    `kind_names`) and its durations (NaN where not measured). `when` holds each row's `started_at` in
    microseconds since the epoch where the rows were read with it (see `select`)."""

    keys: list[Key]
    key_of_row: NDArray[np.int64]
    numbers: FloatArray
    kind_names: list[str]
    kind_counts: FloatArray
    durations: FloatArray
    when: NDArray[np.int64]

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]], when: Sequence[int] | None = None) -> Facts:
        """Rows in CONVERSATION_COLUMNS order."""
        rows = [tuple(row) for row in rows]  # plain tuples slice many times faster than result rows
        index: dict[Key, int] = {}
        key_of_row = np.array([index.setdefault(tuple(row[:_C0]), len(index)) for row in rows], dtype=np.int64)
        names: dict[str, int] = {}
        repeated = [(i, row[_M + 3]) for i, row in enumerate(rows) if row[_M + 3]]
        for _, kinds in repeated:
            for kind in kinds:
                names.setdefault(kind, len(names))
        kind_counts = np.zeros((len(rows), len(names)))
        for i, kinds in repeated:
            for kind in kinds:
                kind_counts[i, names[kind]] += 1
        return cls(
            keys=list(index),
            key_of_row=key_of_row,
            numbers=_numbers_of(rows),
            kind_names=list(names),
            kind_counts=kind_counts,
            durations=np.stack([_measured(rows, _M + 4 + i) for i in range(len(DURATIONS))], axis=1).reshape(
                len(rows), len(DURATIONS)
            ),
            when=np.array(when if when is not None else [0] * len(rows), dtype=np.int64),
        )

    def select(self, since: int, until: int) -> Facts:
        """The rows with since <= `when` < until (microseconds since the epoch), and only their keys."""
        keep = np.flatnonzero((self.when >= since) & (self.when < until))
        if keep.size == self.when.size:
            return self
        present, key_of_row = np.unique(self.key_of_row[keep], return_inverse=True)
        return Facts(
            keys=[self.keys[i] for i in present.tolist()],
            key_of_row=key_of_row.reshape(-1).astype(np.int64),
            numbers=self.numbers[keep],
            kind_names=self.kind_names,
            kind_counts=self.kind_counts[keep],
            durations=self.durations[keep],
            when=self.when[keep],
        )


def _measured(rows: Sequence[Sequence[Any]], column: int) -> FloatArray:
    """One column as floats, NaN where NULL (numpy's own conversion of None is many times slower)."""
    nan = float("nan")
    return np.array([nan if (value := row[column]) is None else value for row in rows], dtype=np.float64)


def _numbers_of(rows: Sequence[Sequence[Any]]) -> FloatArray:
    """COUNTS then SUMS per conversation row, counted as `repository.aggregate` counts them in SQL."""
    if not rows:
        return np.zeros((0, len(COUNTS) + len(SUMS)))
    flags = np.array([row[_C0:_M] for row in rows], dtype=bool).T
    resolved, confirmed, false_containment, handed_over, repeat_contact, complaint, repeated_fact, commented = flags
    satisfaction, start, end = (_measured(rows, _M + i) for i in range(3))
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
        "commented": commented,
        "satisfaction_sum": np.nan_to_num(satisfaction),
        "emotion_n": ~np.isnan(start),
        "frustration_end_n": ~np.isnan(end),
        "frustration_eased": eased,
        "frustration_rose": rose,
        "frustration_start_sum": np.nan_to_num(start),
        "frustration_end_sum": np.nan_to_num(end),
    }
    return np.stack([np.asarray(numbers[name], dtype=np.float64) for name in (*COUNTS, *SUMS)], axis=1)


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
