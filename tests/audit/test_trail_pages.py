"""The trail's list at city scale (#16): counted only up to a cap, paged on by next and previous links past it,
and counted exactly once a search narrows it below the cap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import views
from audit.models import Action
from audit.services import audit_record

pytestmark = pytest.mark.django_db
LIST = reverse("audit:event_list")


@pytest.fixture
def trail(auditor, coordinator_kita, monkeypatch):
    monkeypatch.setattr(views, "TRAIL_COUNT_CAP", 4)
    monkeypatch.setattr(views, "TRAIL_PAGE_SIZE", 2)
    for _ in range(4):
        audit_record(action=Action.VIEW, user=coordinator_kita)


def _page(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)
    return response, [q["sql"] for q in queries.captured_queries]


def test_past_the_cap_the_total_is_not_counted_and_pages_run_on_by_links(client, auditor, trail):
    client.force_login(auditor)  # the sign-in is on the trail too: five events, two a page
    response, sql = _page(client)
    body = response.content.decode()
    assert "4 件以上" in body and "1 ページ" in body and "page=2" in body
    assert [q for q in sql if "COUNT(*)" in q and "LIMIT 5" in q]  # counted up to the cap and one more
    shown = [event.pk for n in (1, 2, 3) for event in client.get(LIST, {"page": n}).context["page"].object_list]
    assert len(shown) == len(set(shown)) == 5
    last = client.get(LIST, {"page": 3})
    assert "page=2" in last.content.decode() and "page=4" not in last.content.decode()
    assert not client.get(LIST, {"page": 9}).context["page"].object_list  # past the end: empty, with a way back


def test_a_search_narrowed_below_the_cap_is_counted_exactly(client, auditor, trail):
    client.force_login(auditor)
    body = client.get(LIST, {"username": "kita_coordinator"}).content.decode()
    assert "4 件" in body and "件以上" not in body and "1 / 2 ページ" in body
