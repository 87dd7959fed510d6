"""The Dutch catalog translates every message of the application.

Dutch is the default language (docs/ARCHITECTURE.md, "Text people read"), so
a msgid without a Dutch msgstr shows English to every Dutch user. These tests
extract the messages afresh from app/ with babel's own machinery (babel.cfg, the same keywords as
scripts/translations.sh), entirely in memory, and compare them with
app/translations/nl/LC_MESSAGES/messages.po. Fix a failure with
`scripts/translations.sh`, then translate what it added to the nl catalog.
"""

from __future__ import annotations

import gettext
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "app" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# Only app/ holds messages; these are not worth walking (see scripts/translations.sh).
SKIPPED_DIRS = {"node_modules", "instance", "migrations", "bench", "tests", "__pycache__"}

# %(name)s, %(n)d, %s, and the literal %%.
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifreExXgGoc%]")


def _directory_filter(path: str) -> bool:
    name = os.path.basename(path)
    return not name.startswith(".") and name not in SKIPPED_DIRS


def extract_messages() -> Catalog:
    """What `pybabel extract -F babel.cfg -k _l -k lazy_gettext .` would write."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_directory_filter
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(locale: str) -> Catalog:
    path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run scripts/translations.sh"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _forms(value) -> tuple[str, ...]:
    """A message's id or string as a tuple: one element, or one per plural form."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value or "",)


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    catalog = extract_messages()
    assert len(catalog) > 100, "extraction found almost nothing: is babel.cfg still right?"
    return catalog


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    return read_catalog("nl")


def _where(message) -> str:
    return ", ".join(f"{f}:{n}" for f, n in message.locations[:3])


def test_every_message_has_a_dutch_translation(extracted, dutch):
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = dutch.get(message.id, context=message.context)
        label = f"{message.id!r} ({_where(message)})"
        if translated is None:
            problems.append(f"missing: {label}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {label}")
        elif not all(form.strip() for form in _forms(translated.string)):
            problems.append(f"empty: {label}")
    assert not problems, (
        f"{len(problems)} message(s) without a Dutch translation in "
        "app/translations/nl/LC_MESSAGES/messages.po "
        "(run scripts/translations.sh, then translate):\n  " + "\n  ".join(problems)
    )


def test_dutch_translations_keep_the_placeholders(dutch):
    problems = []
    for message in dutch:
        if not message.id or not message.string:
            continue
        wanted = placeholders(_forms(message.id)[0])
        for form in _forms(message.string):
            if form and placeholders(form) != wanted:
                problems.append(
                    f"{message.id!r}: msgid has {sorted(wanted.elements())}, "
                    f"msgstr {form!r} has {sorted(placeholders(form).elements())}"
                )
    assert not problems, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(problems)


# One Dutch word per concept: the word a page uses is the word every page uses.
# (word the product avoids, the word it uses instead)
AVOIDED_WORDS = [
    (re.compile(r"\bcatalogus", re.I), "aanbod"),
    (re.compile(r"\breserver", re.I), "boeken"),
    (re.compile(r"\b(afmelden|uitschrijven)\b", re.I), "uitloggen"),
    (re.compile(r"\bnotificatie", re.I), "melding"),
    (re.compile(r"\bdashboard", re.I), "cijfers"),
    # The product speaks to teachers and colleagues informally everywhere.
    (re.compile(r"\b(u|uw)\b", re.I), "je, jouw"),
]


def test_dutch_uses_one_word_per_concept(dutch):
    problems = [
        f"{form!r} says {found[0]!r}: the product says {instead!r}"
        for message in dutch
        if message.id and message.string
        for form in _forms(message.string)
        for avoided, instead in AVOIDED_WORDS
        if (found := avoided.search(form or ""))
    ]
    assert not problems, "\n  ".join(["words the product does not use:", *problems])


def test_placeholder_pattern_sees_named_and_positional_formats():
    assert placeholders("%(name)s has %(n)d of %s, 100%%") == Counter(
        {"%(name)s": 1, "%(n)d": 1, "%s": 1, "%%": 1}
    )


def test_english_catalog_falls_back_to_the_msgids():
    """msgids are English: the en catalog exists so the switch works, and leaves
    msgstr empty so the msgid is shown. A msgstr there would hide later edits
    of the msgid."""
    english = read_catalog("en")
    overridden = [m.id for m in english if m.id and any(_forms(m.string))]
    assert not overridden, f"the en catalog should leave msgstr empty: {overridden}"


def test_compiled_dutch_catalog_matches_the_po_file(dutch):
    """The app reads the .mo file, which is built (git-ignored) by `make translations`.
    A stale one makes Dutch pages show English for no visible reason."""
    mo = CATALOGS / "nl" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run `make translations`"
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = [
        m.id
        for m in dutch
        if m.id and isinstance(m.id, str) and m.string and compiled.gettext(m.id) != m.string
    ]
    assert not stale, f"{mo.relative_to(ROOT)} is stale, run `make translations`: {stale[:10]}"
