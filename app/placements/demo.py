"""Demo placements and candidate pool: professionals of several companies, one
of them teaching at two schools without clashing hours, an agreed placement
that ends within three weeks, a proposal waiting for the demo teacher (Vakcollege
De Kolk) from the demo company (Hengelo Aandrijftechniek), a counter waiting for
the demo company, and self-registrations waiting for the coordinator.

Made through placements.service, with `today` set back where a placement
started in the past, so the demo shows what the rules allow. Idempotent: it
does nothing when placements exist."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import func, select

from app.accounts.demo import demo_organisation
from app.accounts.models import Membership, Organisation, User
from app.errors import DomainError
from app.extensions import db
from app.placements import schedule, service
from app.placements.models import Placement, Professional
from app.school_year import SchoolYear

PROFESSIONALS = [
    # key, company key, name, kind, expertise, subjects, profiles, weekdays, hours, town
    (
        "ellen",
        "company2",
        "Ellen Nijhuis",
        "employee",
        "Monteur aandrijftechniek: elektromotoren, frequentieregelaars en PLC-besturingen. "
        "Begeleidt al jaren stagiairs in de werkplaats.",
        "Elektrotechniek, PLC",
        ["PIE"],
        ["mo", "tu", "we"],
        8,
        "Hengelo",
    ),
    (
        "martijn",
        "company2",
        "Martijn Kamphuis",
        "technician",
        "Ervaren CNC-verspaner (draaien en frezen), tekenen en meten.",
        "Metaaltechniek",
        ["PIE"],
        ["th", "fr"],
        4,
        "Borne",
    ),
    (
        "rik",
        "company1",
        "Rik Oosterveld",
        "technician",
        "Constructiebankwerker en lasser (MIG/MAG, TIG) met dertig jaar ervaring in staalbouw.",
        "Lassen, constructie",
        ["BWI", "PIE"],
        ["th"],
        3,
        "Enschede",
    ),
    (
        "sanne",
        "company3",
        "Sanne Wolters",
        "career_switcher",
        "Zij-instromer uit de zorg, nu installatiemonteur: zonnepanelen, warmtepompen, "
        "groepenkasten.",
        "Installatietechniek, duurzame energie",
        ["PIE"],
        ["tu", "th"],
        4,
        "Almelo",
    ),
    (
        "joost",
        "company5",
        "Joost Brink",
        "employee",
        "Timmerman en uitvoerder in de woningbouw; BIM-tekeningen lezen.",
        "Bouwtechniek",
        ["BWI"],
        ["we"],
        4,
        "Borne",
    ),
    (
        "lotte",
        "company8",
        "Lotte Bakker",
        "employee",
        "APK-keurmeester, elektrische en hybride auto's.",
        "Motorvoertuigentechniek",
        ["M&T"],
        ["mo", "fr"],
        4,
        "Oldenzaal",
    ),
    (
        "peter",
        "company4",
        "Peter Mensink",
        "technician",
        "Elektrotechnisch installateur, domotica en slimme meters.",
        "Elektrotechniek",
        ["PIE"],
        ["mo", "fr"],
        6,
        "Hengelo",
    ),
]

SELF_REGISTRATIONS = [
    # name, kind, expertise, profiles, weekdays, hours, town, company key to link (or None)
    (
        "Henk Lammers",
        "technician",
        "Gepensioneerd onderhoudsmonteur procesindustrie; wil graag jongeren enthousiast maken.",
        ["PIE", "MaT"],
        ["mo", "tu", "we", "th"],
        10,
        "Oldenzaal",
        None,
    ),
    (
        "Nadia El Amrani",
        "career_switcher",
        "Webontwikkelaar die wil overstappen naar het onderwijs; Arduino en 3D-printen.",
        ["MVI"],
        ["we", "fr"],
        6,
        "Enschede",
        None,
    ),
    (
        "Tom Heerink",
        "career_switcher",
        "Procesoperator die het onderwijs in wil; meet- en regeltechniek.",
        ["PIE"],
        ["tu"],
        4,
        "Almelo",
        "company7",
    ),
]


def _first_member(organisation: Organisation, role: str) -> User | None:
    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.role == role)
        .order_by(Membership.id)
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def load_placements() -> dict[str, int]:
    existing = db.session.scalar(select(func.count()).select_from(Placement))
    if existing:
        return {
            "placements": existing,
            "pool": db.session.scalar(select(func.count()).select_from(Professional)),
        }
    today = service.today_local()
    year_end = SchoolYear.containing(today).last_day
    coordinator = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == "coordinator")
        .order_by(User.id)
    )

    people: dict[str, Professional] = {}
    for (
        key,
        company_key,
        name,
        kind,
        expertise,
        subjects,
        profiles,
        days,
        hours,
        town,
    ) in PROFESSIONALS:
        company = demo_organisation(company_key)
        people[key] = service.register_candidate(
            _first_member(company, "contact"),
            company=company,
            name=name,
            kind=kind,
            expertise=expertise,
            subjects=subjects,
            profiles=profiles,
            weekdays=days,
            hours_per_week=hours,
            town=town,
            region="Twente",
            consent=True,
        )
    for name, kind, expertise, profiles, days, hours, town, link in SELF_REGISTRATIONS:
        email = name.lower().replace(" ", ".") + "@example.test"
        person = service.register_candidate(
            None,
            company=None,
            name=name,
            kind=kind,
            expertise=expertise,
            profiles=profiles,
            weekdays=days,
            hours_per_week=hours,
            town=town,
            region="Twente",
            email=email,
            consent=True,
        )
        if link and coordinator is not None:
            service.approve_candidate(coordinator, person, demo_organisation(link))

    def propose(key, school_key, *, days, start, end, hours, first, last, subjects="", remarks=""):
        person = people[key]
        company = person.company
        school = demo_organisation(school_key)
        terms = service.Terms(hours, days, start, end, first, last)
        placement = service.propose(
            _first_member(company, "contact"),
            company=company,
            school=school,
            professional=person,
            terms=terms,
            subjects=subjects or person.subjects,
            profiles=person.profiles,
            remarks=remarks,
            today=min(first, today),
        )
        return placement, _first_member(school, "teacher"), _first_member(company, "contact")

    placements = []
    long_last = max(year_end, today + timedelta(weeks=20))

    # Ellen teaches at two schools: Monday and Wednesday mornings at one (ending
    # within three weeks), Tuesday afternoons proposed to the demo teacher's school.
    first = _monday(today) - timedelta(weeks=12)
    ending, teacher, _contact = propose(
        "ellen",
        "school2",
        days={"mo", "we"},
        start=time(8, 30),
        end=time(11, 30),
        hours=6,
        first=first,
        last=today + timedelta(days=17),
        subjects="PLC-besturingen",
    )
    service.accept(teacher, ending)
    placements.append(ending)

    first = _monday(today) + timedelta(weeks=3)
    proposed, _teacher, _contact = propose(
        "ellen",
        "school1",
        days={"tu"},
        start=time(13, 0),
        end=time(16, 0),
        hours=3,
        first=first,
        last=max(long_last, first + timedelta(weeks=16)),
        remarks="Ellen kan op dinsdagmiddag; ze neemt een demonstratiekast met motoren mee.",
    )
    placements.append(proposed)

    # A counter waiting for the demo company: the school prefers Fridays.
    first = _monday(today) + timedelta(weeks=2)
    countered, teacher, _contact = propose(
        "martijn",
        "school3",
        days={"th"},
        start=time(9, 0),
        end=time(12, 0),
        hours=3,
        first=first,
        last=first + timedelta(weeks=14),
    )
    service.counter(
        teacher,
        countered,
        service.Terms(3, {"fr"}, time(9, 0), time(12, 0), first, first + timedelta(weeks=14)),
        "Op donderdag zijn de werkplaatsen bezet; vrijdagochtend kan wel.",
        today=today,
    )
    placements.append(countered)

    # Running at the demo teacher's school, with one lesson cancelled and one moved.
    first = _monday(today) - timedelta(weeks=6)
    running, teacher, contact = propose(
        "rik",
        "school1",
        days={"th"},
        start=time(10, 0),
        end=time(12, 30),
        hours=3,
        first=first,
        last=long_last,
        subjects="Lassen",
    )
    service.accept(teacher, running)
    upcoming = [x for x in schedule.lessons(running) if x.date > today + timedelta(days=1)]
    try:
        if len(upcoming) > 2:
            service.cancel_lesson(
                contact,
                running,
                upcoming[1].original_date,
                "Rik is die week op montage in Duitsland.",
                today=today,
            )
            moved_to = upcoming[2].date + timedelta(days=1)
            service.move_lesson(
                teacher,
                running,
                upcoming[2].original_date,
                moved_to,
                time(9, 0),
                time(11, 30),
                "Toetsweek op donderdag.",
                today=today,
            )
    except DomainError:
        pass  # a holiday in the way: the demo does without these changes

    for key, school_key, days, start, end, hours, weeks_ago in (
        ("sanne", "school6", {"tu", "th"}, time(13, 0), time(15, 0), 4, 8),
        ("joost", "school4", {"we"}, time(8, 30), time(12, 0), 4, 10),
    ):
        first = _monday(today) - timedelta(weeks=weeks_ago)
        placement, teacher, _contact = propose(
            key,
            school_key,
            days=days,
            start=start,
            end=end,
            hours=hours,
            first=first,
            last=long_last,
        )
        service.accept(teacher, placement)
        placements.append(placement)
    placements.append(running)

    first = _monday(today) + timedelta(weeks=4)
    declined, teacher, _contact = propose(
        "lotte",
        "school9",
        days={"mo"},
        start=time(9, 0),
        end=time(11, 0),
        hours=2,
        first=first,
        last=first + timedelta(weeks=10),
    )
    service.decline(teacher, declined, "Wij hebben nog geen profiel Mobiliteit en transport.")
    placements.append(declined)

    first = _monday(today) + timedelta(weeks=3)
    other, _teacher, _contact = propose(
        "peter",
        "school5",
        days={"mo", "fr"},
        start=time(13, 0),
        end=time(15, 0),
        hours=4,
        first=first,
        last=first + timedelta(weeks=12),
    )
    placements.append(other)

    db.session.flush()
    return {
        "placements": db.session.scalar(select(func.count()).select_from(Placement)),
        "pool": db.session.scalar(select(func.count()).select_from(Professional)),
    }
