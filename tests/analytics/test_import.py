"""`tandem import complaints`: both formats, bad rows counted and skipped, streaming, and no half imports."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from tandem.analytics.cli import register
from tandem.analytics.importer import import_complaints
from tandem.analytics.models import ComplaintRecord
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.kit.settings import get_settings

runner = CliRunner()
GENERIC_HEADER = "id,received_at,customer_id,channel,text,product,category,outcome,satisfaction\n"
CFPB_HEADER = (
    "Date received,Product,Sub-product,Issue,Sub-issue,Consumer complaint narrative,Company public response,"
    "Company,State,ZIP code,Tags,Consumer consent provided?,Submitted via,Date sent to company,"
    "Company response to consumer,Timely response?,Consumer disputed?,Complaint ID\n"
)


@pytest.fixture
def cli(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("TANDEM_DATABASE_URL", store_url)
    get_settings.cache_clear()
    app = typer.Typer()
    register(app)
    yield app
    get_settings.cache_clear()


def stored(url: str) -> list[ComplaintRecord]:
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            return list(session.scalars(select(ComplaintRecord).order_by(ComplaintRecord.external_id)))
    finally:
        engine.dispose()


def run_import(app: typer.Typer, path: Path, fmt: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["import", "complaints", str(path), "--format", fmt, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}


def test_generic_file_with_bad_rows_imports_the_good_ones_and_says_why(cli, store_url: str, tmp_path: Path):
    path = tmp_path / "complaints.csv"
    path.write_bytes(
        (
            GENERIC_HEADER
            + "c1,2026-01-05,cust-1,email,My parcel never arrived,Shoes,delivery,refunded,2\n"
            + 'c2,2026-01-06T10:30:00Z,cust-2,web,"Charged twice, please refund",Bags,billing,,\n'
            + "c3,31/02/2026,cust-3,web,Date is not a date,Shoes,delivery,,\n"
            + "c4,2026-01-07,cust-4,web,   ,Shoes,delivery,,\n"
            + "c1,2026-01-05,cust-1,email,My parcel never arrived,Shoes,delivery,refunded,2\n"
            + "c5,2026-01-07,cust-5,web,Too happy,Shoes,praise,,9\n"
            + "c6,2026-01-07,cust-6,web,one column too many,Shoes,delivery,,,extra\n"
            + "c7,2099-01-07,cust-7,web,From the future,Shoes,delivery,,\n"
            + "c8,2026-01-08,cust-8,phone,Rude agent on the phone,Hats,service,apology,1\n"
        ).encode()
        + b"c9,2026-01-08,cust-9,web,Broken \xff\xfe bytes,Hats,service,,\n"
    )
    code, report = run_import(cli, path, "generic")
    assert code == 0
    assert report["imported"] == 3 and report["rows_read"] == 10
    assert report["skipped_by_reason"] == {
        "bad_date": 2,
        "empty_text": 1,
        "duplicate": 1,
        "bad_satisfaction": 1,
        "malformed_row": 1,
        "invalid_encoding": 1,
    }
    assert all("line" in example for example in report["examples"])
    rows = stored(store_url)
    assert [r.external_id for r in rows] == ["c1", "c2", "c8"]
    assert rows[1].text == "Charged twice, please refund" and rows[1].satisfaction is None
    assert rows[0].customer_ref == "cust-1" and rows[0].channel == "email" and rows[0].satisfaction == 2

    # Running the same file again imports nothing twice.
    code, again = run_import(cli, path, "generic")
    assert again["imported"] == 0 and again["skipped_by_reason"]["duplicate"] == 4
    assert len(stored(store_url)) == 3


def test_cfpb_export_is_read_as_is(cli, store_url: str, tmp_path: Path):
    path = tmp_path / "cfpb.csv"
    path.write_text(
        CFPB_HEADER
        + "2023-05-14,Debt collection,Medical debt,Attempts to collect debt not owed,Debt is not yours,"
        + '"They keep calling about a debt that is not mine.\nXXXX told me to pay anyway, twice.",'
        + ",Acme Collections,TX,750XX,Servicemember,Consent provided,Web,2023-05-14,"
        + "Closed with explanation,Yes,N/A,6912345\n"
        + "05/15/2023,Mortgage,Conventional home mortgage,Trouble during payment process,,,,Big Bank,CA,,,"
        + "Consent not provided,Phone,05/15/2023,Closed with monetary relief,Yes,No,6912346\n"
        + "2023-05-16,Credit card,General-purpose credit card,Fees or interest,Unexpected fee,"
        + "I was charged a late fee although I paid on time.,,Big Bank,NY,100XX,,Consent provided,Web,"
        + "2023-05-16,Closed with monetary relief,Yes,No,6912347\n",
        encoding="utf-8",
    )
    code, report = run_import(cli, path, "cfpb")
    assert code == 0 and report["imported"] == 2
    assert report["skipped_by_reason"] == {"empty_text": 1}  # the consumer did not publish a narrative
    debt, card = stored(store_url)
    assert debt.external_id == "6912345" and debt.source == "cfpb"
    assert debt.text.startswith("They keep calling") and "twice." in debt.text
    assert (debt.product, debt.category, debt.channel) == (
        "Debt collection",
        "Attempts to collect debt not owed",
        "web",
    )
    assert debt.outcome == "Closed with explanation"
    assert debt.attributes["Sub-issue"] == "Debt is not yours" and debt.attributes["State"] == "TX"
    assert debt.attributes["Tags"] == "Servicemember"
    assert card.received_at.date().isoformat() == "2023-05-16"


def test_a_file_without_the_needed_columns_is_refused_whole(cli, store_url: str, tmp_path: Path):
    path = tmp_path / "wrong.csv"
    path.write_text("when,what\n2026-01-01,hello\n")
    result = runner.invoke(cli, ["import", "complaints", str(path), "--format", "generic"])
    assert result.exit_code == 2 and "received_at" in result.output
    assert stored(store_url) == []


class FailingDisk(io.RawIOBase):
    """A file whose read fails after `fail_after` lines, as a lost disk or network share would."""

    def __init__(self, lines: list[bytes], fail_after: int) -> None:
        self.lines, self.fail_after, self.served = lines, fail_after, 0

    def readable(self) -> bool:
        return True

    def __iter__(self) -> Iterator[bytes]:
        for line in self.lines:
            if self.served == self.fail_after:
                raise OSError("Input/output error")
            self.served += 1
            yield line


def generic_lines(count: int) -> list[bytes]:
    rows = [GENERIC_HEADER.encode()]
    rows += [
        f"r{i:05d},2026-02-01,cust-{i % 50},web,Complaint number {i} about delivery,Shoes,delivery,,\n".encode()
        for i in range(count)
    ]
    return rows


def test_an_error_mid_file_never_half_imports_and_a_rerun_resumes(store_url: str):
    factory = make_sessionmaker(make_engine(store_url))
    lines = generic_lines(50)
    report = import_complaints(factory, FailingDisk(lines, fail_after=26), "generic", batch_rows=10)  # type: ignore[arg-type]
    assert report.stopped is not None and "line" in report.stopped and "OSError" in report.stopped
    # Header plus 25 rows were read: two whole batches committed, the third (5 rows) rolled back.
    assert report.imported == 20
    rows = stored(store_url)
    assert [r.external_id for r in rows] == [f"r{i:05d}" for i in range(20)]
    assert all(r.text == f"Complaint number {i} about delivery" for i, r in enumerate(rows))

    again = import_complaints(factory, io.BytesIO(b"".join(lines)), "generic", batch_rows=10)
    assert again.stopped is None and again.imported == 30 and again.skipped_by_reason == {"duplicate": 20}
    assert len(stored(store_url)) == 50


def test_large_files_are_streamed_batch_by_batch(sqlite_url: str):
    factory = make_sessionmaker(make_engine(sqlite_url))
    lines = generic_lines(3000)
    source = FailingDisk(lines, fail_after=len(lines) + 1)
    seen: list[tuple[int, int]] = []
    report = import_complaints(
        factory,
        source,
        "generic",
        batch_rows=500,
        progress=lambda read, imported: seen.append((source.served, imported)),  # type: ignore[arg-type]
    )
    assert report.imported == 3000 and report.skipped == 0
    # At the first commit only the first batch had been read from the file, not the whole file.
    first_read, first_imported = seen[0]
    assert first_imported == 500 and first_read <= 502
