"""The input rules of app.web.input and app.web.forms, one by one, on both
databases: ids no column holds, text no database stores, and what stays as
it was typed."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

from app.catalogue.models import Activity
from tests import factories
from tests.apps import login
from tests.pages import Page


@pytest.mark.parametrize("value", ["2147483648", "9223372036854775808", "1" * 5000, "-1", "0", "١"])
def test_an_id_no_column_holds_is_a_404(app, contact_client, value):
    for path in (f"/activities/{value}", f"/bookings/{value}", f"/placements/{value}/accept"):
        response = contact_client.open(path, method="POST" if "accept" in path else "GET")
        assert response.status_code == 404, (path, response.status_code)


@pytest.mark.parametrize("segment", ["%00", "abc%01", "%1B%5B2J", "%C2%85"])
def test_a_path_segment_with_control_characters_matches_no_route(client, db, segment):
    for path in (
        f"/invitations/{segment}",
        f"/password/reset/{segment}",
        f"/calendar/{segment}.ics",
        f"/static/{segment}",
    ):
        assert client.get(path).status_code == 404, path


def test_form_text_is_stored_clean_and_the_same_on_both_databases(app, db, contact):
    activity = factories.activity(contact.organisations()[0], contact=contact)
    db.session.commit()
    client = login(app.test_client(), contact)
    data = MultiDict(
        Page(client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)).form_data()
    )
    data["title"] = "Draaien\x00 en \u202efrezen\r\nBcc: iedereen@example.test"
    data["description"] = "Regel één\r\n\r\nRegel\x00 twee\u2066\x1b[2J\x7f"
    data["city"] = "  Hen\u200bgelo\x0b "

    response = client.post(f"/activities/{activity.id}/edit", data=data)

    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    stored = db.session.get(Activity, activity.id)
    assert stored.title == "Draaien en frezen Bcc: iedereen@example.test"
    assert stored.description == "Regel één\n\nRegel twee[2J"
    assert stored.city == "Hen\u200bgelo"  # a zero-width space is a character people use


@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "q=%E2%80%AE%01%7Fzz", "q=%ED%A0%80", "town=%00&school_year=9223372036854775808"],
)
def test_search_words_with_any_character_are_searched(app, db, client, coordinator_client, query):
    assert client.get(f"/catalogue?{query}").status_code == 200
    assert coordinator_client.get(f"/insights/schools?{query}").status_code == 200
    assert coordinator_client.get(f"/placements/pool?{query}").status_code == 200


def test_a_password_is_never_changed_by_the_rule(app, db, teacher):
    """Passwords are not stored or shown, and a secret must not change: white
    space and odd characters in it count."""
    client = login(app.test_client(), teacher)
    password = "  een\u202e lang wachtwoord\t "
    response = client.post(
        "/account",
        data={
            "action": "password",
            "password-current_password": "secret-password",
            "password-password": password,
            "password-password_again": password,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    client.post("/logout")
    refused = app.test_client().post(
        "/login", data={"email": teacher.email, "password": password.strip()}
    )
    assert refused.status_code != 302
    login(app.test_client(), teacher, password)


def test_every_flask_form_gets_the_rule_also_one_written_later(app):
    class Later(FlaskForm):
        class Meta:
            csrf = False

        name = StringField()
        story = TextAreaField()
        secret = PasswordField()

    with app.test_request_context(
        method="POST",
        data={
            "name": " Naam\x00\r\nmet\u202e regel ",
            "story": "Een\r\ntwee\x00 ",
            "secret": " ge\x00heim ",
        },
    ):
        form = Later()
    assert form.name.data == "Naam met regel"
    assert form.story.data == "Een\ntwee"
    assert form.secret.data == " ge\x00heim "


@pytest.mark.parametrize("value", ["-1", "abc", "1e3", "1_000", "٣", "9223372036854775808", ""])
def test_an_id_in_a_query_string_or_a_form_that_names_nothing_is_ignored_or_refused(
    app, db, contact, coordinator_client, value
):
    from app.db_types import as_id
    from app.placements.models import Professional
    from tests.placements.helpers import professional

    with pytest.raises(ValueError):
        as_id(value)
    company = contact.organisations()[0]
    candidate = professional(company)
    db.session.commit()
    client = login(app.test_client(), contact)
    response = client.get(f"/placements/new?professional={value}&school={value}")
    # The only professional still waits for a coordinator: the form sends to the pool.
    assert response.status_code == 302
    assert client.get(f"/catalogue?school={value}").status_code == 200
    response = coordinator_client.post(
        f"/placements/pool/{candidate.id}/approve", data={"company": value}
    )
    # An empty choice is "no company yet": the professional keeps the company.
    assert response.status_code == (302 if value == "" else 422)
    assert db.session.get(Professional, candidate.id).company_id == company.id
