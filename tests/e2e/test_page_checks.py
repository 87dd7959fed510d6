"""The checks every browser test runs on its pages find what they look for:
a page with the faults they forbid fails them, with and without JavaScript."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CONTEXT_HEADER, PHONE, Browsers

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

FAULTY = """<!doctype html><html lang="nl"><head><title>Proef</title></head><body>
<main><h1>Proef</h1><h3>Een kop die er twee overslaat</h3>
<table><thead><tr><th>Naam</th><th></th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>
<p style="color: red">Een style-attribuut</p>
<pre>breedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreedbreed</pre></main></body></html>"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_faulty_page_fails_every_check(browser, live_server, documents, demo_app, javascript):
    checks = Browsers(browser, live_server, documents)
    page = checks.open(javascript=javascript, viewport=PHONE)
    # The faulty page is answered as the server would, with its policy.
    html = FAULTY
    policy = demo_app.after_request_funcs[None]
    with demo_app.test_request_context("/proef"):
        from flask import make_response

        response = make_response(html)
        for after in policy:
            response = after(response)
    headers = dict(response.headers)

    def answer(route):
        route.fulfill(status=200, headers=headers, body=html)
        if not javascript:  # as the server records what it sends a browser without JavaScript
            documents.add(
                route.request.headers[CONTEXT_HEADER.lower()], route.request.url, 200, headers, html
            )

    page.route("**/proef", answer)
    page.goto("/proef")
    problems = "\n".join(checks.finish())
    assert "empty-table-header" in problems
    assert "heading-order" in problems
    assert "px wide in a 375 px viewport" in problems
    assert "Content-Security-Policy violation" in problems or "Content Security Policy" in problems
