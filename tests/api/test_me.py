"""GET /api/v1/me: who the bearer token belongs to, and the 401s around it."""

from app.accounts import service
from tests import factories


def token_for(db, user, name="test") -> str:
    _token, raw = service.create_api_token(user, name)
    db.session.commit()
    return raw


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_me_describes_the_token_owner(client, db):
    school = factories.school(name="Vakcollege Twente")
    company = factories.company(name="Draaierij Delden", status="pending")
    person = factories.user(school, "teacher", email="dubbel@school.test", name="Dubbel Rol")
    from app.accounts.models import Membership

    db.session.add(Membership(user=person, organisation=company, role="contact"))
    db.session.commit()

    response = client.get("/api/v1/me", headers=bearer(token_for(db, person)))
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body == {
        "id": person.id,
        "email": "dubbel@school.test",
        "name": "Dubbel Rol",
        "locale": "nl",
        "memberships": [
            {
                "organisation_id": school.id,
                "organisation_name": "Vakcollege Twente",
                "organisation_kind": "school",
                "organisation_status": "approved",
                "role": "teacher",
            },
            {
                "organisation_id": company.id,
                "organisation_name": "Draaierij Delden",
                "organisation_kind": "company",
                "organisation_status": "pending",
                "role": "contact",
            },
        ],
    }


def test_me_without_a_token_is_401(client, db):
    error = assert_json_error(client.get("/api/v1/me"), 401, "unauthorized")
    assert "Bearer" in error["message"]


def test_me_with_an_unknown_token_is_401(client, db, teacher):
    token_for(db, teacher)
    response = client.get("/api/v1/me", headers=bearer("tp_not-a-real-token"))
    assert_json_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_with_another_scheme_is_401(client, db, teacher):
    raw = token_for(db, teacher)
    assert_json_error(
        client.get("/api/v1/me", headers={"Authorization": f"Token {raw}"}), 401, "invalid_token"
    )
    assert_json_error(
        client.get("/api/v1/me", headers={"Authorization": "Bearer "}), 401, "invalid_token"
    )


def test_me_with_a_revoked_token_is_401(client, db, teacher):
    token, raw = service.create_api_token(teacher, "soon revoked")
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    service.revoke_api_token(token)
    db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "invalid_token")


def test_me_with_the_token_of_a_deactivated_person_is_401(client, db, teacher):
    raw = token_for(db, teacher)
    teacher.active = False
    db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "invalid_token")


def test_a_session_cookie_is_not_an_api_credential(teacher_client):
    """The API authenticates by bearer token only, so a page on another site cannot
    use a signed-in browser's cookie against it (no CSRF needed on the API)."""
    assert_json_error(teacher_client.get("/api/v1/me"), 401, "unauthorized")


def test_me_is_in_the_openapi_document(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/me"]["get"]
    assert "200" in operation["responses"]
