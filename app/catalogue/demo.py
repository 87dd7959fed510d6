"""Demo data of the catalogue: the region's holidays, and activities with slots
across the school year around today (so the demo never looks stale)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.accounts.demo import fixture
from app.accounts.models import Membership, Organisation
from app.catalogue import service
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.holidays.service import holiday_dates, load_reference_holidays
from app.timeutil import LOCAL_TZ, local_to_utc, today_local

START_TIMES = (time(9, 0), time(10, 30), time(13, 0), time(13, 30))


def load_holidays() -> dict[str, int]:

    load_reference_holidays(fixture("holidays.json")["holidays"])
    return {"holidays": len(fixture("holidays.json")["holidays"])}


def school_days(region: str, first: date, last: date) -> list[date]:
    skipped = holiday_dates(region, first, last)
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in skipped:
            days.append(day)
        day += timedelta(days=1)
    return days


def load_activities() -> dict[str, int]:

    companies = list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == "company", Organisation.status == "approved")
            .order_by(Organisation.id)
        )
    )
    if db.session.scalar(select(func.count()).select_from(Activity)):
        return _counts()
    templates = fixture("demo_activities.json")["templates"]
    rng = random.Random(2026)
    today = today_local()
    days = school_days("noord", today - timedelta(days=70), today + timedelta(days=160))
    future_days = [d for d in days if d > today + timedelta(days=14)]
    past_days = [d for d in days if d < today]
    for company in companies:
        contact = db.session.scalar(
            select(Membership)
            .where(Membership.organisation_id == company.id)
            .order_by(Membership.id)
        )
        options = [t for sector in sorted(company.sectors) for t in templates.get(sector, [])]
        chosen = (
            options[:3]
            if company.name.startswith("Hengelo Aandrijftechniek")
            else rng.sample(options, k=min(len(options), rng.randint(1, 2)))
        )
        for template in chosen:
            activity = service.create_activity(
                company,
                {
                    "kind": template["kind"],
                    "title": template["title"],
                    "description": template["description"],
                    "sectors": company.sectors,
                    "profiles": template["profiles"],
                    "years": template["years"],
                    "paths": template["paths"],
                    "venue": template["venue"],
                    "duration_minutes": template["duration"],
                    "max_group_size": template["max_group"],
                    "min_notice_days": rng.choice((3, 5, 7)),
                    "requires_approval": rng.random() < 0.7,
                    "contact_id": contact.user_id if contact else None,
                },
                actor=None,
            )
            service.publish_activity(activity, actor=None)
            capacity = max(template["max_group"], 20) if template["kind"] != "job_shadowing" else 4
            for day in sorted(rng.sample(future_days, k=rng.randint(3, 6))):
                start = rng.choice(START_TIMES)
                starts_at = local_to_utc(datetime.combine(day, start, LOCAL_TZ))
                service.add_slot(
                    activity,
                    starts_at,
                    starts_at + timedelta(minutes=template["duration"]),
                    capacity,
                    actor=None,
                )
            # Past slots cannot be made through the service (it refuses the past):
            # they are history for the evaluations and reach figures.
            for day in sorted(rng.sample(past_days, k=rng.randint(1, 3))):
                start = rng.choice(START_TIMES)
                starts_at = local_to_utc(datetime.combine(day, start, LOCAL_TZ))
                db.session.add(
                    Slot(
                        activity=activity,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=template["duration"]),
                        capacity=capacity,
                    )
                )
    db.session.flush()
    return _counts()


def _counts() -> dict[str, int]:
    return {
        "activities": db.session.scalar(select(func.count()).select_from(Activity)),
        "slots": db.session.scalar(select(func.count()).select_from(Slot)),
    }
