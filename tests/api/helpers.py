"""Speaking to the API in tests: a JSON client as one person (or nobody), and
reading the error format."""

from __future__ import annotations

from app.accounts.service import create_api_token

PREFIX = "/api/v1"


class Api:
    """A test client that speaks JSON to /api/v1 as one person (or nobody)."""

    def __init__(self, client, raw_token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}

    def _call(self, method: str, path: str, json=None, headers=None, **kwargs):
        all_headers = {**self.headers, **(headers or {})}
        if json is not None:
            kwargs["json"] = json
        return self.client.open(PREFIX + path, method=method, headers=all_headers, **kwargs)

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self._call("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self._call("PATCH", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self._call("PUT", path, json=json, **kwargs)


def api_as(app, db, user=None) -> Api:
    raw = None
    if user is not None:
        _token, raw = create_api_token(user, "tests")
        db.session.commit()
    return Api(app.test_client(), raw)


def error_of(response, status: int, code: str | None = None) -> dict:
    """Asserts the API's one error format (app/web/errors.py, json_error) and
    returns the error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def invalid_fields(response) -> set[str]:
    """The fields a 422 complains about (pydantic's details or a service's field)."""
    error = error_of(response, 422)
    if "details" in error:
        return {d["field"] for d in error["details"]}
    return {error["field"]} if error.get("field") else set()


GROUP = {"group_size": 20, "year": "3", "path": "KB", "profile": "PIE"}
