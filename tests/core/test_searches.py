"""Searches for people stay out of URLs and the audit trail (issue 14, item 6): the forms post, the session keeps
the terms under a short key, and the lists are shown at ?s=<key>."""

import datetime as dt
import html
import re
from urllib.parse import unquote

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from agencies.services import municipality_setup
from audit.models import AuditEvent
from cases.models import HouseholdMember
from cases.services.bulk import NewHousehold, household_bulk_create
from core.searches import KEEP, search_query, search_recall, search_remember

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']*)["']""")


def _request(path="/households/", **params):
    request = RequestFactory().get(path, params)
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def test_the_same_terms_keep_their_key_and_an_unknown_key_finds_nothing():
    request = _request()
    key = search_remember(request, {"q": "北村"})
    assert key and search_remember(request, {"q": "北村"}) == key
    assert search_remember(request, {"q": ""}) == ""
    assert search_recall(_request(s=key)) == {}  # another session
    request.GET = QueryDict(f"s={key}")
    assert search_recall(request) == {"q": "北村"}


def test_only_the_latest_searches_are_kept():
    request = _request()
    keys = [search_remember(request, {"q": f"名前{n}"}) for n in range(KEEP + 5)]
    assert len(request.session["searches"]) == KEEP and keys[0] not in request.session["searches"]


def test_the_list_url_carries_the_key_and_the_filters_but_not_the_terms_or_the_page():
    params = QueryDict("q=北村&status=all&ward=3&page=4&csrfmiddlewaretoken=x&s=old")
    assert QueryDict(search_query("abc", params, drop=("q",))) == QueryDict("status=all&ward=3&s=abc")


# -------------------------------------------------------------------------------- with a demo resident


@pytest.fixture
def demo_kita():
    """The demo city's households (demo.seed), and the 北区 coordinator who searches them."""
    from demo.people import OSAKA_CODE, OSAKA_NAME, OSAKA_WARDS
    from demo.seed import seed_households, seed_users

    osaka = municipality_setup(name=OSAKA_NAME, code=OSAKA_CODE, wards=OSAKA_WARDS)
    seed_users(osaka)
    seed_households(osaka)
    return User.objects.get(username="kita_coordinator")


def _personal(member) -> list[str]:
    """The ways a resident's name can show in a URL or a log."""
    forms = {member.name, member.name.replace(" ", ""), member.name_kana, member.name_kana.replace(" ", "")}
    for part in member.name.split() + member.name_kana.split():
        forms.add(part)
    return sorted(forms)


def _links(page: str) -> list[str]:
    return [unquote(html.unescape(url)) for url in LINK.findall(page)]


def _assert_nothing_personal(response, member):
    urls = [unquote(url) for url, _status in response.redirect_chain] + _links(response.content.decode())
    for url in urls:
        for word in _personal(member):
            assert word not in url, (word, url)
    for row in AuditEvent.objects.values():
        text = " ".join(str(value) for value in row.values())
        for word in _personal(member):
            assert word not in text, (word, row)


@pytest.mark.parametrize("url_name", ["cases:household_list", "home:dashboard"])
def test_a_name_searched_from_the_list_or_the_dashboard_shows_in_no_link_and_no_audit_row(client, demo_kita, url_name):
    member = HouseholdMember.objects.filter(household__ward=demo_kita.ward, is_primary=True).order_by("pk").first()
    client.force_login(demo_kita)
    page = client.get(reverse(url_name)).content.decode()
    # The search box posts to the household list (the dashboard's too).
    assert f'<form method="post" action="{reverse("cases:household_list")}"' in page

    response = client.post(reverse("cases:household_list"), {"q": member.name}, follow=True)

    assert [h.pk for h in response.context["page"].object_list] == [member.household_id]
    final_url = response.redirect_chain[-1][0]
    assert re.fullmatch(r"/households/\?s=[\w-]+", final_url)
    _assert_nothing_personal(response, member)


def test_a_name_searched_on_the_case_list_shows_in_no_link_and_no_audit_row(client, demo_kita):
    from cases import services

    member = HouseholdMember.objects.filter(household__ward=demo_kita.ward, is_primary=True).order_by("pk").first()
    case = services.case_open(user=demo_kita, household=member.household, received_on=dt.date(2020, 5, 12),
                              intake_channel="phone")
    client.force_login(demo_kita)

    response = client.post(reverse("cases:case_list"), {"q": member.name_kana, "status": "all"}, follow=True)

    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    assert re.fullmatch(r"/cases/\?status=all&s=[\w-]+", response.redirect_chain[-1][0])
    _assert_nothing_personal(response, member)


def test_the_duplicate_check_of_a_demo_resident_shows_their_name_in_no_link_and_no_audit_row(client, demo_kita):
    member = HouseholdMember.objects.filter(household__ward=demo_kita.ward, is_primary=True).order_by("pk").first()
    client.force_login(demo_kita)

    response = client.post(reverse("cases:household_create"), {
        "name": member.name, "name_kana": member.name_kana, "birth_date": member.birth_date.isoformat(),
        "sex": member.sex, "address": "", "phone": "", "note": ""}, follow=True)

    assert [h.pk for h in response.context["duplicates"].mine] == [member.household_id]
    assert response.redirect_chain == []  # answered on the posted form's own address
    _assert_nothing_personal(response, member)


def test_the_next_page_of_a_search_keeps_the_search_without_naming_it(client, coordinator_kita, kita):
    household_bulk_create(user=None, municipality=kita.municipality, households=[
        NewHousehold(ward=kita, members=[{"name": f"北村 {n}郎", "name_kana": f"きたむら {n}ろう"}]) for n in range(55)])
    household_bulk_create(user=None, municipality=kita.municipality, households=[
        NewHousehold(ward=kita, members=[{"name": "南 花子", "name_kana": "みなみ はなこ"}])])
    client.force_login(coordinator_kita)
    first = client.post(reverse("cases:household_list"), {"q": "ｷﾀﾑﾗ"}, follow=True)
    assert first.context["page"].paginator.count == 55
    next_link = next(url for url in _links(first.content.decode()) if "page=2" in url)
    assert "ｷﾀﾑﾗ" not in next_link and "きたむら" not in next_link and "s=" in next_link

    second = client.get(reverse("cases:household_list") + next_link)

    assert second.context["page"].number == 2 and len(second.context["page"].object_list) == 5
    assert all("北村" in h.primary_member.name for h in second.context["page"].object_list)


def test_a_search_typed_into_the_address_bar_is_moved_out_of_it(client, coordinator_kita, household_kita):
    client.force_login(coordinator_kita)
    response = client.get(reverse("cases:household_list"), {"q": "きたむら"})
    assert response.status_code == 302 and "q=" not in response.url and "s=" in response.url
    assert [h.pk for h in client.get(response.url).context["page"].object_list] == [household_kita.pk]


def test_a_search_key_from_another_session_shows_the_whole_list(client, coordinator_kita, household_kita, kita):
    from tests.factories import HouseholdFactory, HouseholdMemberFactory

    other = HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=other, name="南 花子", name_kana="みなみ はなこ")
    client.force_login(coordinator_kita)
    url = client.post(reverse("cases:household_list"), {"q": "きたむら"}).url
    client.logout()
    client.force_login(coordinator_kita)  # a new session: the key means nothing there
    assert client.get(url).context["page"].paginator.count == 2
