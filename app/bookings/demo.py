"""Demo bookings: slots full with a waiting list, past bookings that were
completed, and for the demo teacher's school and the demo company a booking in
every state."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from app.accounts.demo import demo_organisation
from app.accounts.models import Membership, Organisation, User
from app.bookings import service
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow


def _group_for(activity: Activity, rng: random.Random, size: int) -> service.Group:
    year = rng.choice(sorted(activity.years))
    profile = (
        rng.choice(sorted(activity.profiles)) if activity.profiles and year in ("3", "4") else None
    )
    return service.Group(
        size=size, year=year, path=rng.choice(sorted(activity.paths)), profile=profile
    )


def _teacher_of(school: Organisation) -> User:
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.organisation_id == school.id, Membership.role == "teacher")
        .order_by(Membership.id)
    )
    return membership.user


def _book(rng, slot, school, size, *, waitlist=False):
    teacher = _teacher_of(school)
    group = _group_for(slot.activity, rng, min(size, slot.activity.max_group_size))
    try:
        return service.request_booking(
            teacher, slot, school, group, accept_waitlist=waitlist
        ).booking
    except DomainError:
        return None


def load_bookings() -> dict[str, int]:

    if db.session.scalar(select(func.count()).select_from(Booking)):
        return {"bookings": db.session.scalar(select(func.count()).select_from(Booking))}
    rng = random.Random(4242)
    schools = list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == "school", Organisation.status == "approved")
            .order_by(Organisation.id)
        )
    )
    demo_school = demo_organisation("school1")
    demo_company = demo_organisation("company2")
    now = utcnow()
    future = list(
        db.session.scalars(
            select(Slot)
            .join(Slot.activity)
            .where(Slot.starts_at > now)
            .order_by(Slot.starts_at, Slot.id)
        )
    )
    past = list(
        db.session.scalars(
            select(Slot)
            .join(Slot.activity)
            .where(Slot.starts_at <= now)
            .order_by(Slot.starts_at, Slot.id)
        )
    )

    # The demo company's slots carry a booking of the demo school in every state.
    own = [s for s in future if s.activity.company_id == demo_company.id]
    states = ["requested", "confirmed", "declined", "cancelled", "waitlisted", "requested"]
    for slot, state in zip(own, states, strict=False):
        if state == "waitlisted":
            # Fill the slot with other schools, then the demo school waits.
            while slot.free_places >= 4:
                if (
                    _book(
                        rng,
                        slot,
                        rng.choice(schools[1:]),
                        min(slot.free_places, rng.randint(8, 25)),
                    )
                    is None
                ):
                    break
            booking = _book(rng, slot, demo_school, 18, waitlist=True)
            continue
        booking = _book(rng, slot, demo_school, rng.randint(12, 24))
        if booking is None:
            continue
        contact = slot.activity.contact
        if state in ("confirmed", "declined") and booking.status == "requested":
            if state == "confirmed":
                service.confirm_booking(contact, booking)
            else:
                service.decline_booking(
                    contact, booking, "Die week is onze werkplaats in onderhoud."
                )
        elif state == "cancelled":
            service.cancel_booking(
                _teacher_of(demo_school), booking, "De klas heeft die dag een toets."
            )

    # Other slots: some nearly empty, some full with a waiting list.
    for index, slot in enumerate(future):
        if slot.activity.company_id == demo_company.id:
            continue
        fill = rng.random()
        attempts = waiting = 0
        while attempts < 6 and waiting < 2 and fill > 0.35:
            attempts += 1
            booking = _book(
                rng, slot, rng.choice(schools), rng.randint(6, 28), waitlist=fill > 0.85
            )
            if booking is not None and booking.status == "waitlisted":
                waiting += 1
            if booking is not None and booking.status == "requested" and rng.random() < 0.6:
                service.confirm_booking(slot.activity.contact, booking)
        if index % 9 == 0:
            _book(rng, slot, demo_school, rng.randint(10, 22))

    # Past slots: completed visits (and one the school cancelled).
    for slot in past:
        for school in rng.sample(schools, k=rng.randint(0, 2)):
            size = min(
                rng.randint(10, 25), slot.capacity - slot.taken, slot.activity.max_group_size
            )
            if size < 1:
                break
            group = _group_for(slot.activity, rng, size)
            db.session.add(
                Booking(
                    slot=slot,
                    school=school,
                    teacher=_teacher_of(school),
                    booked_by=_teacher_of(school),
                    group_size=size,
                    year=group.year,
                    path=group.path,
                    profile=group.profile,
                    status="completed",
                    created_at=slot.starts_at - (slot.ends_at - slot.starts_at) * 100,
                )
            )
            slot.taken += size
    if past:
        slot = next((s for s in past if s.activity.company_id == demo_company.id), past[0])
        db.session.add(
            Booking(
                slot=slot,
                school=demo_school,
                teacher=_teacher_of(demo_school),
                booked_by=_teacher_of(demo_school),
                group_size=20,
                year="3",
                path="KB",
                profile=next(iter(sorted(slot.activity.profiles)), None)
                if slot.activity.profiles
                else None,
                status="completed",
            )
        )
        slot.capacity = max(slot.capacity, slot.taken + 20)
        slot.taken += 20
    db.session.flush()
    return {"bookings": db.session.scalar(select(func.count()).select_from(Booking))}
