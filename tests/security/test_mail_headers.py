"""No text a person wrote can add or change a mail header: the headers are read
back as a real SMTP server (aiosmtpd on 127.0.0.1) received them."""

from __future__ import annotations

from email import message_from_bytes
from email import policy as email_policy
from types import SimpleNamespace

import pytest

from app.extensions import db as database
from app.notifications.compose import queue_mail
from app.notifications.delivery import Envelope, build_message, header_text
from tests import factories

HOSTILE = "Vakcollege\r\nBcc: victim@evil.test\r\nX-Injected: yes\n\rSubject: free money"


def header_lines(raw: bytes) -> list[bytes]:
    """The header section as sent, each folded header unfolded into one line."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def assert_no_injection(received):
    names = [line.split(b":", 1)[0].lower() for line in header_lines(received.raw)]
    assert b"bcc" not in names and b"x-injected" not in names, names
    assert names.count(b"subject") == 1
    assert b"\r\n\r\n" not in received.raw.split(b"\r\n\r\n", 1)[0]
    message = received.message
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]


def test_header_text_turns_every_control_character_into_a_space():
    assert header_text("a\r\nb\tc\x00d\x85e\u2028f\u202eg") == "a b c d e f g"
    assert header_text("  Jan   \n  Smit ") == "Jan Smit"
    assert header_text(None) == ""


def test_a_hostile_subject_and_extra_header_stay_inside_their_header(mail_app, smtp, dispatch):
    user = factories.user(factories.school(), "teacher", email="teacher@school.test")
    queue_mail(
        "password_reset",
        recipient=user.email,
        locale="en",
        user_id=user.id,
        subject=HOSTILE,
        headers={"List-Unsubscribe": "<https://techniekpoort.test/u>\r\nBcc: victim@evil.test"},
        link="https://techniekpoort.test/reset",
        user=user,
    )
    database.session.commit()

    dispatch()

    [received] = smtp.sink.messages()
    assert received.envelope_to == ["teacher@school.test"]
    assert_no_injection(received)
    assert received.message["Subject"] == (
        "Vakcollege Bcc: victim@evil.test X-Injected: yes Subject: free money"
    )
    assert received.message["List-Unsubscribe"] == (
        "<https://techniekpoort.test/u> Bcc: victim@evil.test"
    )
    assert received.message.get_body(("plain",)) is not None


def test_non_ascii_subjects_are_encoded_and_read_back_intact(mail_app, smtp, dispatch):
    queue_mail(
        "password_reset",
        recipient="docent@school.test",
        locale="nl",
        user=factories.user(name="Docent"),
        subject="Gastles ‘Lassen’ – ééntje voor groep 3 \u202eevil",
        link="https://techniekpoort.test/reset",
    )
    database.session.commit()
    dispatch()
    [received] = smtp.sink.messages()
    assert received.raw.isascii()
    assert received.message["Subject"] == "Gastles ‘Lassen’ – ééntje voor groep 3 evil"


def test_an_address_that_is_more_than_one_address_fails_the_mail_without_sending(
    mail_app, smtp, dispatch
):
    mail = queue_mail(
        "password_reset",
        recipient="teacher@school.test, victim@evil.test",
        locale="en",
        user=factories.user(name="Docent"),
        subject="Hello",
        link="https://techniekpoort.test/reset",
    )
    database.session.commit()
    dispatch()
    assert smtp.sink.messages() == []
    database.session.refresh(mail)
    assert mail.status == "failed" and "not one address" in mail.last_error


def mail_row(**values) -> SimpleNamespace:
    """What build_message reads of an outgoing_mail row."""
    defaults = dict(
        id=1,
        recipient="a@school.test",
        subject="Hi",
        text_body="x",
        html_body="x",
        attachments=[],
        headers={},
    )
    return SimpleNamespace(**{**defaults, **values})


def test_extra_headers_cannot_replace_the_messages_own(app):
    row = mail_row(headers={"Reply-To": "attacker@evil.test"})
    with pytest.raises(ValueError, match="Reply-To"):
        build_message(row, Envelope.of("Techniekpoort <noreply@techniekpoort.test>"))


def test_a_display_name_of_the_sender_setting_cannot_break_the_from_header(app):
    envelope = Envelope.of('"Techniek\r\nBcc: x@evil.test" <noreply@techniekpoort.test>')
    sent = build_message(mail_row(), envelope)
    message = message_from_bytes(sent.data, policy=email_policy.default)
    assert message["Bcc"] is None
    assert message["From"].addresses[0].addr_spec == "noreply@techniekpoort.test"


def test_names_typed_into_anonymous_forms_reach_no_header(mail_app, smtp, dispatch, client):
    """The two anonymous forms whose text reaches a subject: an organisation
    signing up (coordinators are told its name) and the candidate pool."""
    network = factories.network()
    factories.user(network, "coordinator", email="coordinator@network.test")
    database.session.commit()
    client.post(
        "/register",
        data={
            "kind": "company",
            "name": HOSTILE,
            "address": "Industrieweg 9",
            "postcode": "7651 AA",
            "city": "Tubbergen",
            "holiday_region": "noord",
            "kvk": "12345678",
            "sectors": ["electrical"],
            "contact_name": HOSTILE,
            "contact_email": "henk@tubbergen.test",
            "password": "lange-zin-als-wachtwoord",
            "password_again": "lange-zin-als-wachtwoord",
        },
    )
    client.post(
        "/placements/pool/register",
        data={
            "name": HOSTILE,
            "email": "kees@example.test",
            "kind": "career_switcher",
            "expertise": "Installatietechniek",
            "consent": "y",
        },
    )

    dispatch()

    received = smtp.sink.to("coordinator@network.test")
    assert len(received) == 2, [r.message["Subject"] for r in smtp.sink.messages()]
    for mail in received:
        assert_no_injection(mail)
        assert "Vakcollege" in mail.message["Subject"]
