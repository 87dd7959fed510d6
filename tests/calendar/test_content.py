"""What feeds must not carry, and what they must keep (docs/INTEROPERABILITY.md, rule 10)."""

from __future__ import annotations

import pytest

from app.calendar.content import REDACTED, redact


@pytest.mark.parametrize(
    "text",
    [
        "mail jan.smit@metaalbedrijf.test please",
        "bel 06-12345678",
        "bel +31 6 1234 5678",
        "tel. (053) 123 45 67",
        "0031612345678",
        "053 - 123 4567",
    ],
)
def test_contact_data_is_redacted(text):
    assert REDACTED in redact(text)
    assert not any(
        part in redact(text)
        for part in (
            "@metaalbedrijf",
            "12345678",
            "1234 5678",
            "123 45 67",
            "612345678",
            "123 4567",
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "Moved to 04-03-2026 10:00 because of the exam",
        "Moved to 2026-03-04 10:00",
        "Industriestraat 12, 7554 AB Hengelo",
        "24 students, year 3, KB, PIE",
        "Hall 3, door 12",
        "KvK 12345678 is our number",  # eight digits: not a phone number
        "Order 0612345678x, part 2024123456ab",  # digits run on into a code: no phone
        "",
    ],
)
def test_everything_else_stays(text):
    assert redact(text) == text
