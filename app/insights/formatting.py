"""Number formats shared by the dashboard and the annual report, in the
language of the page (Dutch 1.234; English 1,234)."""

from __future__ import annotations

from flask_babel import format_decimal, format_percent


def helpers() -> dict:
    return {
        "number": lambda value: "–" if value is None else format_decimal(value),
        "percent": lambda value: "–" if value is None else format_percent(value),
        "rating": lambda value: "–" if value is None else format_decimal(value, "0.0"),
        "signed": lambda value: ("+" if value > 0 else "") + format_decimal(value),
    }
