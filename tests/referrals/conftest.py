"""Referral fixtures: 北区生活困窮担当 and its worker join the cast as a second agency that has no task on
case_kita, so whatever it sees of the case it sees through a referral."""

import datetime as dt

import pytest

from accounts.models import Role
from agencies.models import AgencyCategory
from referrals import services
from referrals.models import ReferralKind
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def kita_konkyu(kita):
    return AgencyFactory(ward=kita, category=AgencyCategory.objects.get(municipality=None, name="生活困窮担当"))


@pytest.fixture
def konkyu_worker(kita_konkyu):
    return UserFactory(username="konkyu_worker", role=Role.AGENCY_WORKER, agency=kita_konkyu, last_name="困窮",
                       email="konkyu@example.jp")


@pytest.fixture
def konkyu_worker_2(kita_konkyu):
    return UserFactory(username="konkyu_worker_2", role=Role.AGENCY_WORKER, agency=kita_konkyu, last_name="窓口",
                       email="madoguchi@example.jp")


def kind(name="つなぎ"):
    return ReferralKind.objects.get(municipality=None, name=name)


@pytest.fixture
def provision_consent(case_kita, coordinator_kita, kita_konkyu):
    """The primary person's consent to 他機関への提供, naming 北区生活困窮担当 only."""
    from cases import services as case_services

    return case_services.consent_record(
        user=coordinator_kita, member=case_kita.household.members.get(is_primary=True), purpose="provision",
        obtained_on=dt.date(2020, 6, 1), method="written", agencies=[kita_konkyu],
    )


@pytest.fixture
def referral_to_konkyu(case_kita, coordinator_kita, kita_konkyu, konkyu_worker, provision_consent):
    """北区役所 → 北区生活困窮担当, sharing the person's identity and issues under consent."""
    return services.referral_send(
        user=coordinator_kita, case=case_kita, kind=kind(), reason="家賃滞納があり、家計改善支援につなぎたい。",
        to_agency=kita_konkyu, shares=["identity", "issues"], sharing_basis="consent",
    )
