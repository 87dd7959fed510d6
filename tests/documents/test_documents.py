"""Each document prints for the people it belongs to, in Dutch or English,
as a tagged A4 PDF with page numbers; the report has a table of contents and
an outline; another organisation's document does not exist (404)."""

from __future__ import annotations

import pytest

from app.school_year import SchoolYear
from tests import factories
from tests.apps import login
from tests.documents import pdf
from tests.evaluations import builders
from tests.insights import dataset

A4 = (595, 842)  # points


@pytest.fixture
def parties(db, teacher, contact):
    school, company = teacher.organisations()[0], contact.organisations()[0]
    activity = factories.activity(company, contact_id=contact.id, title="Zonnepanelen leggen")
    done = builders.booking(builders.past_slot(activity), school, size=22, teacher=teacher)
    builders.evaluation(done, "school", attended=19)
    coming = builders.booking(
        factories.slot(activity), school, size=15, status="confirmed", teacher=teacher
    )
    asked = builders.booking(factories.slot(activity, days_ahead=40), school, status="requested")
    db.session.commit()
    return {"school": school, "company": company, "done": done, "coming": coming, "asked": asked}


def assert_a4_tagged(reader, lang: str):
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_the_school_prints_confirmation_and_certificate(app, parties, teacher_client):
    confirmation = teacher_client.get(f"/bookings/{parties['coming'].id}/confirmation.pdf")
    assert confirmation.status_code == 200
    assert confirmation.headers["Cache-Control"] == "private, no-store"
    reader = pdf.read(confirmation.get_data())
    assert_a4_tagged(reader, "nl")
    text = pdf.text(reader)
    assert "Zonnepanelen leggen" in text and parties["school"].name in text
    assert "1 / 1" in text  # page numbers in the footer

    certificate = teacher_client.get(f"/bookings/{parties['done'].id}/certificate.pdf?lang=en")
    reader = pdf.read(certificate.get_data())
    assert_a4_tagged(reader, "en")
    text = pdf.text(reader)
    assert "Certificate of participation" in text
    assert "19 students" in text  # as the school counted them, not the 22 booked


def test_the_company_prints_them_too(app, parties, contact_client):
    assert (
        contact_client.get(f"/bookings/{parties['coming'].id}/confirmation.pdf").status_code == 200
    )
    assert contact_client.get(f"/bookings/{parties['done'].id}/certificate.pdf").status_code == 200


def test_a_document_exists_only_when_its_booking_allows(app, parties, teacher_client):
    # Asked but not confirmed: nothing to confirm; not yet done: nothing to certify.
    assert (
        teacher_client.get(f"/bookings/{parties['asked'].id}/confirmation.pdf").status_code == 404
    )
    assert (
        teacher_client.get(f"/bookings/{parties['coming'].id}/certificate.pdf").status_code == 404
    )


def test_another_organisations_documents_give_404(app, parties):
    other_teacher = factories.user(factories.school(), "teacher")
    other_contact = factories.user(factories.company(), "contact")
    for person in (other_teacher, other_contact):
        client = login(app.test_client(), person)
        for path in (
            f"/bookings/{parties['coming'].id}/confirmation.pdf",
            f"/bookings/{parties['done'].id}/certificate.pdf",
            f"/schools/{parties['school'].id}/programme.pdf",
            "/insights/report.pdf",
            "/bookings/999999/confirmation.pdf",
        ):
            assert client.get(path).status_code == 404, (person.email, path)
    # A company is no school: it has no programme.
    company_member = login(app.test_client(), other_contact)
    assert (
        company_member.get(
            f"/schools/{other_contact.organisations()[0].id}/programme.pdf"
        ).status_code
        == 404
    )
    assert (
        app.test_client().get(f"/bookings/{parties['coming'].id}/confirmation.pdf").status_code
        == 302
    )  # sign in


def test_the_school_programme_lists_the_year(app, parties, teacher_client):
    from app.insights.filters import SchoolYear
    from app.timeutil import to_local

    year = SchoolYear.containing(to_local(parties["coming"].slot.starts_at).date())
    response = teacher_client.get(
        f"/schools/{parties['school'].id}/programme.pdf?school_year={year.start}&lang=en"
    )
    assert response.status_code == 200
    text = pdf.text(pdf.read(response.get_data()))
    expected = [
        b
        for b in (parties["done"], parties["coming"], parties["asked"])
        if SchoolYear.containing(to_local(b.slot.starts_at).date()) == year
    ]
    assert f"{len(expected)} activit" in text
    assert text.count("Zonnepanelen leggen") == len(expected)


def test_the_annual_report_has_contents_outline_and_figures(app, db, coordinator_client):
    from app.insights import service
    from app.insights.filters import Filters, Scope

    region = dataset.build()
    school_year = region["school_year"]
    response = coordinator_client.get(
        f"/insights/report.pdf?school_year={school_year.start}&lang=en"
    )
    assert response.status_code == 200
    reader = pdf.read(response.get_data())
    assert_a4_tagged(reader, "en")
    assert len(reader.pages) >= 8
    titles = pdf.outline_titles(reader)
    for title in (
        "Contents",
        "Summary",
        "Reach",
        "Coverage",
        "Evaluations",
        "Appendix: schools",
        "Appendix: companies",
        "Students by profile",
    ):
        assert title in titles, title
    contents_page = next(p for p in reader.pages if "Contents" in (p.extract_text() or ""))
    assert "Appendix: schools" in contents_page.extract_text()
    reach = service.reach(Scope.region(), school_year, Filters())
    summary = reader.pages[2].extract_text()
    assert f"Students {reach.current.students:,} {reach.previous.students:,}" in summary


def test_the_annual_report_states_coverage_in_pupils_with_its_method(
    app, db, coordinator_client, coordinator
):
    from sqlalchemy import select

    from app.accounts.models import Organisation
    from app.enrolment import service as enrolment
    from app.insights import service
    from app.insights.filters import Scope
    from app.insights.models import ReachFact

    region = dataset.build()
    school_year = region["school_year"]
    # The school and cell of a group that took part get pupil numbers.
    fact = db.session.scalars(
        select(ReachFact)
        .where(ReachFact.school_year == school_year.start, ReachFact.year.in_(["3", "4"]))
        .order_by(ReachFact.id)
    ).first()
    school = db.session.get(Organisation, fact.school_id)
    cell = (fact.year, fact.path, fact.profile or "")
    enrolment.set_enrolment(coordinator, school, school_year, {cell: 400})
    db.session.commit()
    total = service.pupil_coverage(Scope.region(), school_year).total
    assert total.enrolled == 400 and total.groups > 0

    response = coordinator_client.get(
        f"/insights/report.pdf?school_year={school_year.start}&lang=en"
    )
    reader = pdf.read(response.get_data())
    assert "Pupils who met technology" in pdf.outline_titles(reader)
    words = pdf.squeezed(pdf.text(reader))
    assert pdf.squeezed(f"of {total.enrolled} pupils. The aim: every pupil.") in words
    assert pdf.squeezed(f"{total.at_least} to {total.at_most}") in words
    assert pdf.squeezed("at least the largest group that took part") in words
    links = [
        a["/A"]["/URI"]
        for page in reader.pages
        for a in (annot.get_object() for annot in page.get("/Annots", []))
        if "/A" in a and "/URI" in a["/A"]
    ]
    assert any(f"/insights/bookings?school_year={school_year.start}" in u for u in links)


def test_the_annual_report_names_each_schools_modules_without_a_company(
    app, db, coordinator_client
):
    from app.curriculum.service import load_reference, set_offer, set_tags

    load_reference()
    school = factories.school(name="Vakcollege Gaten", status="approved")
    set_offer(school, SchoolYear.current(), {"profile": ["MVI"], "keuzevak": ["1505"]})
    activity = factories.activity(factories.company())
    set_tags(activity.id, {"module": ["MVI-3"]})
    slot = builders.past_slot(activity, starts_at=builders.local(SchoolYear.current().start, 10, 8))
    builders.booking(slot, school)
    db.session.commit()
    response = coordinator_client.get(
        f"/insights/report.pdf?school_year={SchoolYear.current().start}&lang=en"
    )
    words = pdf.squeezed(pdf.text(pdf.read(response.get_data())))
    row = words.split(pdf.squeezed("Vakcollege Gaten"), 1)[1][:60]
    assert row.startswith(pdf.squeezed("MVI-1, MVI-2, MVI-4, 1505")), row
