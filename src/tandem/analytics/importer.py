"""Importing complaint history from CSV: streamed, validated row by row, inserted in batches.

This module is a boundary (like a request handler): it owns one transaction per batch. Memory stays
constant whatever the file size: one batch of rows at a time. A row is imported whole or not at all.
If reading stops mid-file (a broken file, a lost disk), the batches already committed stay, the batch in
progress is rolled back, and the report says where it stopped: running the same import again resumes,
because rows already imported are skipped as duplicates.
"""

from __future__ import annotations

import csv
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tandem.analytics import complaints
from tandem.analytics.models import ComplaintRecord
from tandem.analytics.schemas import ImportReport
from tandem.kit import clock
from tandem.kit.db import unit_of_work
from tandem.kit.errors import ValidationFailed

log = logging.getLogger("tandem.analytics.import")
FORMATS = ("generic", "cfpb")
BATCH_ROWS = 1000
EXAMPLES = 10
# Narratives can be long; a field beyond this is a broken file (an unclosed quote), not a complaint.
FIELD_LIMIT = 1_000_000


@dataclass
class _Tally:
    rows_read: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def skip(self, line: int, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"line {line}: {reason}")


def import_complaints(
    factory: sessionmaker[Session],
    stream: IO[bytes],
    fmt: str,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a CSV file read from a binary stream. `progress(rows_read, imported)` is called per batch."""
    if fmt not in FORMATS:
        raise ValidationFailed(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    previous_limit = csv.field_size_limit(min(FIELD_LIMIT, sys.maxsize))
    try:
        return _import(factory, stream, fmt, batch_rows, progress)
    finally:
        csv.field_size_limit(previous_limit)  # the limit is process-wide: leave it as we found it


def _import(
    factory: sessionmaker[Session],
    stream: IO[bytes],
    fmt: str,
    batch_rows: int,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    started = time.perf_counter()
    tally = _Tally()
    reader = csv.reader(_lines(stream))
    stopped: str | None = None
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise ValidationFailed("The file is empty: there is no header row.") from None
    missing = complaints.missing_columns(fmt, header)
    if missing:
        raise ValidationFailed(
            f"The file lacks the column(s) {', '.join(missing)} that the {fmt} format needs.", missing=missing
        )
    batch: list[tuple[int, complaints.ComplaintRow]] = []
    now = clock.now()
    try:
        for fields in reader:
            line = reader.line_num
            tally.rows_read += 1
            if len(fields) != len(header):
                tally.skip(line, "malformed_row")
                continue
            try:
                batch.append((line, complaints.parse_row(fmt, dict(zip(header, fields, strict=True)), now)))
            except complaints.RowRejected as rejected:
                tally.skip(line, rejected.reason)
            if len(batch) >= batch_rows:
                _commit(factory, batch, tally)
                batch = []
                if progress is not None:
                    progress(tally.rows_read, tally.imported)
        if batch:
            _commit(factory, batch, tally)
    except (csv.Error, OSError, SQLAlchemyError) as exc:
        # The rows of the batch in progress were never inserted; committed batches stay.
        line = reader.line_num
        # A database error's text quotes the statement and its values (complaint text): name it only.
        detail = type(exc).__name__ if isinstance(exc, SQLAlchemyError) else f"{type(exc).__name__}: {exc}"
        stopped = f"stopped at line {line}: {detail}"
        log.warning("analytics.import_stopped", extra={"line": line, "error": type(exc).__name__})
    return ImportReport(
        format=fmt,
        rows_read=tally.rows_read,
        imported=tally.imported,
        skipped=sum(tally.skipped.values()),
        skipped_by_reason=dict(tally.skipped.most_common()),
        examples=tally.examples,
        stopped=stopped,
        seconds=round(time.perf_counter() - started, 3),
    )


def _lines(stream: IO[bytes]) -> Iterator[str]:
    # Bytes that are not UTF-8 become lone surrogates: the row holding them is rejected, not the file.
    for raw in stream:
        yield raw.decode("utf-8", "surrogateescape")


def _commit(factory: sessionmaker[Session], batch: list[tuple[int, complaints.ComplaintRow]], tally: _Tally) -> None:
    with unit_of_work(factory) as session:
        fresh = _without_duplicates(session, batch, tally)
        if fresh:
            imported_at = clock.now()
            session.execute(insert(ComplaintRecord), [row.as_insert(imported_at) for row in fresh])
    tally.imported += len(fresh)


def _without_duplicates(
    session: Session, batch: Iterable[tuple[int, complaints.ComplaintRow]], tally: _Tally
) -> list[complaints.ComplaintRow]:
    rows = list(batch)
    stored: set[tuple[str, str]] = set()
    for source in {row.source for _, row in rows}:
        ids = [row.external_id for _, row in rows if row.source == source]
        query = select(ComplaintRecord.external_id).where(
            ComplaintRecord.source == source, ComplaintRecord.external_id.in_(ids)
        )
        stored.update((source, external_id) for external_id in session.scalars(query))
    fresh: list[complaints.ComplaintRow] = []
    seen: set[tuple[str, str]] = set()
    for line, row in rows:
        key = (row.source, row.external_id)
        if key in stored or key in seen:
            tally.skip(line, "duplicate")
            continue
        seen.add(key)
        fresh.append(row)
    return fresh
