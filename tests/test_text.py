"""app.text: the one rule for text that people send."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.text import clean_json, clean_text

# Every character the rule removes (of the lone surrogates, the first and the last).
INVISIBLE = [
    chr(code)
    for code in [
        *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
        *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xD800, 0xDFFF, 0xFFFE, 0xFFFF,
    ]
]  # fmt: skip


@pytest.mark.parametrize("character", INVISIBLE)
def test_invisible_characters_are_removed(character):
    assert clean_text(f"Vak{character}college") == "Vakcollege"
    assert clean_text(f"Vak{character}college", multiline=True) == "Vakcollege"


def test_a_name_is_one_line_and_a_text_keeps_its_lines():
    typed = "  Eerste regel\r\nTweede\tregel\rDerde\u2028vierde \n"
    assert clean_text(typed) == "Eerste regel Tweede regel Derde vierde"
    assert clean_text(typed, multiline=True) == "Eerste regel\nTweede\tregel\nDerde\nvierde"


def test_marks_that_cannot_reorder_text_and_letters_of_every_script_stay():
    for text in ["\u200fشركة\u200e B.V.", "Ærø Ğülşen 株式会社", "👩‍🔧 Installatie", "Café"]:
        assert clean_text(text) == text


def test_text_is_nfc_normalised():
    assert clean_text("Cafe\u0301") == "Café" == clean_text("Caf\u00e9")


def test_json_strings_and_keys_are_cleaned_everywhere():
    document = {"ti\x00tle": ["a\x00b", {"c": "\ud800d\r\ne"}], "n": 1, "x": None, "t": True}
    assert clean_json(document) == {"title": ["ab", {"c": "d\ne"}], "n": 1, "x": None, "t": True}


@settings(max_examples=200, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_what_comes_out_can_be_stored_anywhere(value):
    """UTF-8 (every database, psycopg), PostgreSQL's text (no NUL) and XML 1.0
    (XLSX) all take it, and cleaning it again changes nothing."""
    for multiline in (False, True):
        cleaned = clean_text(value, multiline=multiline)
        cleaned.encode("utf-8")
        assert "\x00" not in cleaned
        assert all(c in "\t\n" or 0x20 <= ord(c) < 0x7F or 0xA0 <= ord(c) for c in cleaned)
        assert clean_text(cleaned, multiline=multiline) == cleaned
        assert multiline or "\n" not in cleaned
