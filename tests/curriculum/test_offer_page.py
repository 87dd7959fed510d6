"""A school location's offer page: its administrators set the profiles and
keuzevakken per school year, its teachers read them, others see nothing."""

from __future__ import annotations

from app.curriculum import service as curriculum
from app.school_year import SchoolYear
from tests import factories
from tests.apps import login


def test_an_administrator_sets_the_offer_per_year_and_a_teacher_reads_it(app, db, world):
    administrator = factories.user(world.school, "administrator")
    db.session.commit()
    admin = login(app.test_client(), administrator)
    year = SchoolYear.current()
    path = f"/schools/{world.school.id}/offer"

    page = admin.get(path).get_data(as_text=True)
    assert 'name="keuzevakken" value="PIE-K01"' in page
    response = admin.post(
        path,
        data={"year": year.start + 1, "profiles": ["PIE", "Groen"], "keuzevakken": ["PIE-K01"]},
    )
    assert response.status_code == 303
    assert f"year={year.start + 1}" in response.location
    assert curriculum.offer_of(world.school.id, year.start + 1) == {
        "profile": {"PIE", "Groen"},
        "keuzevak": {"PIE-K01"},
    }
    assert curriculum.offer_of(world.school.id, year) == {"profile": set(), "keuzevak": set()}

    teacher = login(app.test_client(), world.teacher)
    read = teacher.get(path, query_string={"year": year.start + 1}).get_data(as_text=True)
    assert "PIE-K01 Duurzame energie" in read and 'type="checkbox"' not in read
    assert teacher.post(path, data={"year": year.start, "profiles": ["BWI"]}).status_code == 403
    other = login(app.test_client(), world.other_teacher)
    assert other.get(path).status_code == 404
    assert (
        login(app.test_client(), world.contact)
        .get(f"/schools/{world.company.id}/offer")
        .status_code
        == 404
    )


def test_an_unknown_keuzevak_is_a_field_error(app, db, world):
    administrator = factories.user(world.school, "administrator")
    db.session.commit()
    admin = login(app.test_client(), administrator)
    response = admin.post(
        f"/schools/{world.school.id}/offer",
        data={"profiles": ["PIE"], "keuzevakken": ["PIE-K01", "NOPE"]},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<small class="field-error" id="keuzevakken-error">Onbekende code: NOPE.</small>' in page
    assert curriculum.offer_of(world.school.id, SchoolYear.current())["profile"] == set()
    # The school's page links to its offer.
    school_page = admin.get(f"/organisations/{world.school.id}").get_data(as_text=True)
    assert f'href="/schools/{world.school.id}/offer" id="school-offer"' in school_page
