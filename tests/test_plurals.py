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
    # Numbers that name something (a page, a month, a week, a booking), not amounts.
    "Page %(n)s",
    "page %(n)s",
    "Page %(page)d",
    "month %(month)d",
    "Line %(line)d",
    "The same location, school type and profile as line %(line)d.",
    "Booking number %(number)d",
    "Placement number %(number)d",
    "Techniekpoort this week (week %(week)d)",
    "This is Techniekpoort's overview for week %(week)d.",
    # A number beside a label or a word that has no plural: "Filters (3)",
    # "Mislukt: 2", "van 30", "12 van 30", "en nog 3", "(4)", kilometres.
    "Filters (%(n)s)",
    "Due now: %(n)d",
    "Failed: %(n)d",
    "of %(n)s",
    "%(n)d of %(capacity)d",
    "booked %(n)d",
    "and %(n)d more",
    "Has offered %(kind)s before (%(n)d)",
    "The %(shown)d with the most students of %(all)s; the complete list is in the "
    "dashboard's export.",
    "%(km)d km away",
    "%(km)d km away: further than %(max)d km",
    "At most %(n)d km.",
    "at most %(km)d km from the school",
    # Limits that are fixed constants far above one (app/*/service.py), so the
    # plural is always the form shown.
    "A group has at most %(n)d students.",
    "A password has at least %(n)d characters.",
    "A password has at most %(n)d characters.",
    "A placement is at least %(n)d hour a week.",
    "A placement is at most %(n)d hours a week.",
    "A series has at most %(n)d slots.",
    "At most %(max)d characters.",
    "At most %(n)d characters.",
    "At most %(n)d reminders.",
    "Between %(low)d and %(high)d hours a week.",
    "Between 0 and %(n)d days.",
    "Give whole days between 1 and %(n)d, separated by commas.",
    "The capacity is at most %(n)d students.",
    "The largest group is at most %(n)d students.",
    "The minimum notice is at most %(n)d days.",
    "A whole number from 0 to %(most)d.",
    "At most %(most)d questions.",
    "Between 0 and %(most)d pupils.",
    "“%(value)s” in %(column)s is not a number of pupils from 0 to %(most)d.",
    # The calendar feeds translate their words once per feed language and
    # fill in the count later (app/calendar/content.py); "group(s)" reads
    # right for any count in both languages.
    "Waiting list: %(n)s group(s)",
}


def test_every_message_that_counts_something_has_plural_forms():
    singular_counts = sorted(
        message.id
        for message in extract_messages()
        if message.id
        and isinstance(message.id, str)
        and COUNT.search(message.id)
        and message.id not in NOT_A_NOUN
    )
    assert singular_counts == [], (
        "These messages count something without ngettext:\n  " + "\n  ".join(singular_counts)
    )


def test_the_check_finds_a_count_without_plural_forms():
    assert COUNT.search("%(n)d dates are added.")
    assert COUNT.search("%(num)s free places")
    assert not COUNT.search("From %(school)s")
