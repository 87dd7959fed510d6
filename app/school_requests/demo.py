"""Demo requests: for the demo teacher's school, one open request without
answers and one with two proposals to choose from; a request that the demo
company sees in "requests for you"; one fulfilled; and at another school a
request for a profile (MVI) that no demo company offers, unanswered for three
weeks, so the coordinators' mismatch view has something to show.

Everything goes through school_requests.service, so the events, mails and
bookings are as real as in use. Idempotent: nothing is added when requests
exist already."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.accounts.demo import demo_organisation
from app.accounts.models import Membership, Organisation, User
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.errors import DomainError
from app.extensions import db
from app.holidays.service import holiday_on
from app.placements.models import Placement
from app.placements.service import Terms, professionals_of
from app.school_requests import service
from app.school_requests.models import SchoolRequest
from app.timeutil import LOCAL_TZ, local_to_utc, utcnow


def _count() -> dict[str, int]:
    """Also the slots, bookings and placements again: the proposals add to them,
    and a second `demo load` must say what the first said."""

    return {
        "slots": db.session.scalar(select(func.count()).select_from(Slot)),
        "bookings": db.session.scalar(select(func.count()).select_from(Booking)),
        "placements": db.session.scalar(select(func.count()).select_from(Placement)),
        "requests": db.session.scalar(select(func.count()).select_from(SchoolRequest)),
    }


def _teacher_of(school: Organisation) -> User | None:
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == school.id, Membership.role == "teacher")
        .order_by(Membership.id)
    )
    return membership.user if membership else None


def _contact_of(company: Organisation) -> User | None:
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == company.id, Membership.role == "contact")
        .order_by(Membership.id)
    )
    return membership.user if membership else None


def _ask(teacher, school, today: date, **values) -> SchoolRequest:
    defaults = {
        "venues": {"company", "school"},
        "max_km": None,
        "remarks": "",
        "first_day": today + timedelta(days=7),
        "last_day": today + timedelta(days=70),
    }
    defaults.update(values)
    return service.post_request(teacher, school, service.RequestInput(**defaults), today=today)


def _propose_a_slot(request: SchoolRequest, company: Organisation, message: str) -> bool:
    """One of the company's dates that the request's group can book, if any."""
    contact = _contact_of(company)
    slots = db.session.scalars(
        select(Slot)
        .join(Slot.activity)
        .where(
            Activity.company_id == company.id,
            Activity.status == "published",
            Slot.status == "open",
            Slot.starts_at > utcnow() + timedelta(days=10),
        )
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    first = local_to_utc(datetime.combine(request.first_day, time.min, LOCAL_TZ))
    last = local_to_utc(datetime.combine(request.last_day, time.max, LOCAL_TZ))
    # Dates in the period with room for the group first: what a company would offer.
    slots = sorted(
        slots,
        key=lambda s: (
            not first <= s.starts_at <= last,
            s.free_places < request.group_size,
            s.starts_at,
        ),
    )
    for slot in slots:
        # The service checks everything before it writes: a refusal leaves nothing.
        try:
            service.propose_slot(contact, request, company, slot, message)
            return True
        except DomainError:
            continue
    return False


def _school_day(region: str, after: date) -> date:
    day = after
    while day.weekday() >= 5 or holiday_on(region, day) is not None:
        day += timedelta(days=1)
    return day


def _propose_a_new_date(request: SchoolRequest, companies, today: date, message: str) -> bool:
    day = _school_day(request.school.holiday_region, today + timedelta(days=30))
    starts = local_to_utc(datetime.combine(day, time(10, 0), LOCAL_TZ))
    for company in companies:
        contact = _contact_of(company)
        activities = db.session.scalars(
            select(Activity)
            .where(Activity.company_id == company.id, Activity.status == "published")
            .order_by(Activity.id)
        ).all()
        for activity in activities:
            try:
                service.propose_new_slot(
                    contact,
                    request,
                    company,
                    activity,
                    starts,
                    starts + timedelta(minutes=activity.duration_minutes),
                    max(request.group_size, 20),
                    message,
                )
                return True
            except DomainError:
                continue
    return False


def _propose_a_hybrid_teacher(request: SchoolRequest, company: Organisation) -> bool:
    """One of the company's professionals on a weekday they are still free."""

    contact = _contact_of(company)
    for professional in professionals_of(company):
        for weekday in ("th", "fr", "we", "tu", "mo"):
            terms = Terms(
                4,
                frozenset({weekday}),
                time(8, 30),
                time(12, 30),
                request.first_day,
                request.last_day,
            )
            try:
                service.propose_placement(
                    contact, request, company, professional, terms, "Onze monteur geeft graag les."
                )
                return True
            except DomainError:
                continue  # that day is taken (the clash rule): try another
    return False


def load_requests() -> dict[str, int]:

    if _count()["requests"]:
        return _count()
    today = service.today_local()
    demo_school = demo_organisation("school1")
    demo_company = demo_organisation("company2")
    docent = db.session.scalar(select(User).where(User.email == "docent@demo.test"))
    if demo_school is None or demo_company is None or docent is None:
        return _count()
    schools = list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind == "school",
                Organisation.status == "approved",
                Organisation.id != demo_school.id,
            )
            .order_by(Organisation.id)
        )
    )
    companies = list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind == "company",
                Organisation.status == "approved",
                Organisation.id != demo_company.id,
            )
            .order_by(Organisation.id)
        )
    )

    # The demo teacher: one request nobody answered yet ...
    _ask(
        docent,
        demo_school,
        today,
        kind="guest_lesson",
        topic="Gastles over elektrisch rijden",
        group_size=26,
        year="3",
        path="KB",
        profile="M&T",
        venues={"school"},
        remarks="Het liefst op een dinsdag- of donderdagochtend.",
    )
    # ... and one with two proposals to choose from: the demo company's own date
    # and a new date from another company.
    choose = _ask(
        docent,
        demo_school,
        today,
        kind="company_visit",
        topic="Zien hoe machines gebouwd worden",
        group_size=20,
        year="3",
        path="BB",
        profile="PIE",
        venues={"company"},
        max_km=30,
        remarks="Twee begeleiders gaan mee.",
    )
    _propose_a_slot(choose, demo_company, "Welkom! Onze monteurs laten de hal zien.")
    _propose_a_new_date(choose, companies, today, "We maken graag een extra ochtend vrij.")

    others = [(school, _teacher_of(school)) for school in schools]
    others = [(school, teacher) for school, teacher in others if teacher is not None]
    if len(others) >= 3:
        # A request the demo company finds in "requests for you" (an orientation
        # for year 2 suits every technical company).
        (school_a, teacher_a), (school_b, teacher_b), (school_c, teacher_c) = others[:3]
        _ask(
            teacher_a,
            school_a,
            today,
            kind="workshop",
            topic="Techniek-oriëntatie voor klas 2",
            group_size=24,
            year="2",
            path="KB",
            profile=None,
            remarks="Een middag zelf iets maken.",
        )
        # A profile no demo company offers, unanswered for three weeks: the
        # mismatch view shows it as unanswered and as demand without supply.
        lonely = _ask(
            teacher_b,
            school_b,
            today,
            kind="workshop",
            topic="Workshop game design",
            group_size=22,
            year="3",
            path="TL",
            profile="MVI",
            venues={"company"},
            max_km=25,
            remarks="Leerlingen willen een eigen spel maken.",
        )
        lonely.created_at = lonely.updated_at = utcnow() - timedelta(days=21)
        # One that worked out: accepted, so a booking came of it.
        done = _ask(
            teacher_c,
            school_c,
            today,
            kind="company_visit",
            topic="Bedrijfsbezoek productie",
            group_size=18,
            year="3",
            path="KB",
            profile="PIE",
            venues={"company"},
        )
        if _propose_a_slot(done, demo_company, "Kom gerust langs."):
            service.accept(teacher_c, done, done.responses[0])
        # A school that asks for a hybrid teacher; the demo company offers one.
        hybrid = _ask(
            teacher_a,
            school_a,
            today,
            kind="placement",
            topic="Hybride docent metaaltechniek, twee dagdelen per week",
            group_size=16,
            year="3",
            path="BB",
            profile="PIE",
            first_day=today + timedelta(days=14),
            last_day=today + timedelta(days=200),
        )
        _propose_a_hybrid_teacher(hybrid, demo_company)
    db.session.flush()
    return _count()
