"""The school's pupil numbers page and the coordinators' import page: the
numbers saved, wrong boxes named, other schools' numbers not found, and the
import previewed before anything changes."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from app.enrolment import service
from app.enrolment.models import Enrolment
from app.school_year import SchoolYear
from tests import factories
from tests.apps import login
from tests.pages import field_errors

SAMPLE = Path(__file__).parents[2] / "fixtures" / "duo_leerlingen_vo_per_vestiging.csv"


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment))


def test_the_school_enters_its_numbers(db, teacher_client, teacher):
    school = teacher.organisations()[0]
    school.profiles = frozenset({"PIE"})
    db.session.commit()
    year = SchoolYear.current()
    url = f"/schools/{school.id}/enrolment?school_year={year.start}"
    page = teacher_client.get(url).get_data(as_text=True)
    assert 'name="n-3-KB-PIE"' in page and 'name="n-1-BB-none"' in page
    assert 'name="n-3-KB-BWI"' not in page  # the profiles the school offers
    saved = teacher_client.post(
        url, data={"n-1-BB-none": "24", "n-3-KB-PIE": "18", "n-4-TL-none": ""}
    )
    assert saved.status_code == 303
    assert service.enrolment_of(school.id, year) == {("1", "BB", ""): 24, ("3", "KB", "PIE"): 18}
    assert 'value="18"' in teacher_client.get(url).get_data(as_text=True)


def test_wrong_numbers_are_named_and_nothing_is_saved(db, teacher_client, teacher):
    school = teacher.organisations()[0]
    url = f"/schools/{school.id}/enrolment"
    answer = teacher_client.post(
        url, data={"n-1-BB-none": "-2", "n-2-KB-none": "9999", "n-1-GL-none": "12"}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert field_errors(page, "n-1-BB-none") and field_errors(page, "n-2-KB-none")
    assert 'value="12"' in page  # what was typed stays
    assert count(db) == 0


def test_another_schools_numbers_do_not_exist(db, app, client, teacher, contact):
    other = factories.school()
    login(client, teacher)
    assert client.get(f"/schools/{other.id}/enrolment").status_code == 404
    assert (
        client.post(f"/schools/{other.id}/enrolment", data={"n-1-BB-none": "3"}).status_code == 404
    )
    client = login(app.test_client(), contact)
    assert client.get(f"/schools/{teacher.organisations()[0].id}/enrolment").status_code == 404
    assert count(db) == 0


def test_the_coordinator_previews_then_imports(db, app, coordinator, teacher):
    kolk = factories.school(name="Vakcollege De Kolk", brin="20AA", location_number="00")
    client = login(app.test_client(), coordinator)
    year = SchoolYear.current()
    preview = client.post(
        "/enrolment/import",
        data={
            "school_year": str(year.start),
            "action": "preview",
            "file": (io.BytesIO(SAMPLE.read_bytes()), "duo.csv"),
        },
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert f'id="preview-{kolk.id}"' in page and 'value="import"' in page
    assert count(db) == 0
    content = page.split('name="content" type="hidden" value="')[1].split('"')[0]
    done = client.post(
        "/enrolment/import",
        data={"school_year": str(year.start), "action": "import", "content": content},
    )
    assert done.status_code == 303
    assert sum(service.enrolment_of(kolk.id, year).values()) > 0


def test_a_bad_file_shows_its_problems_and_offers_no_import(db, app, coordinator):
    client = login(app.test_client(), coordinator)
    bad = b"BRIN NUMMER;VESTIGINGSNUMMER\n20AA;00\n"
    answer = client.post(
        "/enrolment/import",
        data={
            "action": "preview",
            "file": (io.BytesIO(bad), "duo.csv"),
            "school_year": str(SchoolYear.current().start),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="problems"' in page and "AFDELING" in page and 'value="import"' not in page


def test_only_coordinators_import(db, teacher_client):
    assert teacher_client.get("/enrolment/import").status_code == 404
