"""/api/v1/activities: the public list, one activity, and a company's own offers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.catalogue.models import Activity
from app.events.models import EventLogEntry
from app.timeutil import utcnow
from tests import factories
from tests.api.helpers import api_as, error_of, invalid_fields
from tests.queries import QueryCounter

NEW = {
    "kind": "workshop",
    "title": "Solderen voor beginners",
    "years": ["1", "2"],
    "paths": ["BB", "KB"],
}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


# --- the public list ------------------------------------------------------------------


def test_lists_published_activities_of_approved_companies_without_a_token(world, db):
    draft = factories.activity(world.company, status="draft")
    archived = factories.activity(world.company, status="archived")
    pending = factories.activity(factories.company(status="pending"))
    for hidden in (draft, archived, pending):
        factories.slot(hidden)
    db.session.commit()

    response = world.anonymous.get("/activities")

    assert ids(response) == [world.activity.id]
    body = response.get_json()
    assert body["page"] == 1 and body["has_next"] is False
    [item] = body["items"]
    assert item["title"] == "Draaien en frezen"
    assert item["company"] == {"id": world.company.id, "name": "Draaierij Delden"}
    assert item["years"] == ["1", "2", "3", "4"]
    assert item["profiles"] == ["BWI", "PIE"]


def test_each_activity_sums_up_its_upcoming_open_slots(world, db):
    soon = factories.slot(world.activity, days_ahead=10, capacity=25, taken=5)
    factories.slot(world.activity, days_ahead=40, capacity=30, taken=30)
    factories.slot(world.activity, days_ahead=5, status="cancelled")
    factories.slot(world.activity, days_ahead=-3)
    db.session.commit()

    [item] = world.anonymous.get("/activities").get_json()["items"]

    assert item["next_starts_at"] == soon.starts_at.isoformat() + "Z"
    assert item["open_slots"] == 3  # world.slot, soon, the full one
    assert item["max_free_places"] == 30  # world.slot is still empty
    assert item["distance_km"] is None


def test_activities_without_upcoming_slots_are_listed_last(world, db):
    dateless = factories.activity(world.company)
    later = factories.activity(world.other_company)
    factories.slot(later, days_ahead=60)
    db.session.commit()

    assert ids(world.anonymous.get("/activities")) == [world.activity.id, later.id, dateless.id]
    [item] = [
        i for i in world.anonymous.get("/activities").get_json()["items"] if i["id"] == dateless.id
    ]
    assert item["next_starts_at"] is None and item["open_slots"] == 0
    assert item["max_free_places"] is None


def test_filters_on_the_activity(world, db):
    lesson = factories.activity(
        world.other_company,
        kind="guest_lesson",
        years=frozenset({"1"}),
        paths=frozenset({"TL"}),
        profiles=frozenset(),
        sectors=frozenset({"ict"}),
        title="Programmeren met Python",
    )
    factories.slot(lesson)
    db.session.commit()
    anonymous = world.anonymous

    assert ids(anonymous.get("/activities?kind=guest_lesson")) == [lesson.id]
    assert ids(anonymous.get("/activities?kind=guest_lesson&kind=company_visit")) == sorted(
        [world.activity.id, lesson.id]
    )
    assert ids(anonymous.get("/activities?year=4")) == [world.activity.id]
    assert ids(anonymous.get("/activities?path=TL")) == [world.activity.id, lesson.id]
    assert ids(anonymous.get("/activities?path=BB&path=KB")) == [world.activity.id]
    assert ids(anonymous.get("/activities?sector=ict")) == [lesson.id]
    # A profile-neutral activity suits every profile.
    assert ids(anonymous.get("/activities?profile=MVI")) == [lesson.id]
    assert ids(anonymous.get("/activities?profile=PIE")) == [world.activity.id, lesson.id]
    assert ids(anonymous.get("/activities?q=python")) == [lesson.id]
    assert ids(anonymous.get("/activities?q=delden")) == [world.activity.id]
    assert ids(anonymous.get("/activities?q=50%25")) == []


def test_period_and_free_places_filter_on_the_slots(world, db):
    full = factories.activity(world.other_company)
    full_slot = factories.slot(full, days_ahead=30, capacity=10, taken=10)
    db.session.commit()
    anonymous = world.anonymous
    world_day = world.slot.starts_at.date()

    assert ids(anonymous.get("/activities?free=true")) == [world.activity.id]
    assert ids(anonymous.get(f"/activities?date_from={world_day + timedelta(days=1)}")) == [full.id]
    assert ids(anonymous.get(f"/activities?date_to={world_day}")) == [world.activity.id]
    [item] = anonymous.get(
        f"/activities?date_from={full_slot.starts_at.date()}&date_to={full_slot.starts_at.date()}"
    ).get_json()["items"]
    assert item["id"] == full.id and item["max_free_places"] == 0
    # Empty values are left out, as an untouched form field.
    assert ids(anonymous.get("/activities?date_from=&q=&kind=")) == [world.activity.id, full.id]


def test_distance_needs_an_origin_and_sorts_by_it(world, db):
    # world.company is in Enschede (factory default); this one in Amsterdam.
    far = factories.activity(factories.company(latitude=52.37, longitude=4.89))
    online = factories.activity(world.other_company, venue="online", latitude=None, longitude=None)
    factories.slot(online, days_ahead=5)
    factories.slot(far, days_ahead=6)
    db.session.commit()
    hengelo = "lat=52.2658&lon=6.7931"

    response = world.anonymous.get(f"/activities?{hengelo}&sort=distance")

    assert ids(response) == [online.id, world.activity.id, far.id]
    distances = [i["distance_km"] for i in response.get_json()["items"]]
    assert distances[0] == 0
    assert 5 < distances[1] < 12
    assert 120 < distances[2] < 150
    # Sorted by date again: the online one has the earlier slot.
    assert ids(world.anonymous.get(f"/activities?{hengelo}&max_km=25")) == [
        online.id,
        world.activity.id,
    ]


def test_pagination(world, db):
    extra = [factories.activity(world.company) for _ in range(4)]
    for n, activity in enumerate(extra):
        factories.slot(activity, days_ahead=30 + n)
    db.session.commit()

    first = world.anonymous.get("/activities?per_page=2").get_json()
    last = world.anonymous.get("/activities?per_page=2&page=3").get_json()

    assert [i["id"] for i in first["items"]] == [world.activity.id, extra[0].id]
    assert first["has_next"] is True
    assert [i["id"] for i in last["items"]] == [extra[3].id]
    assert last["has_next"] is False and last["page"] == 3


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=bogus", "kind.0"),
        ("year=5", "year.0"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("date_from=0001-01-01", "date_from"),
        ("date_from=gisteren", "date_from"),
        ("date_from=2030-03-02&date_to=2030-03-01", "date_to"),
        ("sort=distance", "sort"),
        ("sort=price", "sort"),
        ("lat=52.2", "lon"),
        ("lat=100&lon=6", "lat"),
        ("lat=nan&lon=6", "lat"),
        ("max_km=10", "max_km"),
        ("lat=52&lon=6&max_km=-1", "max_km"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_nonsense_filters_are_422_with_the_field(world, query, field):
    response = world.anonymous.get(f"/activities?{query}")
    error = error_of(response, 422, "invalid")
    assert field in {d["field"] for d in error["details"]}


def test_the_list_costs_the_same_number_of_queries_for_any_page_size(app, world, db):
    def statements_for(path: str) -> int:
        with QueryCounter(db.engine) as counter:
            assert world.anonymous.get(path).status_code == 200
        return counter.count

    paths = (
        "/activities?per_page=50",
        "/activities?per_page=50&free=true",
        "/activities?per_page=50&lat=52.2&lon=6.8&sort=distance",
    )
    one = [statements_for(path) for path in paths]
    for n in range(30):
        activity = factories.activity(factories.company() if n % 3 else world.company)
        for days in (10, 20, 30):
            factories.slot(activity, days_ahead=days + n)
    db.session.commit()
    db.session.expunge_all()  # nothing already loaded may hide a lazy load

    many = [statements_for(path) for path in paths]

    assert len(world.anonymous.get("/activities?per_page=50").get_json()["items"]) == 31
    assert many == one
    # First the offer's index (built for each request here: a test that rolls
    # back has no version row to keep it by). The page's ids, then those
    # activities with their slots summed up; past the dated activities, those
    # without dates. Nearest first, a page of 50 that these few activities
    # never fill: the online ones, the 51 nearest (all of them), those without
    # a place, then the summaries. Last, the page's curriculum tags in one
    # query (their names in one more when any).
    assert one == [1 + 3 + 1, 1 + 2 + 1, 1 + 1 + 1 + 1 + 1 + 1]


# --- one activity ---------------------------------------------------------------------


def test_a_published_activity_shows_its_upcoming_open_slots(world, db):
    later = factories.slot(world.activity, days_ahead=30)
    factories.slot(world.activity, days_ahead=25, status="cancelled", cancel_reason="Ziek")
    factories.slot(world.activity, days_ahead=-5)
    db.session.commit()

    response = world.anonymous.get(f"/activities/{world.activity.id}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "published"
    assert body["contact_name"] == "Contact Een"
    assert "053-1234567" not in response.get_data(as_text=True)
    assert world.contact.email not in response.get_data(as_text=True)
    assert [s["id"] for s in body["slots"]] == [world.slot.id, later.id]
    assert body["slots"][0] == {
        "id": world.slot.id,
        "starts_at": world.slot.starts_at.isoformat() + "Z",
        "ends_at": world.slot.ends_at.isoformat() + "Z",
        "capacity": 30,
        "taken": 0,
        "free_places": 30,
        "status": "open",
    }


def test_the_company_and_coordinators_also_see_cancelled_slots(world, db):
    cancelled = factories.slot(world.activity, days_ahead=25, status="cancelled")
    db.session.commit()
    for api in (world.as_contact, world.as_coordinator):
        body = api.get(f"/activities/{world.activity.id}").get_json()
        assert [s["id"] for s in body["slots"]] == [world.slot.id, cancelled.id]
    body = world.as_other_contact.get(f"/activities/{world.activity.id}").get_json()
    assert [s["id"] for s in body["slots"]] == [world.slot.id]


def test_a_draft_is_only_for_its_company_and_coordinators(world, db):
    draft = factories.activity(world.company, status="draft")
    db.session.commit()
    for api in (world.anonymous, world.as_teacher, world.as_other_contact):
        error_of(api.get(f"/activities/{draft.id}"), 404, "not_found")
    for api in (world.as_contact, world.as_coordinator):
        assert api.get(f"/activities/{draft.id}").get_json()["status"] == "draft"


def test_unknown_activity_is_a_json_404(world):
    error_of(world.anonymous.get("/activities/999999"), 404, "not_found")
    error_of(world.anonymous.get("/activities/99999999999999999999"), 404)
    error_of(world.anonymous.get("/activities/abc"), 404)


# --- creating and changing ------------------------------------------------------------


def test_a_contact_creates_a_draft_with_sensible_defaults(world, db):
    response = world.as_contact.post("/activities", json=NEW)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft"
    assert body["company"]["id"] == world.company.id
    assert body["venue"] == "company" and body["address"] == world.company.address
    assert body["sectors"] == ["metal"]  # the company's
    assert body["max_group_size"] == 30 and body["min_notice_days"] == 7
    assert body["requires_approval"] is True
    assert body["contact_id"] == world.contact.id
    assert body["slots"] == []
    stored = db.session.get(Activity, body["id"])
    assert stored.years == frozenset({"1", "2"}) and stored.paths == frozenset({"BB", "KB"})
    assert ids(world.anonymous.get("/activities")) == [world.activity.id]


def test_a_pending_company_prepares_drafts_but_cannot_publish(app, db):
    pending = factories.company(status="pending")
    api = api_as(app, db, factories.user(pending, "contact"))

    created = api.post("/activities", json=NEW)
    assert created.status_code == 201

    error_of(api.post(f"/activities/{created.get_json()['id']}/publish"), 422, "not_approved")


def test_who_may_create_activities(app, world, db):
    error_of(world.anonymous.post("/activities", json=NEW), 401, "unauthorized")
    error_of(world.as_teacher.post("/activities", json=NEW), 403, "forbidden")
    error_of(world.as_coordinator.post("/activities", json=NEW), 403, "forbidden")
    rejected = factories.user(factories.company(status="rejected"), "contact")
    error_of(api_as(app, db, rejected).post("/activities", json=NEW), 403, "forbidden")


def test_a_contact_of_two_companies_says_which(app, world, db):
    from app.accounts.models import Membership

    db.session.add(Membership(user=world.contact, organisation=world.school, role="teacher"))
    second = factories.company()
    db.session.add(Membership(user=world.contact, organisation=second, role="contact"))
    db.session.commit()

    assert invalid_fields(world.as_contact.post("/activities", json=NEW)) == {"company_id"}
    not_mine = {**NEW, "company_id": world.other_company.id}
    assert invalid_fields(world.as_contact.post("/activities", json=not_mine)) == {"company_id"}
    response = world.as_contact.post("/activities", json={**NEW, "company_id": second.id})
    assert response.status_code == 201
    assert response.get_json()["company"]["id"] == second.id


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": None}, "title"),
        ({"kind": "party"}, "kind"),
        ({"years": []}, "years"),
        ({"years": ["5"]}, "years.0"),
        ({"paths": ["VWO"]}, "paths.0"),
        ({"sectors": "metal"}, "sectors"),
        ({"max_group_size": 0}, "max_group_size"),
        ({"max_group_size": -4}, "max_group_size"),
        ({"max_group_size": "12"}, "max_group_size"),
        ({"max_group_size": 1.5}, "max_group_size"),
        ({"max_group_size": 10**12}, "max_group_size"),
        ({"min_notice_days": -1}, "min_notice_days"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"requires_approval": "yes"}, "requires_approval"),
        ({"latitude": 91}, "latitude"),
        ({"venue": "moon"}, "venue"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_activity_fields_are_422(world, change, field):
    response = world.as_contact.post("/activities", json={**NEW, **change})
    assert field in invalid_fields(response)


def test_missing_required_fields_are_named(world):
    assert invalid_fields(world.as_contact.post("/activities", json={})) == {
        "kind",
        "title",
        "years",
        "paths",
    }


def test_a_contact_person_of_another_company_is_refused(world):
    response = world.as_contact.post(
        "/activities", json={**NEW, "contact_id": world.other_contact.id}
    )
    assert invalid_fields(response) == {"contact_id"}
    response = world.as_contact.post("/activities", json={**NEW, "contact_id": 987654})
    assert invalid_fields(response) == {"contact_id"}


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '"text"', "null", ""])
def test_a_body_that_is_no_json_object_is_400(world, data):
    response = world.as_contact.post(
        "/activities", data=data, headers={"Content-Type": "application/json"}
    )
    error_of(response, 400, "invalid_json")


def test_json_is_read_without_a_content_type(world):
    import json

    response = world.as_contact.post("/activities", data=json.dumps(NEW))
    assert response.status_code == 201


def test_patch_changes_only_what_is_sent(world, db):
    response = world.as_contact.patch(
        f"/activities/{world.activity.id}",
        json={"title": "Draaien", "max_group_size": 16, "profiles": []},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["title"] == "Draaien" and body["max_group_size"] == 16
    assert body["profiles"] == [] and body["years"] == ["1", "2", "3", "4"]
    assert body["slots"][0]["id"] == world.slot.id
    changed = db.session.scalars(select(EventLogEntry.name)).all()
    assert "ActivityChanged" in changed


def test_patch_refuses_nonsense(world):
    path = f"/activities/{world.activity.id}"
    error_of(world.as_contact.patch(path, json={}), 422, "invalid")
    assert invalid_fields(world.as_contact.patch(path, json={"title": None})) == {"title"}
    assert invalid_fields(world.as_contact.patch(path, json={"company_id": 1})) == {"company_id"}
    assert invalid_fields(world.as_contact.patch(path, json={"max_group_size": "9"})) == {
        "max_group_size"
    }


def test_only_the_company_changes_its_activity(world, db):
    draft = factories.activity(world.company, status="draft")
    db.session.commit()
    published = f"/activities/{world.activity.id}"
    change = {"title": "Gekaapt"}
    # Those who can see it are refused; those who cannot do not learn it exists.
    error_of(world.as_other_contact.patch(published, json=change), 403, "forbidden")
    error_of(world.as_teacher.patch(published, json=change), 403, "forbidden")
    error_of(world.as_coordinator.patch(published, json=change), 403, "forbidden")
    error_of(world.as_other_contact.patch(f"/activities/{draft.id}", json=change), 404)
    error_of(world.as_other_contact.post(f"/activities/{draft.id}/publish"), 404)
    error_of(world.as_other_contact.post(f"/activities/{world.activity.id}/archive"), 403)
    error_of(world.anonymous.patch(published, json=change), 401)
    assert world.anonymous.get(published).get_json()["title"] == "Draaien en frezen"


def test_publish_and_archive(world, db):
    created = world.as_contact.post("/activities", json=NEW).get_json()
    path = f"/activities/{created['id']}"

    published = world.as_contact.post(f"{path}/publish")
    assert published.status_code == 200
    assert published.get_json()["status"] == "published"
    assert published.get_json()["published_at"].endswith("Z")
    assert created["id"] in ids(world.anonymous.get("/activities"))
    # Publishing twice changes nothing.
    assert world.as_contact.post(f"{path}/publish").get_json()["status"] == "published"

    archived = world.as_contact.post(f"{path}/archive")
    assert archived.status_code == 200 and archived.get_json()["status"] == "archived"
    assert created["id"] not in ids(world.anonymous.get("/activities"))
    error_of(world.anonymous.get(path), 404)
    error_of(world.as_contact.patch(path, json={"title": "Weer terug"}), 422, "archived")
    kinds = db.session.scalars(select(EventLogEntry.name).order_by(EventLogEntry.id)).all()
    assert kinds.count("ActivityPublished") == 1 and kinds.count("ActivityArchived") == 1


def test_created_activity_dates_are_utc(world):
    body = world.as_contact.post("/activities", json=NEW).get_json()
    updated = date.fromisoformat(body["updated_at"][:10])
    assert body["updated_at"].endswith("Z")
    assert abs((updated - utcnow().date()).days) <= 1
