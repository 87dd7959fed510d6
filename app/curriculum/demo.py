"""Demo data of the curriculum: the demo activities tagged with modules and
keuzevakken of their profiles, skills and career competences, and an offer
for each demo school location this school year, with gaps (keuzevakken no
activity serves), so the coverage pages have something to show.

Idempotent: an activity with tags and a location with an offer this year are
left as they are."""

from __future__ import annotations

import random

from sqlalchemy import exists, func, select

from app.accounts.models import Organisation
from app.catalogue.models import Activity
from app.curriculum import service
from app.curriculum.models import ActivityTag, SchoolOffer
from app.extensions import db
from app.school_year import SchoolYear

# The skills and competences each kind of activity practises most.
KIND_SKILLS = {
    "company_visit": ("communiceren", "kritisch-denken"),
    "guest_lesson": ("communiceren", "informatievaardigheden"),
    "workshop": ("samenwerken", "probleemoplossen", "creatief-denken"),
    "job_shadowing": ("zelfregulering", "sociaal-cultureel"),
    "event": ("creatief-denken", "samenwerken"),
}
KIND_COMPETENCES = {
    "company_visit": ("werkexploratie", "netwerken"),
    "guest_lesson": ("werkexploratie", "motievenreflectie"),
    "workshop": ("kwaliteitenreflectie", "werkexploratie"),
    "job_shadowing": ("werkexploratie", "loopbaansturing", "netwerken"),
    "event": ("motievenreflectie", "werkexploratie"),
}


def load_curriculum_demo() -> dict[str, int]:
    rng = random.Random(14)
    by_kind = service.entries_by_kind(current_only=True)
    modules = _by_profile(by_kind["module"])
    keuzevakken = _by_profile(by_kind["keuzevak"])
    untagged = select(Activity).where(~exists().where(ActivityTag.activity_id == Activity.id))
    for activity in db.session.scalars(untagged.order_by(Activity.id)):
        profiles = sorted(activity.profiles) or ["PIE"]
        own_modules = [code for p in profiles for code in modules.get(p, [])]
        own_keuzevakken = [code for p in profiles for code in keuzevakken.get(p, [])]
        service.set_tags(
            activity.id,
            {
                "module": rng.sample(own_modules, k=min(len(own_modules), rng.randint(1, 2))),
                "keuzevak": rng.sample(own_keuzevakken, k=min(len(own_keuzevakken), 1)),
                "skill": list(KIND_SKILLS.get(activity.kind, ())),
                "competence": list(KIND_COMPETENCES.get(activity.kind, ())),
            },
        )
    year = SchoolYear.current()
    schools = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == "school", Organisation.status == "approved")
        .where(
            ~exists().where(
                SchoolOffer.location_id == Organisation.id, SchoolOffer.school_year == year.start
            )
        )
        .order_by(Organisation.id)
    )
    for school in schools:
        profiles = sorted(school.profiles) or ["PIE", "BWI"]
        offered = [code for p in profiles for code in keuzevakken.get(p, [])]
        # A school offers some of its profiles' keuzevakken, and Robotica (open to any school).
        chosen = rng.sample(offered, k=min(len(offered), 4))
        if "D&P-K-ROB" in service.codes_of("keuzevak"):
            chosen.append("D&P-K-ROB")
        service.set_offer(school, year, {"profile": profiles, "keuzevak": chosen})
    # What there is, not what was added: a second run reports the same.
    tagged = db.session.scalar(select(func.count(func.distinct(ActivityTag.activity_id))))
    offering = db.session.scalar(
        select(func.count(func.distinct(SchoolOffer.location_id))).where(
            SchoolOffer.school_year == year.start
        )
    )
    return {"tagged activities": tagged, "school offers": offering}


def _by_profile(entries) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for entry in entries:
        grouped.setdefault(entry.profile, []).append(entry.code)
    return grouped
