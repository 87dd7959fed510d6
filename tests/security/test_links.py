"""Links in mails and feeds come from TECHNIEKPOORT_BASE_URL, never from the
Host header of the request that caused them."""

from __future__ import annotations

import pytest

from app.config import SettingsError, settle
from tests import factories
from tests.apps import login

FORGED_HOST = "evil.test"


def forged_client(app):
    """A client whose every request names another host (and keeps its cookies there)."""
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = FORGED_HOST
    return client


def test_a_reset_link_ignores_a_forged_host(client, db, teacher, outbox):
    client.post("/password/forgot", data={"email": teacher.email}, headers={"Host": FORGED_HOST})
    [mail] = outbox("password_reset")
    assert "http://techniekpoort.test/password/reset/" in mail.text_body
    assert "evil.test" not in mail.text_body + mail.html_body


def test_an_invitation_link_ignores_a_forged_host(app, db, outbox):
    company = factories.company()
    contact = factories.user(company, "contact", email="contact@company.test")
    db.session.commit()
    client = forged_client(app)
    login(client, contact)
    client.post(
        f"/organisations/{company.id}/invite",
        data={"invite-email": "collega@company.test", "invite-role": "contact"},
    )
    [mail] = outbox("invitation")
    assert "http://techniekpoort.test/invitations/" in mail.text_body
    assert "evil.test" not in mail.text_body + mail.html_body


def test_feed_urls_on_the_calendar_page_ignore_a_forged_host(app, db, teacher):
    from app.calendar import service as feeds

    feeds.create_feed(teacher, kind="personal")
    db.session.commit()
    client = forged_client(app)
    login(client, teacher)
    page = client.get("/calendar").get_data(as_text=True)
    assert "webcal://techniekpoort.test/calendar/" in page
    assert "evil.test" not in page


@pytest.mark.parametrize("debug,testing", [(False, False)])
def test_a_production_start_without_a_base_url_refuses(debug, testing):
    with pytest.raises(SettingsError, match="TECHNIEKPOORT_BASE_URL is not set"):
        settle({"BASE_URL": ""}, debug=debug, testing=testing)
    with pytest.raises(SettingsError, match="not an http"):
        settle({"BASE_URL": "techniekpoort.example"}, debug=False, testing=False)


def test_the_app_factory_refuses_without_a_base_url(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.delenv("TECHNIEKPOORT_BASE_URL", raising=False)
    with pytest.raises(SettingsError, match="TECHNIEKPOORT_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_debug_runs_fall_back_to_the_local_address_and_https_makes_cookies_secure():
    config = {"BASE_URL": ""}
    settle(config, debug=True, testing=False)
    assert config["BASE_URL"] == "http://127.0.0.1:5000"
    assert config["SESSION_COOKIE_SECURE"] is False
    config = {"BASE_URL": "https://techniekpoort.example/"}
    settle(config, debug=False, testing=False)
    assert config["BASE_URL"] == "https://techniekpoort.example"
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
