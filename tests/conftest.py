"""The fixed cast (STYLE.md 9): every test meets the same people in the same two cities.

大阪市: 北区 and 西成区, a coordinator of each, an agency worker of 北区地域包括支援センター, a supervisor,
bureau staff, an administrator and an auditor. 狛江市: one coordinator, to prove the city line holds.
"""

import importlib
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from accounts.models import Role
from tests.factories import (
    AgencyFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    MunicipalityFactory,
    UserFactory,
    WardFactory,
)

STANDARD_MASTER_MIGRATIONS = (
    "agencies.migrations.0002_standard_agency_categories",
    "cases.migrations.0001_squashed_0007_cases",
    "meetings.migrations.0001_squashed_0006_meetings",
    "referrals.migrations.0002_standard_kinds_and_decline_reasons",
)


@pytest.fixture(autouse=True)
def _standard_masters(request):
    """Transactional tests (the browser tests) end with a flush that empties the master lists the data
    migrations loaded; put them back for whichever database test comes next."""
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from django.apps import apps

    from agencies.models import AgencyCategory

    if not AgencyCategory.objects.filter(municipality=None).exists():
        for name in STANDARD_MASTER_MIGRATIONS:
            importlib.import_module(name).load(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _fresh_upload_folder():
    """Uploaded ledgers of the last run are gone before this one starts."""
    shutil.rmtree(Path(settings.STORAGES["ledger"]["OPTIONS"]["location"]), ignore_errors=True)


CAST = (
    "coordinator_kita",
    "coordinator_nishinari",
    "agency_worker",
    "supervisor",
    "bureau",
    "administrator",
    "auditor",
    "coordinator_komae",
)


@pytest.fixture
def osaka(db):
    return MunicipalityFactory(name="大阪市", code="271004")


@pytest.fixture
def komae(db):
    return MunicipalityFactory(name="狛江市", code="132195", area_label="日常生活圏域")


@pytest.fixture
def kita(osaka):
    return WardFactory(municipality=osaka, name="北区", sort_order=1)


@pytest.fixture
def nishinari(osaka):
    return WardFactory(municipality=osaka, name="西成区", sort_order=24)


@pytest.fixture
def komae_area(komae):
    return WardFactory(municipality=komae, name="狛江第一圏域")


@pytest.fixture
def kita_houkatsu(kita):
    return AgencyFactory(ward=kita)


@pytest.fixture
def coordinator_kita(kita):
    return UserFactory(username="kita_coordinator", role=Role.COORDINATOR, ward=kita, last_name="北野")


@pytest.fixture
def coordinator_nishinari(nishinari):
    return UserFactory(username="nishinari_coordinator", role=Role.COORDINATOR, ward=nishinari, last_name="西田")


@pytest.fixture
def agency_worker(kita_houkatsu):
    return UserFactory(username="agency_worker", role=Role.AGENCY_WORKER, agency=kita_houkatsu, last_name="包括")


@pytest.fixture
def supervisor(osaka):
    return UserFactory(username="supervisor", role=Role.SUPERVISOR, municipality=osaka, last_name="指導")


@pytest.fixture
def bureau(osaka):
    return UserFactory(username="bureau", role=Role.BUREAU, municipality=osaka, last_name="福祉")


@pytest.fixture
def administrator(osaka):
    return UserFactory(
        username="admin", role=Role.ADMINISTRATOR, municipality=osaka, is_staff=True, last_name="管理"
    )


@pytest.fixture
def auditor(osaka):
    return UserFactory(username="auditor", role=Role.AUDITOR, municipality=osaka, last_name="監査")


@pytest.fixture
def coordinator_komae(komae_area):
    return UserFactory(username="komae_coordinator", role=Role.COORDINATOR, ward=komae_area, last_name="狛江")


@pytest.fixture
def cast(request, db):
    """Every member of the cast, by name."""
    return {name: request.getfixturevalue(name) for name in CAST}


@pytest.fixture
def household_kita(kita):
    household = HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=household, name="北村 一郎", name_kana="きたむら いちろう")
    HouseholdMemberFactory(household=household, name="北村 花子", name_kana="きたむら はなこ", is_primary=False, relationship="spouse")
    return household


@pytest.fixture
def household_nishinari(nishinari):
    household = HouseholdFactory(ward=nishinari)
    HouseholdMemberFactory(household=household, name="西川 次郎", name_kana="にしかわ じろう")
    return household


@pytest.fixture
def household_komae(komae_area):
    household = HouseholdFactory(ward=komae_area)
    HouseholdMemberFactory(household=household, name="狛江 三郎", name_kana="こまえ さぶろう")
    return household


@pytest.fixture
def case_kita(household_kita, coordinator_kita, supervisor, kita_houkatsu):
    """An open case of 北区 with an SV dispatched, an issue, and a task for 北区地域包括支援センター — given under
    the person's consent to 「他機関への提供」 naming that centre only (the task's gate, docs/access-policy.md)."""
    import datetime as dt

    from cases import services
    from cases.models import IssueCategory

    case = services.case_open(
        user=coordinator_kita, household=household_kita, received_on=dt.date(2020, 5, 12), intake_channel="phone"
    )
    case.supervisors.add(supervisor)
    services.case_issue_add(
        user=coordinator_kita, case=case, category=IssueCategory.objects.get(name="経済的困窮"),
        noted_on=dt.date(2020, 5, 12),
    )
    services.consent_record(
        user=coordinator_kita, member=household_kita.members.get(is_primary=True), purpose="provision",
        obtained_on=dt.date(2020, 5, 20), method="written", agencies=[kita_houkatsu],
    )
    services.plan_create(
        user=coordinator_kita, case=case, kind="initial", goals="生活の立て直し", decided_on=dt.date(2020, 6, 1),
        tasks=[{"agency": kita_houkatsu, "task": "見守り訪問", "due_on": dt.date(2020, 7, 1)}],
    )
    return case


@pytest.fixture
def consent_kita(case_kita, coordinator_kita):
    import datetime as dt

    from cases import services

    return services.consent_record(
        user=coordinator_kita, member=case_kita.household.members.get(is_primary=True), purpose="sharing",
        obtained_on=dt.date(2020, 5, 20), method="written", all_agencies=True,
    )


@pytest.fixture
def meeting_kita(case_kita, coordinator_kita, kita, kita_houkatsu):
    """A つながる場 of 北区 next week under 地域ケア会議 (no consent needed): case_kita on the agenda,
    北区地域包括支援センター invited."""
    import datetime as dt

    from django.utils import timezone

    from meetings import services
    from meetings.models import MeetingBasis, MeetingKind

    return services.meeting_schedule(
        user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.now() + dt.timedelta(days=7),
        place="北区役所 会議室", agencies=[kita_houkatsu], cases=[case_kita],
    )


@pytest.fixture
def activity_kita(coordinator_kita, kita):
    import datetime as dt

    from meetings import services

    return services.activity_record(
        user=coordinator_kita, ward=kita, kind="liaison", held_on=dt.date(2022, 6, 1), title="地域包括支援センター運営協議会",
        agency_count=8,
    )


@pytest.fixture
def referral_kita(case_kita, coordinator_kita, kita_houkatsu, consent_kita):
    """北区役所 → 北区地域包括支援センター about case_kita, sharing the person's identity under consent_kita."""
    from referrals import services
    from referrals.models import ReferralKind

    return services.referral_send(
        user=coordinator_kita, case=case_kita, kind=ReferralKind.objects.get(municipality=None, name="つなぎ"),
        reason="見守りの強化をお願いしたい。", to_agency=kita_houkatsu, shares=["identity"], sharing_basis="consent",
    )


@pytest.fixture
def consultation_kita(case_kita, coordinator_kita, kita_houkatsu):
    """Yesterday's phone call on case_kita, with 北区地域包括支援センター involved."""
    import datetime as dt

    from django.utils import timezone

    from cases import services

    return services.consultation_record(
        user=coordinator_kita, case=case_kita, method="phone", summary="北村さんから電話。生活費の相談。",
        held_at=timezone.now() - dt.timedelta(days=1), agencies=[kita_houkatsu],
    )


LEDGER_CSV_KITA = (
    "開催日,区,事例番号,会議種別,開催根拠,SV派遣,相談のあった機関,参加機関,課題\n"
    "2020/5/12,北区,K-1,,地域ケア会議,有,地域包括支援センター,地域包括支援センター、生活困窮担当,認知症\n"
    "令和2年6月1日,北区,K-1,つながる場,本人同意,無,地域包括支援センター,地域包括支援センター,認知症、経済的困窮（疑い含む）\n"
    "R2.7.3,北区,K-2,,要対協,○,,社会福祉協議会,ひきこもり\n"
)


@pytest.fixture
def import_job_kita(coordinator_kita):
    """北区's coordinator's uploaded ledger, waiting for its check."""
    from ledger.jobs import job_submit

    return job_submit(user=coordinator_kita, upload=ContentFile(LEDGER_CSV_KITA.encode(), name="北区台帳.csv"))
