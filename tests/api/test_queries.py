"""No list grows its query count with its rows (STYLE.md 11): one row or ten, the same queries.

Per request: the token and its user (1) and its last use (1, a conditional UPDATE that writes at most once a
minute), the rate limit's count in the shared database cache (6: read, the cache's size, and the write in a
savepoint), the page's count (1), the rows with their joined ward/kind/lead/… (1), one per prefetched
many-to-many (agencies, members), the audit event and its chain head, and the transaction's savepoints
(ATOMIC_REQUESTS).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyCategory
from cases import services as case_services
from cases.models import IssueCategory
from meetings import services as meeting_services
from meetings.models import MeetingBasis, MeetingKind
from referrals import services as referral_services
from referrals.models import Referral, ReferralKind
from tests.factories import AgencyFactory, HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db


class Kita:
    """Builds more 北区 rows of each kind, as the pages would."""

    def __init__(self, coordinator, ward, agency, case):
        self.coordinator, self.ward, self.agency, self.case_kita = coordinator, ward, agency, case
        self.n = 0

    def household(self):
        household = HouseholdFactory(ward=self.ward)
        HouseholdMemberFactory(household=household)
        HouseholdMemberFactory(household=household, is_primary=False, relationship="child")
        return household

    def new_case(self):
        self.n += 1
        household = self.household()
        case = case_services.case_open(user=self.coordinator, household=household, received_on=dt.date(2020, 5, 1),
                                       intake_channel="agency", referring_agency=self.agency)
        case_services.consent_record(user=self.coordinator, member=household.members.get(is_primary=True),
                                     purpose="provision", obtained_on=dt.date(2020, 5, 1), method="written",
                                     agencies=[self.agency])
        case_services.plan_create(user=self.coordinator, case=case, kind="initial", goals="見守り", decided_on=dt.date(2020, 5, 2),
                                  tasks=[{"agency": self.agency, "task": "訪問", "due_on": dt.date(2020, 6, 1)}])
        return case

    def issue(self):
        categories = list(IssueCategory.objects.order_by("pk"))
        self.n += 1
        member = self.case_kita.household.members.first()
        return case_services.case_issue_add(user=self.coordinator, case=self.case_kita, category=categories[self.n],
                                            member=member, noted_on=dt.date(2020, 5, 12))

    def consultation(self):
        self.n += 1
        other = AgencyFactory(ward=self.ward, category=AgencyCategory.objects.filter(municipality=None)[self.n % 5],
                              name=f"関係機関{self.n}")
        return case_services.consultation_record(user=self.coordinator, case=self.case_kita, method="phone", summary="電話",
                                                 held_at=timezone.now() - dt.timedelta(hours=self.n),
                                                 agencies=[self.agency, other])

    def meeting(self):
        return meeting_services.meeting_schedule(
            user=self.coordinator, ward=self.ward, kind=MeetingKind.objects.get(name="つながる場"),
            basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.now() + dt.timedelta(days=3),
            agencies=[self.agency], cases=[self.new_case()],
        )

    def activity(self):
        return meeting_services.activity_record(user=self.coordinator, ward=self.ward, kind="liaison",
                                                held_on=dt.date(2022, 6, 1), agencies=[self.agency])

    def referral(self):
        return referral_services.referral_send(user=self.coordinator, case=self.new_case(),
                                               kind=ReferralKind.objects.get(municipality=None, name="つなぎ"),
                                               reason="お願いします。", to_agency=self.agency)


@pytest.fixture
def kita_rows(coordinator_kita, kita, kita_houkatsu, case_kita):
    return Kita(coordinator_kita, kita, kita_houkatsu, case_kita)


LISTS = {"household_list": "household", "case_list": "new_case", "issue_list": "issue", "consultation_list": "consultation",
         "meeting_list": "meeting", "activity_list": "activity", "referral_list": "referral"}


def _queries(client, url) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.json()["count"], len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_costs_the_same_queries_for_one_row_as_for_ten(name, api, coordinator_kita, kita_rows, request):
    client = api(coordinator_kita)
    url = reverse(f"api:{name}")
    make = getattr(kita_rows, LISTS[name])
    make()
    small_count, small, _ = _queries(client, url)
    for _ in range(9):
        make()
    large_count, large, sql = _queries(client, url)
    assert large_count >= small_count + 9
    assert large == small, "\n".join(sql)
    request.node.user_properties.append((name, small))


def test_the_query_counts_are_these(api, coordinator_kita, kita_rows):
    """The numbers the report of this change quotes, pinned so that a new query shows up in review."""
    client = api(coordinator_kita)
    counts = {}
    for name, kind in LISTS.items():
        for _ in range(3):
            getattr(kita_rows, kind)()
        counts[name] = _queries(client, reverse(f"api:{name}"))[1]
    assert counts == {"household_list": 16, "case_list": 15, "issue_list": 15, "consultation_list": 16,
                      "meeting_list": 15, "activity_list": 13, "referral_list": 16}  # referrals: ids, then rows


def test_the_referral_list_reads_a_page_s_ids_alone_then_those_rows_in_the_same_order(api, coordinator_kita, kita_rows):
    # At city scale an agency receives tens of thousands of referrals: the page's ids come from the referral table
    # alone (ordered by its index or a narrow sort), and only those fifty are joined to their cases, offices, kinds.
    client = api(coordinator_kita)
    made = [kita_rows.referral().pk for _ in range(5)]
    url = reverse("api:referral_list")
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url, {"page_size": 2}).json()
    ids_alone = [q["sql"] for q in captured.captured_queries
                 if q["sql"].startswith('SELECT "referrals_referral"."id"') and "LIMIT" in q["sql"]]
    assert len(ids_alone) == 1 and "JOIN" not in ids_alone[0] and "LIMIT 2" in ids_alone[0]
    shown = [row["id"] for page in (1, 2, 3) for row in client.get(url, {"page_size": 2, "page": page}).json()["results"]]
    assert shown == made[::-1]  # newest first, as before: sent one after another
    assert first["count"] == 5 and first["next"] and first["previous"] is None


def test_an_agency_s_list_merges_what_it_received_and_what_it_sent_each_read_apart(api, agency_worker, kita_rows):
    # Received and sent are read down their own indexes (no OR over every row) and merged in one UNION ALL;
    # the list is the same: both kinds, newest first, counted once each, nothing of another agency's.
    made = [kita_rows.referral().pk for _ in range(6)]  # all to 北区地域包括支援センター, one after another
    other = AgencyFactory(ward=kita_rows.ward, name="別の機関")
    Referral.all_objects.filter(pk__in=[made[1], made[3]]).update(from_agency=kita_rows.agency, to_agency=other)
    Referral.all_objects.filter(pk=made[5]).update(to_agency=other)  # neither from nor to the agency
    visible = made[4::-1]
    client = api(agency_worker)
    url = reverse("api:referral_list")
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url, {"page_size": 2}).json()
    merged = [q["sql"] for q in captured.captured_queries if "UNION ALL" in q["sql"]]
    assert len(merged) == 2 and all("JOIN" not in sql for sql in merged)  # the count, the ids
    shown = [row["id"] for page in (1, 2, 3) for row in client.get(url, {"page_size": 2, "page": page}).json()["results"]]
    assert shown == visible
    assert first["count"] == 5 and first["next"] and first["previous"] is None
    sent = client.get(url, {"box": "sent"}).json()
    assert [row["id"] for row in sent["results"]] == [made[3], made[1]] and sent["count"] == 2
