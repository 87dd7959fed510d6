"""The person's own account page: details, API tokens, and the data export."""

import re

from sqlalchemy import select

from app.accounts.models import ApiToken
from tests import factories
from tests.pages import dutch

NEW_TOKEN = re.compile(r'<p class="token-once" id="new-token">([^<]+)</p>')


def create_token(client, name="Roosterkoppeling") -> str:
    response = client.post("/account", data={"action": "token", "token-token_name": name})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert dutch("Copy this token now: it is shown only once.") in page
    [raw] = NEW_TOKEN.findall(page)
    return raw


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def test_a_token_made_in_the_settings_is_shown_once_and_works(client, db, teacher, teacher_client):
    raw = create_token(teacher_client)
    assert raw.startswith("tp_") and len(raw) > 40

    token = db.session.scalar(select(ApiToken))
    assert token.name == "Roosterkoppeling" and token.user_id == teacher.id
    assert token.token_hash != raw and raw not in token.token_hash  # stored hashed
    assert raw.startswith(token.prefix)

    later = teacher_client.get("/account").get_data(as_text=True)
    assert raw not in later
    assert "<td>Roosterkoppeling</td>" in later and token.prefix in later

    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == teacher.email
    assert body["memberships"][0]["role"] == "teacher"


def test_using_a_token_is_recorded(client, db, teacher_client):
    raw = create_token(teacher_client)
    db.session.rollback()  # only what the request committed counts
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    db.session.rollback()
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is not None


def test_a_revoked_token_gets_a_401_json_error(client, db, teacher_client):
    raw = create_token(teacher_client)
    token = db.session.scalar(select(ApiToken))
    response = teacher_client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert token.revoked_at is not None
    assert "<td>Roosterkoppeling</td>" not in teacher_client.get("/account").get_data(as_text=True)

    refused = client.get("/api/v1/me", headers=bearer(raw))
    assert refused.status_code == 401
    assert refused.is_json
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_token"
    assert error["message"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_someone_elses_token(app, db, teacher, contact_client):
    from app.accounts import service

    token, raw = service.create_api_token(teacher, "Van de docent")
    db.session.commit()
    assert contact_client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert token.revoked_at is None
    assert app.test_client().get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_a_token_needs_a_name(teacher_client, db):
    response = teacher_client.post("/account", data={"action": "token", "token-token_name": ""})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_saving_the_details_and_the_language(db, teacher, teacher_client):
    response = teacher_client.post(
        "/account",
        data={
            "action": "profile",
            "profile-name": "Tineke Docent",
            "profile-phone": "053 123 4567",
            "profile-locale": "en",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (teacher.name, teacher.phone, teacher.locale) == ("Tineke Docent", "053 123 4567", "en")
    page = teacher_client.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in page and "My account" in page


def test_the_account_export_holds_the_persons_own_data(app, db, teacher, teacher_client):
    create_token(teacher_client, name="Export-test")
    response = teacher_client.get("/account/export.json")
    assert response.status_code == 200
    assert response.is_json
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    account = data["account"]
    assert account["email"] == teacher.email and account["name"] == teacher.name
    school = teacher.memberships[0].organisation
    [membership] = data["memberships"]
    assert (membership["organisation"], membership["kind"], membership["role"]) == (
        school.name,
        "school",
        "teacher",
    )
    [token] = data["api_tokens"]
    assert token["name"] == "Export-test" and token["prefix"].startswith("tp_")
    assert "token_hash" not in token
    assert account["created_at"].endswith("Z")
    assert "password_hash" not in account
    assert factories.PASSWORD not in response.get_data(as_text=True)


def test_the_export_holds_nobody_elses_data(app, db, teacher, teacher_client):
    colleague = factories.user(
        teacher.memberships[0].organisation, "teacher", email="collega@school.test"
    )
    data = teacher_client.get("/account/export.json").get_data(as_text=True)
    assert colleague.email not in data


def test_the_account_pages_need_a_sign_in(client, db):
    for path in ("/account", "/account/export.json"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
