"""The OpenAPI document against the API itself, with schemathesis: for every
operation, requests generated from the document, valid and invalid, as every
role and with ids of real objects as well as random ones, get no 5xx and no
answer that the document does not describe (status, content type, headers,
body). Examples are few and derived deterministically, so the run is short
and the same every time."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.accounts.service import create_api_token
from tests.web import hostile_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api(app, db):
    """The document as schemathesis reads it, the world, and a bearer token per role."""
    world = hostile_world.build()
    headers = {"anonymous": {}}
    for role, person in world["people"].items():
        headers[role] = {"Authorization": f"Bearer {create_api_token(person, 'fuzz')[1]}"}
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return operations, world, headers


def _real(world, names) -> dict:
    return {name: world["ids"].get(name, [world["values"].get(name, 1)])[0] for name in names}


def test_generated_requests_get_documented_answers(api):
    operations, world, headers = api
    failures = []
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
        )

        @EXAMPLES
        @given(case=cases, role=st.sampled_from(sorted(headers)), real_ids=st.booleans())
        def run(case, role, real_ids):
            if real_ids and case.path_parameters:
                case.path_parameters = _real(world, case.path_parameters)
            case.call_and_validate(headers=headers[role], checks=CHECKS)

        try:
            run()
        except Exception as failure:  # noqa: BLE001 (collected: one report for all operations)
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_every_answer_about_real_objects_matches_the_document(api):
    """Each reading operation about the world's objects, as every role: what
    comes back (placements with their weekly times, lessons, requests, ...)
    is what the document says, whatever the generated examples happened to hit."""
    operations, world, headers = api
    reads = [op for op in operations if op.method.upper() == "GET"]
    assert len(reads) >= 12
    for operation in reads:
        names = [p.name for p in operation.path_parameters]
        for role in headers:
            case = operation.Case(path_parameters=_real(world, names))
            case.call_and_validate(headers=headers[role], checks=CHECKS)
