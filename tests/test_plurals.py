"""Wherever a number meets a noun, the message goes through ngettext: "1 vrije
plaats", "3 vrije plaatsen". This test fails when a message of the application
formats a count without plural forms.

A count is a placeholder formatted as an integer (%(n)d, %d), or one named as
counts are (n, num, count) whatever its format (pages pass locale-formatted
numbers as strings). The few messages below put a number beside something that
is not a noun to be pluralised, and say why.
"""

from __future__ import annotations

import re

from tests.test_translations import extract_messages

COUNT = re.compile(r"%(?:\((?:n|num|count)\)[sd]|\([A-Za-z_][A-Za-z0-9_]*\)d|d)")

NOT_A_NOUN = {
    # A page number, not a number of pages.
    "Page %(n)s",
    "page %(n)s",
    # A count in brackets after a button's word: "Filters (3)".
    "Filters (%(n)s)",
    # A calendar month, a year, an hour: ordinals and names, not amounts.
    "month %(month)d",
}


def test_every_message_that_counts_something_has_plural_forms():
    singular_counts = sorted(
        message.id
        for message in extract_messages()
        if message.id and isinstance(message.id, str) and COUNT.search(message.id)
        and message.id not in NOT_A_NOUN
    )
    assert singular_counts == [], (
        "These messages count something without ngettext:\n  " + "\n  ".join(singular_counts))


def test_the_check_finds_a_count_without_plural_forms():
    assert COUNT.search("%(n)d dates are added.")
    assert COUNT.search("%(num)s free places")
    assert not COUNT.search("From %(school)s")
