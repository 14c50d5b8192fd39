"""Schemathesis throws generated requests — valid ones and deliberately invalid ones — at every operation of
the schema, on a live server with real data behind the ids, and asserts that none is answered with a 5xx and
that every answer (errors included) is what the schema says: its status, content type and body.

Deterministic (derandomize) and bounded (EXAMPLES per operation and mode), so CI runs the same requests.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import UserRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import token_issue

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _fuzz(strategy, *, base_url, headers):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()


@pytest.fixture
def seeded(transactional_db, household_kita, household_nishinari, case_kita, consultation_kita, meeting_kita,
           activity_kita, referral_kita):
    """Real rows behind the ids: the first path segment after /api/v1/ → the id of a 北区 record."""
    return {"households": household_kita.pk, "cases": case_kita.pk, "issues": case_kita.issues.get().pk,
            "consultations": consultation_kita.pk, "meetings": meeting_kita.pk, "activities": activity_kita.pk,
            "referrals": referral_kita.pk}


def _strategy(operation, mode, ids):
    """Generated cases, half of them on a real record (a random id almost never names one)."""
    generated = operation.as_strategy(generation_mode=mode)
    if "{id}" not in operation.path:
        return generated
    resource = operation.path.removeprefix("/api/v1/").split("/")[0]
    return st.one_of(generated, operation.as_strategy(generation_mode=mode, path_parameters={"id": ids[resource]}))


def test_no_generated_request_gets_a_server_error(live_server, seeded, coordinator_kita, bureau, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": None})  # a thousand requests in a minute
    tokens = {user: token_issue(user=user)[1] for user in (coordinator_kita, bureau)}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/",
                                           headers={"Authorization": f"Token {tokens[coordinator_kita]}"})
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        # The reports are the bureau's; everything else the 北区 coordinator's.
        user = bureau if operation.path.startswith("/api/v1/reports/") else coordinator_kita
        headers = {"Authorization": f"Token {tokens[user]}"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(_strategy(operation, mode, seeded), base_url=live_server.url, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: {error}")
    assert failures == [], "\n\n".join(failures)
