"""The checks every browser test runs on its pages find what they look for:
a page with the faults they forbid fails them, with and without JavaScript,
also when the page is left at once."""

from __future__ import annotations

import pytest
from flask import make_response

from tests.e2e.conftest import CONTEXT_HEADER, PHONE, Browsers

pytestmark = pytest.mark.e2e

FAULTY = """<!doctype html><html lang="nl"><head><title>Proef</title></head><body>
<main><h1>Proef</h1><h3>Een kop die er twee overslaat</h3>
<table><thead><tr><th>Naam</th><th></th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>
<p style="color: red">Een style-attribuut</p>
<pre>breedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreed</pre></main></body></html>"""


@pytest.fixture
def checks(browser, live_server, documents, document_checker, check_marks):
    """Test browsers of this test's own, to look at what their checks found."""
    return Browsers(browser, live_server, documents, document_checker, check_marks)


def serve_the_faulty_page(page, demo_app, documents, javascript: bool) -> None:
    """/proef answers the faulty page as the server would, with its policy."""
    with demo_app.test_request_context("/proef"):
        response = demo_app.process_response(make_response(FAULTY))
    headers = dict(response.headers)

    def answer(route):
        route.fulfill(status=200, headers=headers, body=FAULTY)
        if not javascript:  # as the server records what it sends a browser without JavaScript
            context = route.request.headers[CONTEXT_HEADER.lower()]
            documents.add(context, route.request.url, 200, FAULTY)

    page.route("**/proef", answer)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_faulty_page_fails_every_check(checks, demo_app, documents, javascript):
    page = checks.open(javascript=javascript, viewport=PHONE)
    serve_the_faulty_page(page, demo_app, documents, javascript)
    page.goto("/proef")
    problems = "\n".join(checks.finish())
    assert "empty-table-header" in problems
    assert "heading-order" in problems
    assert "px wide in a 375 px viewport" in problems
    assert "Content-Security-Policy violation" in problems or "Content Security Policy" in problems


def test_a_page_left_at_once_is_checked_before_it_goes(checks, demo_app, documents):
    page = checks.open(viewport=PHONE)
    serve_the_faulty_page(page, demo_app, documents, javascript=True)
    page.goto("/proef")
    page.goto("/login")  # the request waits for the check of /proef
    problems = "\n".join(checks.finish())
    assert "heading-order" in problems and "/proef" in problems
    assert "/login" not in problems
