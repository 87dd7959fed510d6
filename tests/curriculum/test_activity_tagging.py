"""A company tags its activity on the activity form; the activity page shows the
tags by name; the catalogue filters on them (tests on both databases)."""

from __future__ import annotations

import re

import pytest

from app.curriculum import service as curriculum
from tests import factories
from tests.apps import login
from tests.catalogue.helpers import result_ids
from tests.catalogue.test_company_pages import activity_form
from tests.pages import dutch, field_errors


@pytest.fixture
def company_client(app, world):
    return login(app.test_client(), world.contact)


def options_of(page: str, select_id: str) -> list[str]:
    select = page.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r'<option[^>]*value="([^"]+)"', select)


def optgroups_of(page: str, select_id: str) -> list[str]:
    select = page.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r'<optgroup label="([^"]+)"', select)


def test_a_company_tags_a_new_activity_and_the_page_names_the_tags(company_client, world):
    response = company_client.post(
        f"/companies/{world.company.id}/activities/new",
        data=activity_form(
            module=["PIE-3", "MVI-3"],
            keuzevak=["PIE-K01"],
            skill=["samenwerken", "probleemoplossen"],
            competence=["werkexploratie"],
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    activity_id = int(re.search(r"/activities/(\d+)/", response.location).group(1))
    # Another profile's module (MVI-3 for a PIE activity) is allowed.
    assert curriculum.tags_of(activity_id) == {
        "competence": ["werkexploratie"],
        "keuzevak": ["PIE-K01"],
        "module": ["MVI-3", "PIE-3"],
        "skill": ["probleemoplossen", "samenwerken"],
    }

    page = company_client.get(f"/activities/{activity_id}").get_data(as_text=True)
    section = page.split('id="curriculum"')[1].split("</section>")[0]
    assert "PIE-3 Besturen en automatiseren" in section
    assert "PIE-K01 Duurzame energie" in section
    assert "Samenwerken" in section
    assert "Werkexploratie" in section and "(Waar pas ik?)" in section
    # Modules come before skills, skills before competences.
    assert section.index("PIE-3") < section.index("Samenwerken") < section.index("Werkexploratie")


def test_an_unknown_code_is_a_field_error_and_nothing_is_saved(company_client, world, db):
    from sqlalchemy import func, select

    from app.catalogue.models import Activity

    before = db.session.scalar(select(func.count()).select_from(Activity))
    response = company_client.post(
        f"/companies/{world.company.id}/activities/new",
        data=activity_form(module=["PIE-3", "PIE-99"]),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(page, "module") == ["Onbekende code: PIE-99."]
    assert db.session.scalar(select(func.count()).select_from(Activity)) == before


def test_editing_keeps_and_replaces_the_tags_and_suggests_the_profiles_modules(
    company_client, world
):
    curriculum.set_tags(world.activity.id, {"module": ["BWI-1"], "skill": ["communiceren"]})
    page = company_client.get(f"/activities/{world.activity.id}/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="BWI-1"|<option value="BWI-1" selected', page)
    # The world's activity is for PIE and BWI: their modules come first, as suggestions.
    groups = optgroups_of(page, "module")
    assert groups[0] == dutch("Suggested for the chosen profiles")
    suggested = options_of(page, "module")[:8]
    assert set(suggested) == {
        "BWI-1",
        "BWI-2",
        "BWI-3",
        "BWI-4",
        "PIE-1",
        "PIE-2",
        "PIE-3",
        "PIE-4",
    }

    response = company_client.post(
        f"/activities/{world.activity.id}/edit",
        data=activity_form(profiles=["MVI"], module=["MVI-1"], skill=[]),
    )
    assert response.status_code == 302
    assert curriculum.tags_of(world.activity.id) == {"module": ["MVI-1"]}


def test_the_options_follow_the_ticked_profiles(company_client, world):
    """What htmx asks for when the profiles change (and, without JavaScript,
    what the form shows after saving)."""
    response = company_client.get(
        f"/companies/{world.company.id}/activities/tag-options",
        query_string={"profiles": ["MVI"], "module": ["PIE-2"]},
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<fieldset id="tag-options"')
    assert options_of(page, "module")[:4] == ["MVI-1", "MVI-2", "MVI-3", "MVI-4"]
    assert re.search(r'<option selected value="PIE-2"|<option value="PIE-2" selected', page)
    assert options_of(page, "keuzevak")[0] == "1505"

    other = login(company_client.application.test_client(), world.other_contact)
    assert other.get(f"/companies/{world.company.id}/activities/tag-options").status_code == 404


def test_the_catalogue_filters_on_each_dimension_with_chips(app, world):
    keuzevak = factories.activity(world.company, title="Zonnepanelen leggen")
    slot = factories.slot(keuzevak)
    curriculum.set_tags(keuzevak.id, {"keuzevak": ["PIE-K01"], "competence": ["netwerken"]})
    curriculum.set_tags(world.activity.id, {"module": ["PIE-3"], "skill": ["samenwerken"]})
    from app.extensions import db

    db.session.commit()
    client = login(app.test_client(), world.teacher)

    def listed(**args):
        response = client.get("/catalogue", query_string=args)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert result_ids(listed(keuzevak="PIE-K01")) == [slot.id]
    assert result_ids(listed(module="PIE-3")) == [world.slot.id]
    assert result_ids(listed(skill="samenwerken")) == [world.slot.id]
    assert result_ids(listed(competence="netwerken")) == [slot.id]
    assert result_ids(listed(module="PIE-3", keuzevak="PIE-K01")) == []
    assert set(result_ids(listed(keuzevak=["PIE-K01", "1505"]))) == {slot.id}
    # An unknown or nonsense code matches nothing and breaks nothing.
    assert result_ids(listed(module="NOPE-1")) == []
    assert listed(module="<script>") and result_ids(listed(module="<script>")) != []

    page = listed(keuzevak="PIE-K01")
    chips = page.split('class="chips"')[1].split("</ul>")[0]
    assert 'data-filter="keuzevak"' in chips and "PIE-K01 Duurzame energie" in chips
    form = page.split('class="catalogue-filters"')[1].split("</form>")[0]
    assert re.search(r'<option value="PIE-K01" selected>', form)
    assert 'name="competence" value="netwerken"' in form
