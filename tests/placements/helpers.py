"""Building placements for tests: through the service, as a person would."""

from __future__ import annotations

from datetime import date, time, timedelta

from app.extensions import db
from app.holidays.models import SchoolHoliday
from app.placements import service
from app.placements.models import Professional


def today() -> date:
    return service.today_local()


def monday_in(weeks: int, start: date | None = None) -> date:
    """The Monday `weeks` weeks after the Monday of start's week (default today)."""
    start = start or today()
    return start - timedelta(days=start.weekday()) + timedelta(weeks=weeks)


def terms(**values) -> service.Terms:
    """Mondays and Wednesdays 09:00-12:00, four hours a week, ten weeks from the
    Monday two weeks ahead."""
    first = values.pop("first_date", monday_in(2))
    defaults = dict(
        hours_per_week=4,
        weekdays={"mo", "we"},
        start_time=time(9, 0),
        end_time=time(12, 0),
        first_date=first,
        last_date=first + timedelta(weeks=10) - timedelta(days=1),
    )
    defaults.update(values)
    return service.Terms(**defaults)


def professional(company, **values) -> Professional:
    defaults = dict(
        name="Ellen Draaier",
        expertise="CNC-draaien en frezen, PLC-programmeren",
        subjects="Metaaltechniek",
        profiles=["PIE"],
        weekdays=["mo", "we", "fr"],
        hours_per_week=8,
        town="Hengelo",
        region="Twente",
        consent=True,
    )
    defaults.update(values)
    person = service.register_candidate(None, company=company, **defaults)
    db.session.flush()
    return person


def propose(actor, company, school, person, by="company", **term_values):
    return service.propose(
        actor,
        company=company,
        school=school,
        professional=person,
        terms=terms(**term_values),
        subjects="Metaal",
        profiles=["PIE"],
        by=by,
    )


def holiday(name: str, start: date, end: date, region: str = "noord") -> SchoolHoliday:
    row = SchoolHoliday(region=region, name=name, start_date=start, end_date=end)
    db.session.add(row)
    db.session.flush()
    return row
