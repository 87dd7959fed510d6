"""Charts drawn on the server as SVG: the same markup works in a page, in a
PDF (WeasyPrint draws inline SVG) and without JavaScript.

Every chart is an image with a title and a description (its text
alternative); the table with the same numbers stands beside it in the page.
Labels can be people's text (a town's name), so everything is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

CURRENT = "#1f5fa8"
PREVIOUS = "#b9c9de"
TEXT = "#222222"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    previous: int | None = None


def _fit(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def describe(title: str, bars: list[Bar], current_name: str, previous_name: str | None) -> str:
    """The text alternative: every value, in the order drawn."""
    if not bars:
        return f"{title}: –"
    parts = []
    for bar in bars:
        text = f"{bar.label} {bar.value}"
        if previous_name is not None and bar.previous is not None:
            text += f" ({previous_name} {bar.previous})"
        parts.append(text)
    return f"{title}, {current_name}: " + "; ".join(parts) + "."


def bar_chart(
    chart_id: str,
    title: str,
    bars: list[Bar],
    *,
    current_name: str,
    previous_name: str | None = None,
    width: int = 680,
) -> Markup:
    """Horizontal bars, one row per category; last year's value as a thinner
    bar under this year's when `previous_name` is given."""
    label_width, value_width, row = 270, 56, 30 if previous_name else 22
    top = 24 if previous_name else 4
    height = top + row * max(len(bars), 1) + 4
    largest = max([b.value for b in bars] + [b.previous or 0 for b in bars] + [1])
    room = width - label_width - value_width
    description = describe(title, bars, current_name, previous_name)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="DejaVu Sans, sans-serif" font-size="12">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    if previous_name:
        out.append(
            f'<rect x="{label_width}" y="4" width="12" height="10" fill="{CURRENT}"/>'
            f'<text x="{label_width + 16}" y="13" fill="{TEXT}">{escape(current_name)}</text>'
            f'<rect x="{label_width + 120}" y="6" width="12" height="6" fill="{PREVIOUS}"/>'
            f'<text x="{label_width + 136}" y="13" fill="{TEXT}">{escape(previous_name)}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + index * row
        length = round(room * bar.value / largest)
        out.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end" fill="{TEXT}">'
            f"{escape(_fit(bar.label))}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="13" fill="{CURRENT}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 14}" fill="{TEXT}">{bar.value}</text>'
        )
        if previous_name and bar.previous is not None:
            old = round(room * bar.previous / largest)
            out.append(
                f'<rect x="{label_width}" y="{y + 18}" width="{old}" height="6" fill="{PREVIOUS}"/>'
            )
    if not bars:
        out.append(f'<text x="{label_width}" y="{top + 13}" fill="{TEXT}">–</text>')
    out.append("</svg>")
    return Markup("".join(out))


def breakdown_chart(
    breakdown, school_year, *, compare: bool = True, chart_prefix: str = "chart"
) -> Markup:
    """The chart of one reach breakdown (students per value)."""
    from flask_babel import gettext as _

    bars = [Bar(r.label, r.students, r.previous if compare else None) for r in breakdown.rows]
    return bar_chart(
        f"{chart_prefix}-{breakdown.name}",
        _("Students by %(dimension)s", dimension=breakdown.title.lower()),
        bars,
        current_name=school_year.label,
        previous_name=school_year.previous.label if compare else None,
    )
