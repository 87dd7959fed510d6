"""The curriculum reference data in fixtures/curriculum.json: every entry has a
unique code, a source, and a profile and learning paths from the vocabulary, so
that loading it can never store a code the rest of the platform cannot name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import vocabulary

DATA = json.loads((Path(__file__).parent.parent / "fixtures" / "curriculum.json").read_text())


@pytest.mark.parametrize("kind", ["profile_modules", "keuzevakken", "skills", "career_competences"])
def test_every_entry_has_a_unique_code_a_name_and_a_source(kind):
    entries = DATA[kind]
    codes = [entry["code"] for entry in entries]
    assert len(codes) == len(set(codes))
    assert all(entry["name"].strip() and entry["source"].strip() for entry in entries)


def test_modules_and_keuzevakken_name_known_profiles_and_paths():
    for entry in DATA["profile_modules"] + DATA["keuzevakken"]:
        assert entry["profile"] in vocabulary.PROFILES, entry
        assert set(entry.get("paths", [])) <= set(vocabulary.PATHS), entry


def test_each_technical_profile_has_at_most_four_modules_and_lob_has_five_competences():
    for profile in ("BWI", "PIE", "MaT", "M&T", "MVI"):
        modules = [m for m in DATA["profile_modules"] if m["profile"] == profile]
        assert 1 <= len(modules) <= 4, profile
    assert len(DATA["career_competences"]) == 5
