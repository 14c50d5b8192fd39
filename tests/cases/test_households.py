import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.access import household_for_user
from cases.models import Household
from core.scoping import UnscopedQueryError
from tests.factories import HouseholdFactory, HouseholdMemberFactory


def test_an_unscoped_query_on_personal_data_fails_loudly(db):
    with pytest.raises(UnscopedQueryError):
        list(Household.objects.all())
    with pytest.raises(UnscopedQueryError):
        Household.objects.filter(pk=1)


def test_a_coordinator_sees_the_households_of_their_own_ward_only(
    coordinator_kita, household_kita, household_nishinari, household_komae
):
    assert list(Household.objects.for_user(coordinator_kita)) == [household_kita]


@pytest.mark.parametrize("role", ["supervisor", "agency_worker", "bureau", "administrator", "auditor"])
def test_roles_without_a_case_link_see_no_household(cast, role, household_kita, household_nishinari):
    assert not Household.objects.for_user(cast[role]).exists()


def test_the_access_function_gives_404_across_wards_and_cities(
    coordinator_nishinari, coordinator_komae, household_kita
):
    from django.http import Http404

    for user in (coordinator_nishinari, coordinator_komae):
        with pytest.raises(Http404):
            household_for_user(user, household_kita.pk)


@pytest.mark.parametrize("role", ["bureau", "administrator", "auditor"])
def test_the_access_function_gives_403_to_roles_that_never_see_personal_data(cast, role, household_kita):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        household_for_user(cast[role], household_kita.pk)


def test_a_coordinator_may_write_a_household_of_their_ward(coordinator_kita, household_kita):
    assert household_for_user(coordinator_kita, household_kita.pk, write=True) == household_kita


def _add_households(ward, count):
    for _ in range(count):
        household = HouseholdFactory(ward=ward)
        HouseholdMemberFactory(household=household)
        HouseholdMemberFactory(household=household, is_primary=False, relationship="長男")


def test_the_household_list_costs_the_same_queries_for_two_rows_or_twelve(
    client, coordinator_kita, kita, django_assert_num_queries
):
    client.force_login(coordinator_kita)
    _add_households(kita, 2)
    # savepoint, session, user, count, page of households with wards, their members (one prefetch),
    # audit insert (with its chain head: 3), user's municipality and ward (header), release; session save
    # (savepoint, update, release)
    with django_assert_num_queries(16):  # 15 + the navigation badges
        response = client.get(reverse("cases:household_list"))
    assert len(response.context["page"].object_list) == 2
    _add_households(kita, 10)
    with django_assert_num_queries(16):  # 15 + the navigation badges
        response = client.get(reverse("cases:household_list"))
    assert len(response.context["page"].object_list) == 12


def _busy(household, coordinator, agency, n):
    """Add n members, n cases each with an issue, a consultation naming an agency and a plan with a task."""
    import datetime as dt

    from cases import services
    from cases.models import IssueCategory

    category = IssueCategory.objects.get(name="孤立")
    primary = household.members.get(is_primary=True)
    if not primary.consents.filter(purpose="provision", agencies=agency).exists():
        services.consent_record(user=coordinator, member=primary, purpose="provision", obtained_on=dt.date(2021, 4, 1),
                                method="written", agencies=[agency])
    for i in range(n):
        HouseholdMemberFactory(household=household, is_primary=False, name=f"家族 {i}", relationship="子")
        case = services.case_open(user=coordinator, household=household, received_on=dt.date(2021, 4, 1 + i),
                                  intake_channel="agency", referring_agency=agency)
        services.case_issue_add(user=coordinator, case=case, category=category)
        services.consultation_record(user=coordinator, case=case, method="phone", summary="電話", agencies=[agency])
        services.plan_create(user=coordinator, case=case, kind="initial", goals="目標", decided_on=dt.date(2021, 5, 1),
                             tasks=[{"agency": agency, "task": f"訪問 {i}", "due_on": dt.date(2021, 6, 1)}])


def test_the_household_page_costs_the_same_queries_for_a_small_or_a_busy_household(
    client, coordinator_kita, household_kita, kita_houkatsu, django_assert_num_queries
):
    client.force_login(coordinator_kita)
    _busy(household_kita, coordinator_kita, kita_houkatsu, 1)
    url = reverse("cases:household_detail", args=[household_kita.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _busy(household_kita, coordinator_kita, kita_houkatsu, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    page = response.content.decode()
    assert "北村 一郎" in page and "家族 3" in page and "訪問 3" in page
    assert page.count("<svg") >= 1


def test_the_household_page_is_never_cached(client, coordinator_kita, household_kita):
    client.force_login(coordinator_kita)
    response = client.get(reverse("cases:household_detail", args=[household_kita.pk]))
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [("1960-04-01", "2020-03-31", 59), ("1960-04-01", "2020-04-01", 60), ("2000-02-29", "2021-02-28", 20)],
)
def test_a_members_age_turns_on_the_birthday(birth, day, age):
    import datetime as dt

    member = HouseholdMemberFactory.build(birth_date=dt.date.fromisoformat(birth))
    assert member.age_on(dt.date.fromisoformat(day)) == age


def test_the_household_page_lists_who_changed_which_fields(client, coordinator_kita, household_kita):
    from cases import services

    member = household_kita.members.get(is_primary=True)
    services.household_update(user=coordinator_kita, household=household_kita, expected_version=1, phone="06-1111-1111")
    services.member_update(user=coordinator_kita, member=member, expected_version=1, care_level="care_2")
    client.force_login(coordinator_kita)
    history = client.get(reverse("cases:household_detail", args=[household_kita.pk])).context["history"]
    changes = [(entry.what, entry.fields, entry.by) for entry in history if entry.fields != ["登録"]]
    name = coordinator_kita.display_name
    assert changes == [("北村 一郎", ["要介護度"], name), ("世帯", ["電話番号"], name)]
