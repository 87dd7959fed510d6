"""Demo pupil numbers: the fictional DUO file in fixtures/ imported for this
school year, as a coordinator would, so the dashboard's coverage in pupils
shows a realistic picture with its gaps. A school year that already has
numbers is left alone (idempotent, and a demo's own changes stay)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.enrolment import service
from app.enrolment.models import Enrolment
from app.extensions import db
from app.school_year import SchoolYear

SAMPLE = Path(__file__).parents[2] / "fixtures" / "duo_leerlingen_vo_per_vestiging.csv"


def load_enrolment() -> dict[str, int]:
    year = SchoolYear.current()
    has = db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.school_year == year.start)
    )
    if not has:
        service.import_enrolment(None, SAMPLE.read_bytes(), year)
    return {
        "enrolment": db.session.scalar(
            select(func.coalesce(func.sum(Enrolment.pupils), 0)).where(
                Enrolment.school_year == year.start
            )
        )
    }
