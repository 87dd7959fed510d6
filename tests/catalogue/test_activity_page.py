"""The activity page: public for published activities of approved companies,
with its upcoming dates and a way to book them."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.pages import dutch


def test_a_published_activity_with_its_dates(client, db):
    company = factories.company(name="Bouwbedrijf Oost")
    activity = factories.activity(
        company,
        title="Bouwplaats bezoeken",
        kind="company_visit",
        description=(
            "Eerste regel\nTweede <script>alert(1)</script> regel\n\n\nNieuwe alinea & meer"
        ),
        years=frozenset({"3"}),
        paths=frozenset({"BB"}),
        profiles=frozenset(),
        duration_minutes=150,
        max_group_size=18,
        min_notice_days=9,
    )
    open_slot = factories.slot(activity, days_ahead=12, capacity=20, taken=5)
    full = factories.slot(activity, days_ahead=19, capacity=10, taken=10)
    cancelled = factories.slot(activity, days_ahead=14, status="cancelled")
    past = factories.slot(activity, days_ahead=-2)

    response = client.get(f"/activities/{activity.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bouwplaats bezoeken" in page and "Bouwbedrijf Oost" in page
    assert (
        "<p>Eerste regel<br>\nTweede &lt;script&gt;alert(1)&lt;/script&gt; regel</p>\n"
        "<p>Nieuwe alinea &amp; meer</p>"
    ) in page
    assert "<script>alert" not in page
    assert dutch("Every profile") in page
    assert "150 minuten" in page
    assert "18 leerlingen" in page

    slots = page.split('id="slots"')[1]
    assert f'data-slot="{open_slot.id}"' in slots and f'data-slot="{full.id}"' in slots
    assert f'data-slot="{cancelled.id}"' not in slots and f'data-slot="{past.id}"' not in slots
    assert slots.index(f'data-slot="{open_slot.id}"') < slots.index(f'data-slot="{full.id}"')
    assert dutch("%(n)d of %(capacity)d", n=15, capacity=20) in slots
    # Each link carries a one-time token of its own (bookings.views.booking_url).
    assert re.search(rf'href="/slots/{open_slot.id}/book\?token=[0-9a-f]{{32}}"', slots)
    assert re.search(rf'href="/slots/{full.id}/book\?token=[0-9a-f]{{32}}"', slots)  # waiting list
    assert 'class="badge badge-full"' in slots


def test_the_contacts_details_are_not_on_the_public_page(client, db):
    company = factories.company()
    person = factories.user(company, "contact", email="henk@bedrijf.test", phone="0612345678")
    activity = factories.activity(company, contact_id=person.id)
    page = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "henk@bedrijf.test" not in page and "0612345678" not in page


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_unpublished_activities_are_only_for_their_company_and_coordinators(
    app, client, teacher_client, coordinator_client, db, status
):
    from tests.apps import login

    company = factories.company()
    member = login(app.test_client(), factories.user(company, "contact"), factories.PASSWORD)
    activity = factories.activity(company, status=status)
    slot = factories.slot(activity)
    url = f"/activities/{activity.id}"

    assert client.get(url).status_code == 404
    assert teacher_client.get(url).status_code == 404
    other_contact = login(
        app.test_client(), factories.user(factories.company(), "contact"), factories.PASSWORD
    )
    assert other_contact.get(url).status_code == 404
    for allowed in (member, coordinator_client):
        response = allowed.get(url)
        assert response.status_code == 200
        # Not bookable while it is not in the catalogue.
        assert f"/slots/{slot.id}/book" not in response.get_data(as_text=True)


def test_the_activity_of_a_company_not_yet_approved_is_not_public(client, db):
    activity = factories.activity(factories.company(status="pending"))
    assert client.get(f"/activities/{activity.id}").status_code == 404


def test_an_unknown_activity_is_not_found(client, db):
    assert client.get("/activities/999999").status_code == 404


def test_the_page_costs_the_same_statements_for_1_and_12_dates(teacher_client, db):
    """No statement per date (docs/PERFORMANCE.md, "Issue 16")."""
    from app.catalogue.models import Activity
    from app.extensions import db as database
    from tests.queries import QueryCounter

    activity = factories.activity(factories.company())
    factories.slot(activity, days_ahead=12)
    database.session.commit()
    activity_id = activity.id

    def statements() -> tuple[int, str]:
        database.session.remove()  # nothing loaded while the data was made
        with QueryCounter(database.engine) as counter:
            page = teacher_client.get(f"/activities/{activity_id}").get_data(as_text=True)
        return counter.count, page

    one, _ = statements()
    activity = database.session.get(Activity, activity_id)
    for days in range(13, 24):
        factories.slot(activity, days_ahead=days)
    database.session.commit()
    twelve, page = statements()
    assert len(re.findall(r"<tr data-slot=", page)) == 12  # every date is listed
    assert twelve == one
    # The signed-in person, their organisations, the unread count, the
    # activity with its company, its dates.
    assert one <= 4 + 2
