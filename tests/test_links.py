"""Every link leads somewhere its viewer may go (#14 item 4, docs/access-policy.md).

For each role, start at the dashboard and follow every link on every page it can reach (same site, GET), as a
user clicking would. Every one must answer 200, or redirect to a page that answers 200 — never 403, 404 or 500.
The world is the fixed cast with a case that has a task, a consultation, a meeting, an activity, a referral
and a ledger upload, so each role meets its real pages.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

ROLES = ("coordinator_kita", "coordinator_nishinari", "agency_worker", "supervisor", "bureau", "administrator",
         "auditor")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
# Not followed: leaving the app (logout), the admin's own pages beyond its index (tests/test_admin.py covers them),
# static files and the API's machine endpoints.
SKIP = re.compile(r"^/(static/|admin/.+|api/v1/(?!docs/$)|i18n/)")
MAX_PAGES = 400
MAX_PER_ROUTE = 6  # query-string variants of one route (pages, filters, boxes)


def _route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return "?"


def _links(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.match(parts.path):
            continue
        found.append(href)
    return found


def walk(client, user, titles: list | None = None) -> dict[str, tuple[int, str]]:
    """{url: (final status, the page that linked to it)} for every link reachable from the dashboard; the pages'
    <title>s go into `titles` when given."""
    client.force_login(user)
    seen: dict[str, tuple[int, str]] = {}
    per_route: dict[str, int] = {}
    queue = deque([("/", "(start)")])
    while queue and len(seen) < MAX_PAGES:
        url, source = queue.popleft()
        if url in seen:
            continue
        route = _route(urlsplit(url).path)
        per_route[route] = per_route.get(route, 0) + 1
        if per_route[route] > MAX_PER_ROUTE:
            continue
        response = client.get(url, follow=True)
        seen[url] = (response.status_code, source)
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            html = response.content.decode()
            if titles is not None:
                titles += TITLE.findall(html)
            for link in _links(html):
                if link not in seen:
                    queue.append((link, url))
    return seen


@pytest.fixture
def world(case_kita, consultation_kita, meeting_kita, activity_kita, referral_kita, import_job_kita, household_nishinari):
    return case_kita


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_can_click_opens(client, cast, world, role):
    seen = walk(client, cast[role])
    broken = {url: result for url, result in seen.items() if result[0] != 200}
    assert broken == {}, f"{role}: link → (status, linked from)"
    assert len(seen) > 3  # it did walk


@pytest.mark.parametrize("role", ["coordinator_kita", "agency_worker", "supervisor"])
def test_no_resident_s_name_is_in_a_title_a_link_or_the_audit_trail(client, cast, world, role):
    """#14 item 6: names in a tab title or a URL end up in browser history; the trail promises to hold none."""
    from audit.models import AuditEvent

    household = world.household
    names = [m.name for m in household.members.all()] + [m.name_kana for m in household.members.all()]
    names += [part for name in list(names) for part in name.split() if len(part) > 1]
    titles: list[str] = []
    seen = walk(client, cast[role], titles)
    assert any(household.members.get(is_primary=True).name in client.get(url).content.decode()
               for url in seen if url.startswith(("/cases/", "/referrals/", "/meetings/", "/tasks/")))  # it met them
    assert [t for t in titles if any(n in t for n in names)] == []
    assert [u for u in seen if any(n in u for n in names)] == []
    rows = AuditEvent.objects.values_list("path", "object_label", "detail", "user_agent")
    assert [row for row in rows if any(n in str(row) for n in names)] == []
