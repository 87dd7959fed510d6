"""The loopbaandossier sheet of a booking, composed from what is known: the
activity and the modules and keuzevakken it serves (its tags), goals,
questions to prepare, what to look for, reflection on the five career
competences (their questions from the curriculum's reference data), and a
follow-up plan. The company adds its own questions to the activity; the
teacher adapts the sheet for the booking. Pupils are never named: the sheet
is for the class, and the pupils' page keeps their answers in the browser."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.bookings.models import Booking
from app.catalogue.models import Activity
from app.curriculum.models import CurriculumEntry
from app.curriculum.service import entries, named_tags
from app.errors import DomainError
from app.extensions import db
from app.lob.models import ActivityQuestions, BookingSheet
from app.text import limited
from app.timeutil import utcnow

MOST_QUESTIONS = 12  # per list: a sheet a class can work through


def lines(text: str) -> list[str]:
    """One question per line; empty lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _questions(text: str, field: str) -> str:
    found = lines(limited(text, field))
    if len(found) > MOST_QUESTIONS:
        raise DomainError(_("At most %(most)d questions.", most=MOST_QUESTIONS), field=field)
    return "\n".join(found)


@dataclass(frozen=True)
class Competence:
    entry: CurriculumEntry
    addressed: bool  # the activity is tagged with it


@dataclass(frozen=True)
class Sheet:
    booking: Booking
    activity: Activity
    modules: list[CurriculumEntry]  # modules and keuzevakken it serves
    skills: list[CurriculumEntry]
    goals: list[str]
    prepare: list[str]
    look_for: list[str]
    competences: list[Competence]
    follow_up: list[str]


def default_goals(activity: Activity) -> list[str]:
    company = activity.company.name
    return [
        _("You know what the people at %(company)s do and make.", company=company),
        _("You know which of your qualities and interests fit this work."),
        _("You know what you want to find out next about this field."),
    ]


def default_prepare() -> list[str]:
    return [
        _("What do you already know about this company or this work?"),
        _("What would you like to ask a professional there?"),
        _("What do you expect to like, and what not?"),
    ]


def default_look_for() -> list[str]:
    return [
        _("What do the people there do in a day? Which tasks did you see?"),
        _("Which school subjects or skills did you recognise in the work?"),
        _("Which training did the people you met follow?"),
    ]


def default_follow_up() -> list[str]:
    return [
        _("What do you want to do or find out next (a meeloopdag, an open day, a keuzevak)?"),
        _("Who can help you with it, and when will you do it?"),
    ]


def sheet_of(booking: Booking) -> BookingSheet | None:
    return db.session.get(BookingSheet, booking.id)


def questions_of(activity: Activity) -> ActivityQuestions | None:
    return db.session.get(ActivityQuestions, activity.id)


def compose(booking: Booking) -> Sheet:
    """The sheet as the class gets it: the defaults, the company's questions,
    then the teacher's; the teacher's goals and follow-up replace the defaults."""
    activity = booking.slot.activity
    tags = named_tags(activity.id)
    own = sheet_of(booking)
    company = questions_of(activity)
    addressed = {e.code for e in tags.get("competence", [])}
    return Sheet(
        booking=booking,
        activity=activity,
        modules=[*tags.get("module", []), *tags.get("keuzevak", [])],
        skills=tags.get("skill", []),
        goals=(lines(own.goals) if own else []) or default_goals(activity),
        prepare=[
            *default_prepare(),
            *lines(company.prepare if company else ""),
            *lines(own.prepare if own else ""),
        ],
        look_for=[
            *default_look_for(),
            *lines(company.look_for if company else ""),
            *lines(own.look_for if own else ""),
        ],
        competences=[
            Competence(entry, entry.code in addressed)
            for entry in entries("competence", current_only=True)
        ],
        follow_up=(lines(own.follow_up) if own else []) or default_follow_up(),
    )


def sheet_for_link(booking: Booking) -> BookingSheet:
    """The booking's sheet, made on first use so that it has a link to share."""
    found = sheet_of(booking)
    if found is None:
        found = BookingSheet(booking_id=booking.id, token=secrets.token_urlsafe(32))
        db.session.add(found)
        db.session.flush()
    return found


def booking_of_token(token: str) -> Booking | None:
    """The booking whose pupils' page this is; None for an unknown token or a
    booking that was cancelled or declined (the link stops working)."""
    if not token or len(token) > 64:
        return None
    sheet = db.session.scalar(select(BookingSheet).where(BookingSheet.token == token))
    if sheet is None or sheet.booking.status in ("cancelled", "declined"):
        return None
    return sheet.booking


def adapt_sheet(
    actor: User, booking: Booking, *, goals: str, prepare: str, look_for: str, follow_up: str
) -> BookingSheet:
    sheet = sheet_for_link(booking)
    sheet.goals = _questions(goals, "goals")
    sheet.prepare = _questions(prepare, "prepare")
    sheet.look_for = _questions(look_for, "look_for")
    sheet.follow_up = _questions(follow_up, "follow_up")
    sheet.updated_at = utcnow()
    db.session.flush()
    return sheet


def new_link(booking: Booking) -> BookingSheet:
    """A new token: the old link stops working (shared too widely)."""
    sheet = sheet_for_link(booking)
    sheet.token = secrets.token_urlsafe(32)
    db.session.flush()
    return sheet


def set_questions(actor: User | None, activity: Activity, *, prepare: str, look_for: str):
    found = questions_of(activity)
    if found is None:
        found = ActivityQuestions(activity_id=activity.id)
        db.session.add(found)
    found.prepare = _questions(prepare, "prepare")
    found.look_for = _questions(look_for, "look_for")
    found.updated_at = utcnow()
    db.session.flush()
    return found
