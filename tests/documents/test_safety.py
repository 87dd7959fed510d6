"""Documents fetch nothing they should not (docs/INTEROPERABILITY.md, rule 26).

User texts holding `<img src="file:///etc/passwd">`, `<link rel="attachment"
href="file:///etc/passwd">`, an internal address and a redirect are printed as
the literal text they are; nothing is fetched (the internal server sees no
request), nothing is embedded (no /etc/passwd content, no attachment). And if
markup ever got through unescaped, the URL fetcher would still refuse it."""

from __future__ import annotations

import urllib.request

import pytest

from app.documents.render import StaticOnlyFetcher, html_to_pdf, static_url
from tests import factories
from tests.apps import login
from tests.documents import pdf
from tests.evaluations import builders

PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "TOPSECRET")


def payloads(port: int) -> dict[str, str]:
    return {
        "img_file": '<img src="file:///etc/passwd">',
        "attachment": '<link rel="attachment" href="file:///etc/passwd">',
        "internal": f'<img src="http://127.0.0.1:{port}/internal.png">',
        "redirect": f'<link rel="stylesheet" href="http://127.0.0.1:{port}/redirect">',
    }


def assert_nothing_leaked(body: bytes, server, shown: list[str]):
    reader = pdf.read(body)
    assert len(reader.pages) >= 1
    text = pdf.text(reader)
    for marker in PASSWD_MARKERS:
        assert marker not in text
        assert marker.encode() not in body
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in body
    assert server.hits == []
    squeezed = pdf.squeezed(text)
    for literal in shown:
        assert pdf.squeezed(literal) in squeezed, literal


@pytest.fixture
def hostile_booking(db, internal_server):
    """A completed booking whose every free text is a payload."""
    texts = payloads(internal_server.server_address[1])
    school = factories.school(name=texts["img_file"])
    teacher = factories.user(school, "teacher", name=texts["internal"])
    company = factories.company(name=texts["attachment"])
    contact = factories.user(company, "contact")
    activity = factories.activity(
        company,
        title=texts["redirect"],
        contact_id=contact.id,
        description="\n".join(texts.values()),
    )
    booking = builders.booking(
        builders.past_slot(activity),
        school,
        teacher=teacher,
        remarks=texts["img_file"] + "\n" + texts["attachment"],
    )
    builders.evaluation(
        booking,
        "school",
        attended=12,
        went_well=texts["internal"],
        could_be_better=texts["redirect"],
    )
    builders.evaluation(booking, "company", went_well=texts["attachment"])
    db.session.commit()
    return booking, teacher, texts


@pytest.mark.parametrize("document", ["confirmation", "certificate"])
def test_booking_documents_print_hostile_text_as_text(
    app, hostile_booking, internal_server, document
):
    booking, teacher, texts = hostile_booking
    booking.status = "completed"
    client = login(app.test_client(), teacher)
    response = client.get(f"/bookings/{booking.id}/{document}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    shown = (
        list(texts.values())
        if document == "confirmation"
        else [texts["img_file"], texts["attachment"], texts["redirect"]]
    )
    assert_nothing_leaked(response.get_data(), internal_server, shown)


def test_the_annual_report_prints_hostile_remarks_as_text(
    app, hostile_booking, internal_server, coordinator_client
):
    from app.insights.filters import SchoolYear
    from app.timeutil import to_local

    booking, _, texts = hostile_booking
    school_year = SchoolYear.containing(to_local(booking.slot.starts_at).date())
    response = coordinator_client.get(f"/insights/report.pdf?school_year={school_year.start}")
    assert response.status_code == 200
    assert_nothing_leaked(response.get_data(), internal_server, list(texts.values()))


def test_the_fetcher_refuses_what_escaping_would_have_stopped(app, internal_server):
    """Defence in depth: the markup itself, unescaped, printed with the app's fetcher."""
    port = internal_server.server_address[1]
    hostile = "".join(payloads(port).values()) + (
        f'<img src="https://127.0.0.1:{port}/tls.png">'
        '<img src="file:///proc/self/environ">'
        f'<link rel="attachment" href="http://127.0.0.1:{port}/redirect">'
        f'<img src="{static_url("../../../../etc/passwd")}">'
        f'<img src="{static_url("%2e%2e/%2e%2e/%2e%2e/etc/passwd")}">'
        '<img src="http://169.254.169.254/latest/meta-data/">'
    )
    fetcher = StaticOnlyFetcher(app.static_folder)
    html = (
        f'<html lang="en"><head><title>t</title>'
        f'<link rel="stylesheet" href="{static_url("documents/print.css")}"></head>'
        f"<body><h1>Hostile</h1>{hostile}"
        # A positive control: what the fetcher does serve ends up in the PDF.
        '<link rel="attachment" href="data:text/plain,served-from-data-url">'
        "</body></html>"
    )
    body = html_to_pdf(html, fetcher)
    reader = pdf.read(body)
    assert list(reader.attachments.values()) == [[b"served-from-data-url"]]
    for marker in PASSWD_MARKERS:
        assert marker.encode() not in body
    assert internal_server.hits == []
    refused = " ".join(fetcher.refused)
    for needle in (
        "file:///etc/passwd",
        "file:///proc/self/environ",
        f"127.0.0.1:{port}",
        "169.254.169.254",
        "etc/passwd",
    ):
        assert needle in refused, needle
    assert not any("print.css" in url for url in fetcher.refused)


def test_the_internal_server_would_have_noticed(internal_server):
    """The recorder works: "no request" in the tests above means something."""
    port = internal_server.server_address[1]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/redirect", timeout=5) as answer:
        assert answer.read() == b"TOPSECRET-INTERNAL-DATA"
    assert internal_server.hits == ["/redirect", "/secret"]
