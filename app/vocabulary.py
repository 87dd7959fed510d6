"""The fixed word lists of the field (docs/FIELD.md): codes in code and data, labels
through translations. Order matters: it is the order people see, and the bit
order of the FlagSet columns that store sets of these codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ORGANISATION_KINDS = {
    "school": _l("School"),
    "company": _l("Company"),
    "network": _l("Regional programme"),
}

ROLES = {
    "teacher": _l("Teacher"),
    "contact": _l("Company contact"),
    "coordinator": _l("Coordinator"),
    "administrator": _l("Administrator"),
}

# Which roles a membership of each organisation kind may have.
ROLES_BY_KIND = {
    "school": ("teacher", "administrator"),
    "company": ("contact", "administrator"),
    "network": ("coordinator", "administrator"),
}

HOLIDAY_REGIONS = {"noord": _l("North"), "midden": _l("Middle"), "zuid": _l("South")}

SECTORS = {
    "metal": _l("Metal and mechanical engineering"),
    "electrical": _l("Electrical and installation technology"),
    "construction": _l("Construction and infrastructure"),
    "process": _l("Process industry"),
    "mobility": _l("Mobility and automotive"),
    "ict": _l("ICT and media"),
    "maritime": _l("Maritime"),
    "energy": _l("Energy"),
}

PROFILES = {
    "BWI": _l("Building, living and interior (BWI)"),
    "PIE": _l("Producing, installing and energy (PIE)"),
    "MaT": _l("Maritime and technology (MaT)"),
    "M&T": _l("Mobility and transport (M&T)"),
    "MVI": _l("Media, design and ICT (MVI)"),
    # The five non-technical profiles: the technology programme is for every
    # vmbo pupil, and a care or green class may visit a technical company.
    # Appended after the technical ones: the bit order of stored masks stays.
    "D&P": _l("Services and products (D&P)"),
    "Z&W": _l("Care and welfare (Z&W)"),
    "E&O": _l("Economy and enterprise (E&O)"),
    "HBR": _l("Hospitality, bakery and recreation (HBR)"),
    "Groen": _l("Green (Groen)"),
}
# In a filter: "no profile" (years 1 and 2 choose none yet).
NO_PROFILE = "none"

YEARS = {"1": _l("Year 1"), "2": _l("Year 2"), "3": _l("Year 3"), "4": _l("Year 4")}

PATHS = {"BB": "BB", "KB": "KB", "GL": "GL", "TL": "TL"}

ACTIVITY_KINDS = {
    "company_visit": _l("Company visit"),
    "guest_lesson": _l("Guest lesson"),
    "workshop": _l("Workshop"),
    "job_shadowing": _l("Job shadowing day"),
    "event": _l("Technology event"),
}

VENUES = {
    "company": _l("At the company"),
    "school": _l("At the school"),
    "online": _l("Online"),
}

# School days, Monday to Friday: the weekdays a hybrid teacher can teach on.
# Codes follow iCalendar's BYDAY (MO..FR) lower-cased, so feeds need no table.
WEEKDAYS = {
    "mo": _l("Monday"),
    "tu": _l("Tuesday"),
    "we": _l("Wednesday"),
    "th": _l("Thursday"),
    "fr": _l("Friday"),
}

# Who registers interest in hybrid teaching (the candidate pool).
CANDIDATE_KINDS = {
    "employee": _l("Employee of a company"),
    "career_switcher": _l("Career switcher"),
    "technician": _l("Experienced technician"),
}

# A booking's state, as every page and mail names it.
BOOKING_STATES = {
    "requested": _l("Requested"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "offered": _l("Offered a place"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
    "completed": _l("Took place"),
}
