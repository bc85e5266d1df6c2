"""`tandem report`: one self-contained HTML file a manager can email, and every table as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tandem.analytics.cli import register
from tandem.analytics.importer import import_complaints
from tandem.kit.settings import get_settings

from .conftest import Journeys
from .test_outcomes import play_week
from .test_topics import complaints_csv

runner = CliRunner()


@pytest.fixture
def cli(insight_desk, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("TANDEM_DATABASE_URL", insight_desk.settings.database_url)
    get_settings.cache_clear()
    app = typer.Typer()
    register(app)
    return app


def test_the_report_is_one_self_contained_html_file_with_csv_tables(
    journeys: Journeys, cli: typer.Typer, tmp_path: Path
):
    play_week(journeys)
    import_complaints(journeys.desk.desk.factory, io.BytesIO(complaints_csv()), "generic")
    # A hostile topic name must come out as text, never as markup.
    lead = journeys.supervisor
    lead.post("/analytics/topics/build", {"source": "complaints", "since": "12w", "topics": 3})
    topic = journeys.get("/analytics/topics", source="complaints")[0]  # type: ignore[index]
    lead.client.patch(
        f"/api/v1/analytics/topics/{topic['id']}",
        json={"name": "<script>alert('x')</script>"},
        headers={"X-CSRF-Token": lead.csrf},
    )

    out, tables = tmp_path / "out" / "report.html", tmp_path / "tables"
    result = runner.invoke(
        cli,
        [
            "report",
            "--since",
            "12w",
            "--out",
            str(out),
            "--csv-dir",
            str(tables),
            "--with-vulnerable",
            "--no-rebuild-topics",
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")

    assert "<style>" in html and "<svg" in html
    assert not re.search(r"https?://", html), "no external URL of any kind"
    assert not re.search(r"<script|<link|<iframe|<img|@import|\bsrc=", html, re.I)
    assert "&lt;script&gt;alert(" in html
    for section in (
        "Outcomes",
        "Hand-overs",
        "Satisfaction and emotion",
        "Vulnerable customers",
        "Topics in complaints",
        "Root causes",
        "How these are counted",
    ):
        assert f">{section}</h2>" in html
    assert "Honest containment rate" in html and "Spikes" in html

    written = {p.name for p in tables.glob("*.csv")}
    assert {
        "headline.csv",
        "outcomes_by_week.csv",
        "handover_reasons.csv",
        "topics_complaints.csv",
        "trends_complaints.csv",
        "root_causes.csv",
        "satisfaction_by_path.csv",
    } <= written
    with (tables / "headline.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["measure", "value"] and ["Conversations", "6"] in rows
    with (tables / "trends_complaints.csv").open(newline="", encoding="utf-8") as handle:
        trend_rows = list(csv.DictReader(handle))
    assert all(len(row["trend"].split()) >= 2 for row in trend_rows)


def test_an_empty_desk_still_gives_a_readable_report(cli: typer.Typer, tmp_path: Path):
    out = tmp_path / "empty.html"
    result = runner.invoke(cli, ["report", "--since", "30d", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Nothing to show for this window." in out.read_text(encoding="utf-8")


def test_a_bad_window_is_explained(cli: typer.Typer, tmp_path: Path):
    result = runner.invoke(cli, ["report", "--since", "last tuesday", "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "30d" in result.output
