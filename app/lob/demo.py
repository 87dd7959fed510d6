"""Demo questions of the demo company for the pupils' sheets of its activities,
so a demo booking's loopbaandossier sheet shows a company's own questions.
Idempotent: the same questions are written again."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.demo import demo_organisation
from app.catalogue.models import Activity
from app.extensions import db
from app.lob import service

PREPARE = "Welk apparaat of welke machine wil je vandaag zelf proberen?"
LOOK_FOR = "Let op hoe de vakmensen veilig werken: wat dragen ze, en waarom?"


def load_lob_questions() -> dict[str, int]:
    company = demo_organisation("company2")
    if company is None:
        return {"lob_questions": 0}
    activities = db.session.scalars(
        select(Activity).where(Activity.company_id == company.id).order_by(Activity.id)
    ).all()
    for activity in activities:
        service.set_questions(None, activity, prepare=PREPARE, look_for=LOOK_FOR)
    return {"lob_questions": len(activities)}
