"""Hostile values sent to every route of the URL map, as every role: never a 5xx.

The routes come from app.url_map; the parameters from the pages themselves
(the fields of every form a page shows, the query strings of its links) and,
for the API, from the operations' pydantic models. So a route, a form field
or a query parameter added later is covered without touching this file.

Every route is first asked with the real ids of a small world, so that its
pages show their forms and its forms reach their services; then each path
argument in turn gets ids beyond what the databases hold (PostgreSQL's
integer, SQLite's 64 bits), or segments with control characters; each form
field and query parameter in turn, the others keeping what the page filled
in, gets text with NUL, control and bidirectional characters, an id beyond
64 bits, and text of the field's full length in characters of two bytes (or
longer than any column where the field states no length); each JSON body
gets such values in every field, lone surrogates too.
tests/api/test_openapi_fuzz.py goes deeper into the API's bodies.
"""

from __future__ import annotations

import itertools
import json
import traceback
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, IntegerConverter

from app.accounts.service import create_api_token
from app.api.spec import OPERATIONS
from app.monitoring import schema
from app.text import clean_text
from tests.apps import login
from tests.pages import Page
from tests.web import hostile_world

# Beyond PostgreSQL's integer, and beyond SQLite's 64 bits (negative ids and other
# strings never match the digits of an id: tests/web/test_input_rules.py).
HOSTILE_IDS = ["2147483648", "9223372036854775808"]
CONTROL = "Naam\x00met\x01\x08\x0b\x1b[2J\x7f\x85\x9b\u202eevil\u2066x"
HOSTILE_SEGMENTS = ["\x00", "a\x01\x1b\x7f\u202e", "x" * 300]
HOSTILE_TEXT = [CONTROL, "9223372036854775808"]
WIDE = "ẞ"  # two bytes in UTF-8: limits that count bytes, or a column too short, show
LONGER_THAN_ANY_COLUMN = 3000
# A JSON string can hold a lone surrogate, which no UTF-8 codec and no database takes.
HOSTILE_JSON = [
    CONTROL,
    "\ud800x\udfff",
    2**63,
    -(2**31) - 1,
    10**30,
    1e308,
    None,
    [CONTROL],
    {"x": CONTROL},
]

ROLES = ["anonymous", *hostile_world.ROLES]


class Sweep:
    """Sends requests as one role; remembers every 5xx, and every exception
    with the innermost line of the application it came from."""

    def __init__(self, app, client, role: str, headers: dict):
        self.app, self.client, self.role, self.headers = app, client, role, headers
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.count = 0
        self.seen: set = set()
        self.answers: dict[str, str] = {}  # endpoint -> mimetype of its answer to real values

    def send(self, method: str, url: str, **kwargs):
        self.count += 1
        what = f"{self.role} {method} {url} {_shown(kwargs)}"
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 (the app must answer everything)
            self.failures.append(
                f"{what}\n    {type(error).__name__}: {str(error)[:200]} at {_where(error)}"
            )
            return None
        if response.status_code >= 500:
            self.failures.append(f"{what} -> {response.status_code}")
        return response

    def first_time(self, *key) -> bool:
        """Each endpoint's parameter is asked once, whichever page shows it."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def endpoint(self, method: str, path: str) -> str | None:
        try:
            return self.adapter.match(path, method=method.upper())[0]
        except HTTPException:
            return None


def _where(error: Exception) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/app/" in f.filename]
    return f"{frames[-1].filename.split('/app/')[-1]}:{frames[-1].lineno}" if frames else "?"


def _shown(kwargs) -> str:
    shown = kwargs.get("data")
    return "" if shown is None else repr(shown)[:300]


def _rules(app):
    # Signing out comes last (test_...): every other route is asked signed in.
    return [r for r in app.url_map.iter_rules() if r.endpoint not in ("static", "accounts.logout")]


def _real_values(rule, world) -> list[dict]:
    """Real values for every argument of the rule, one dict per combination."""
    choices = []
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            options = sorted(converter.items)[:1]
        elif isinstance(converter, IntegerConverter):
            options = world["ids"].get(name, [1])
        else:
            options = [world["values"].get(name, "x")]
        choices.append([(name, option) for option in options])
    return [dict(combination) for combination in itertools.product(*choices)]


def _field_values(length: int) -> list[str]:
    """Control characters in text that, once they are removed, is exactly as
    long as the field allows (what it holds must fit every column and every
    text made from it), and an id beyond 64 bits."""
    return [CONTROL + WIDE * max(length - len(clean_text(CONTROL)), 0), HOSTILE_TEXT[1]]


def _url(rule, values: dict) -> str:
    return rule.build(values, append_unknown=False)[1]


def sweep_paths(sweep: Sweep, world) -> list[tuple[str, str]]:
    """Every route with real values, then each argument in turn hostile; the
    HTML pages this role can see, as (url, html)."""
    pages = []
    for rule in _rules(sweep.app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            combinations = _real_values(rule, world)
            for name, converter in rule._converters.items():
                if isinstance(converter, AnyConverter):
                    continue  # only its words match
                hostile = (
                    HOSTILE_IDS if isinstance(converter, IntegerConverter) else HOSTILE_SEGMENTS
                )
                for value in hostile:
                    sweep.send(method, _url(rule, {**combinations[0], name: value}))
            for values in combinations if method == "GET" else combinations[:1]:
                url = _url(rule, values)
                response = sweep.send(method, url)
                if response is not None and response.status_code == 200:
                    sweep.answers[rule.endpoint] = response.mimetype
                    if response.mimetype == "text/html":
                        pages.append((url, response.get_data(as_text=True)))
    return pages


def sweep_forms_and_links(sweep: Sweep, pages) -> None:
    """Each field of every form, and each query parameter of every link, in
    turn hostile while the others keep what the page gave them."""
    for url, html in pages:
        page = Page(html)
        for form in page.forms:
            target = urlsplit(form["action"] or url)
            endpoint = sweep.endpoint(form["method"], target.path)
            if target.netloc or endpoint in (None, "accounts.logout"):
                continue
            fields = [f for f in form["fields"] if f[0] != "csrf_token"]
            given = [(name, value) for name, value, _max in fields if value is not None]
            for name, _value, maxlength in fields:
                if not sweep.first_time(form["method"], endpoint, name):
                    continue
                length = int(maxlength) if (maxlength or "").isdigit() else LONGER_THAN_ANY_COLUMN
                for hostile in _field_values(length):
                    data = [(n, v) for n, v in given if n != name] + [(name, hostile)]
                    if form["method"] == "post":
                        sweep.send("POST", target.path, data=MultiDict(data))
                    else:
                        sweep.send("GET", f"{target.path}?{urlencode(data)}")
        for link in page.links:
            target = urlsplit(link)
            path = target.path or urlsplit(url).path
            endpoint = sweep.endpoint("get", path)
            if target.netloc or not target.query or endpoint is None:
                continue
            query = parse_qsl(target.query, keep_blank_values=True)
            if sweep.answers.get(endpoint, "text/html") != "text/html":
                # A document or an export costs a rendering: all parameters at once.
                if sweep.first_time("link", endpoint):
                    sweep.send("GET", f"{path}?{urlencode({n: CONTROL for n, _v in query})}")
                continue
            for name, _value in query:
                if sweep.first_time("link", endpoint, name):
                    for hostile in HOSTILE_TEXT:
                        changed = [(n, v) for n, v in query if n != name] + [(name, hostile)]
                        sweep.send("GET", f"{path}?{urlencode(changed)}")


def sweep_api(sweep: Sweep, world) -> None:
    """Each operation's query parameters in turn, and its body with every field
    hostile at once, with this role's bearer token."""
    for op in OPERATIONS:
        values = {
            name: world["ids"].get(name, [world["values"].get(name, 1)])[0]
            for name, _kind in op.path_parameters
        }
        path = "/api/v1" + op.openapi_path.format(**values)
        for name in op.query.model_fields if op.query else ():
            for hostile in HOSTILE_TEXT:
                sweep.send(op.method, f"{path}?{urlencode({name: hostile})}", headers=sweep.headers)
        for hostile in HOSTILE_JSON if op.body else ():
            body = {name: hostile for name in op.body.model_fields}
            sweep.send(
                op.method,
                path,
                headers=sweep.headers,
                data=json.dumps(body),
                content_type="application/json",
            )


@pytest.fixture
def world(app, db):
    # An unexpected error raises out of the client, with the line it came from.
    app.config["PROPAGATE_EXCEPTIONS"] = True
    # The tables come from the models, i.e. the migrations' head: say so, or
    # /readyz rightly answers 503 (not migrated).
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    db.session.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": schema.head()})
    return hostile_world.build()


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_in_any_route_gives_a_5xx(app, db, world, role):
    client, headers = app.test_client(), {}
    if role != "anonymous":
        person = world["people"][role]
        login(client, person)
        headers = {"Authorization": f"Bearer {create_api_token(person, 'sweep')[1]}"}
        db.session.commit()
    sweep = Sweep(app, client, role, headers)

    pages = sweep_paths(sweep, world)
    sweep_forms_and_links(sweep, pages)
    sweep_api(sweep, world)
    sweep.send("POST", "/logout", data={"next": CONTROL})

    assert pages or role == "anonymous", "this role saw no page: the sweep tested nothing"
    assert not sweep.failures, (
        f"{len(sweep.failures)} of {sweep.count} requests failed:\n"
        + "\n".join(sweep.failures[:50])
    )


def test_the_world_has_an_id_for_every_route(app, world):
    """A route whose id the world lacks would only be asked about id 1."""
    names = {
        name
        for rule in _rules(app)
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
    }
    assert names <= set(world["ids"]), names - set(world["ids"])
