"""Small inline SVG charts for the report: bars, columns, lines and sparklines. No scripts, no fonts to
fetch: the report must read the same in an email client as in a browser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2")
FONT = 'font-family="system-ui, sans-serif" font-size="11"'
Formatter = Callable[[float], str]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def percent(value: float) -> str:
    return f"{value:.0%}"


def bars(items: Sequence[tuple[str, float]], title: str, fmt: Formatter = _number, width: int = 640) -> str:
    """Horizontal bars, one per labelled value, largest scale at the widest bar."""
    if not items:
        return ""
    row, label_w, value_w = 20, 200, 70
    height = row * len(items) + 28
    top = max((v for _, v in items), default=0) or 1
    parts = [_open(width, height, title), f'<text x="0" y="14" {FONT} font-weight="600">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = 24 + i * row
        length = max(0.0, (width - label_w - value_w) * value / top)
        parts += [
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" {FONT}>{escape(_clip(label, 34))}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" fill="{PALETTE[0]}" rx="2"/>',
            f'<text x="{label_w + length + 4:.1f}" y="{y + 13}" {FONT}>{escape(fmt(value))}</text>',
        ]
    return "".join([*parts, "</svg>"])


def columns(items: Sequence[tuple[str, float]], title: str, width: int = 640, height: int = 180) -> str:
    """Vertical columns over time (e.g. complaints per week), first and last labels shown."""
    if not items:
        return ""
    top = max((v for _, v in items), default=0) or 1
    left, bottom, plot_h = 40, 30, height - 50
    step = (width - left - 10) / len(items)
    parts = [_open(width, height, title), f'<text x="0" y="14" {FONT} font-weight="600">{escape(title)}</text>']
    parts.append(
        f'<text x="{left - 4}" y="{height - bottom - plot_h + 4}" text-anchor="end" {FONT}>{_number(top)}</text>'
    )
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = left + i * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(1.0, step - 2):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}: {_number(value)}</title></rect>'
        )
    for i in {0, len(items) - 1}:
        anchor = "start" if i == 0 else "end"
        x = left + i * step + (0 if i == 0 else step)
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="{anchor}" {FONT}>{escape(items[i][0])}</text>')
    return "".join([*parts, "</svg>"])


def lines(
    series: dict[str, Sequence[float | None]],
    x_labels: Sequence[str],
    title: str,
    fmt: Formatter = _number,
    width: int = 640,
    height: int = 200,
) -> str:
    """One line per series over shared x labels; gaps where a value is missing."""
    values = [v for s in series.values() for v in s if v is not None]
    if not values or not x_labels:
        return ""
    top = max(values) or 1
    left, bottom, plot_h = 48, 44, height - 70
    step = (width - left - 10) / max(1, len(x_labels) - 1)
    parts = [_open(width, height, title), f'<text x="0" y="14" {FONT} font-weight="600">{escape(title)}</text>']
    parts.append(f'<text x="{left - 4}" y="{height - bottom - plot_h + 4}" text-anchor="end" {FONT}>{fmt(top)}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>')
    for n, (name, points) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        xy = [(left + i * step, height - bottom - plot_h * v / top) for i, v in enumerate(points) if v is not None]
        if len(xy) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in xy]
        parts.append(f'<rect x="{left + n * 150}" y="{height - 16}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + n * 150 + 14}" y="{height - 7}" {FONT}>{escape(_clip(name, 22))}</text>')
    for i in {0, len(x_labels) - 1}:
        anchor = "start" if i == 0 else "end"
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - bottom + 14}" text-anchor="{anchor}" {FONT}>'
            f"{escape(x_labels[i])}</text>"
        )
    return "".join([*parts, "</svg>"])


def sparkline(values: Sequence[float], width: int = 120, height: int = 22) -> str:
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = width / (len(values) - 1)
    coords = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values))
    last_x, last_y = (len(values) - 1) * step, height - 2 - (height - 4) * values[-1] / top
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="trend"><polyline points="{coords}" fill="none" stroke="{PALETTE[0]}" '
        f'stroke-width="1.5"/><circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2" fill="{PALETTE[1]}"/></svg>'
    )


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
