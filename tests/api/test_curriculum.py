"""The curriculum in the API: tags on activities (in, out and as filters), the
reference entries, and a school location's offer (tests on both databases)."""

from __future__ import annotations

from app.curriculum import service as curriculum
from app.school_year import SchoolYear
from tests import factories
from tests.api.helpers import Api, api_as, error_of, invalid_fields

NEW = {"kind": "workshop", "title": "Zonnepanelen", "years": ["3"], "paths": ["KB"]}


def test_the_reference_entries_are_public_with_their_sources(world):
    body = world.anonymous.get("/curriculum").get_json()
    by_key = {(item["kind"], item["code"]): item for item in body["items"]}
    assert by_key[("module", "BWI-2")]["paths"] == ["BB", "KB"]
    assert by_key[("module", "PIE-3")]["verified"] is False
    assert by_key[("competence", "netwerken")]["question"] == "Wie kan mij helpen?"
    kinds = world.anonymous.get("/curriculum", query_string={"kind": "skill"}).get_json()
    assert {item["kind"] for item in kinds["items"]} == {"skill"}

    curriculum.retire_entry(curriculum.entry_named("keuzevak", "1505"))
    current = world.anonymous.get("/curriculum").get_json()["items"]
    assert ("keuzevak", "1505") not in {(i["kind"], i["code"]) for i in current}
    every = world.anonymous.get("/curriculum", query_string={"retired": "true"}).get_json()
    assert any(i["code"] == "1505" and i["retired"] for i in every["items"])


def test_an_activity_is_created_and_patched_with_tags_that_come_back_named(world):
    response = world.as_contact.post(
        "/activities", json={**NEW, "tags": {"module": ["PIE-3"], "skill": ["samenwerken"]}}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["tags"]["module"] == [{"code": "PIE-3", "name": "Besturen en automatiseren"}]
    assert body["tags"]["skill"][0]["code"] == "samenwerken"
    assert body["tags"]["keuzevak"] == [] and body["tags"]["competence"] == []

    patched = world.as_contact.patch(
        f"/activities/{body['id']}", json={"tags": {"keuzevak": ["PIE-K01"]}}
    ).get_json()
    assert [t["code"] for t in patched["tags"]["keuzevak"]] == ["PIE-K01"]
    assert [t["code"] for t in patched["tags"]["module"]] == ["PIE-3"]


def test_unknown_and_malformed_codes_are_422_and_change_nothing(world):
    curriculum.set_tags(world.activity.id, {"module": ["PIE-1"]})
    unknown = world.as_contact.patch(
        f"/activities/{world.activity.id}", json={"tags": {"module": ["PIE-99"]}}
    )
    assert invalid_fields(unknown) == {"module"}
    assert "PIE-99" in error_of(unknown, 422)["message"]
    malformed = world.as_contact.patch(
        f"/activities/{world.activity.id}", json={"tags": {"skill": ["<b>"]}}
    )
    assert invalid_fields(malformed) == {"tags.skill.0"}
    extra = world.as_contact.patch(
        f"/activities/{world.activity.id}", json={"tags": {"colour": ["red"]}}
    )
    assert invalid_fields(extra) == {"tags.colour"}
    assert curriculum.tags_of(world.activity.id) == {"module": ["PIE-1"]}


def test_the_activity_list_filters_on_tags_and_returns_them(world, db):
    other = factories.activity(world.company, title="Robotarm")
    factories.slot(other)
    curriculum.set_tags(world.activity.id, {"module": ["PIE-3"]})
    curriculum.set_tags(other.id, {"keuzevak": ["D&P-K-ROB"], "competence": ["netwerken"]})
    db.session.commit()

    def ids(**query):
        response = world.anonymous.get("/activities", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids(module="PIE-3") == [world.activity.id]
    assert ids(keuzevak="D&P-K-ROB") == [other.id]
    assert ids(competence="netwerken", module="PIE-3") == []
    assert ids(skill="samenwerken") == []
    items = world.anonymous.get("/activities").get_json()["items"]
    tags = {item["id"]: item["tags"] for item in items}
    assert tags[other.id]["competence"] == [{"code": "netwerken", "name": "Netwerken"}]
    assert tags[world.activity.id]["module"][0]["code"] == "PIE-3"
    bad = world.anonymous.get("/activities", query_string={"module": "no spaces"})
    assert invalid_fields(bad) == {"module.0"}


def put(api: Api, path: str, json):
    return api._call("PUT", path, json=json)


def test_a_school_s_administrator_sets_its_offer_and_its_people_read_it(app, db, world):
    administrator = factories.user(world.school, "administrator")
    as_administrator = api_as(app, db, administrator)
    year = SchoolYear.current().start
    path = f"/schools/{world.school.id}/offer"

    response = put(
        as_administrator,
        path,
        {"school_year": year, "profiles": ["PIE", "Z&W"], "keuzevakken": ["PIE-K01", "1505"]},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "location_id": world.school.id,
        "school_year": year,
        "profiles": ["PIE", "Z&W"],
        # In reading order: by profile (PIE before MVI), then code.
        "keuzevakken": ["PIE-K01", "1505"],
    }
    assert world.as_teacher.get(path).get_json()["keuzevakken"] == ["PIE-K01", "1505"]
    assert world.as_coordinator.get(path).get_json()["profiles"] == ["PIE", "Z&W"]
    assert (
        world.as_teacher.get(path, query_string={"school_year": year - 1}).get_json()["profiles"]
        == []
    )

    error_of(put(world.as_teacher, path, {"school_year": year, "profiles": []}), 403)
    error_of(world.as_other_teacher.get(path), 404, "not_found")
    error_of(world.as_contact.get(f"/schools/{world.company.id}/offer"), 404)
    assert invalid_fields(
        put(as_administrator, path, {"school_year": year, "keuzevakken": ["X-9"]})
    )
    assert invalid_fields(
        put(as_administrator, path, {"school_year": year, "profiles": ["XYZ"]})
    ) == {"profiles.0"}
    assert curriculum.offer_of(world.school.id, year)["profile"] == {"PIE", "Z&W"}


def test_the_openapi_document_shows_the_tag_filters_tags_and_offers(world):
    spec = world.anonymous.get("/openapi.json").get_json()
    listing = spec["paths"]["/activities"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"module", "keuzevak", "skill", "competence"} <= names
    schemas = spec["components"]["schemas"]
    assert set(schemas["TagsOut"]["properties"]) == {"module", "keuzevak", "skill", "competence"}
    assert "tags" in schemas["ActivityListItem"]["properties"]
    assert {"get", "put"} <= set(spec["paths"]["/schools/{location_id}/offer"])
    assert "get" in spec["paths"]["/curriculum"]
