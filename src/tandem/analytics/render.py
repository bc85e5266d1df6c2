"""Writing a report out: one self-contained HTML file (inline CSS, inline SVG, no scripts, no URLs) and a
folder of CSV files, one per table."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from tandem import __version__
from tandem.analytics import svg
from tandem.analytics.report import Report


def format_cell(value: Any, kind: str) -> str:
    if isinstance(value, tuple):
        value, kind = value
    if value is None:
        return "–"
    if kind == "pct" and isinstance(value, int | float):
        return f"{value:.1%}"
    if kind == "secs" and isinstance(value, int | float):
        return _duration(float(value))
    if kind == "p" and isinstance(value, int | float):
        return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"
    if kind == "num" and isinstance(value, int | float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _cell_html(value: Any, kind: str) -> Markup:
    if kind == "spark":
        return Markup(svg.sparkline(list(value or [])))  # noqa: S704 - markup we drew ourselves
    return Markup.escape(format_cell(value, kind))


def render_html(report: Report) -> str:
    environment = Environment(
        loader=PackageLoader("tandem.analytics", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    environment.globals["cell"] = _cell_html
    environment.globals["chart"] = Markup  # charts are SVG drawn by `svg`, every label escaped there
    return environment.get_template("report.html.j2").render(report=report, version=__version__)


def write_csvs(report: Report, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables:
        path = directory / f"{_slug(table.slug)}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([c.name for c in table.columns])
            for row in table.rows:
                writer.writerow([_csv_value(v) for v in row])
        written.append(path)
    return written


def _csv_value(value: Any) -> Any:
    if isinstance(value, tuple):
        value = value[0]
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "table"
