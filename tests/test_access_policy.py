"""The object-level side of docs/access-policy.md: for every relation a user can have to a case, build that
relation alone (through the services, as the product makes it), then check every kind of page against the
surfaces table and every item of the case against the items table. The expectations are read from the document.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases import services as case_services
from meetings import services as meeting_services
from meetings.models import MeetingBasis, MeetingKind
from referrals import services as referral_services
from referrals.models import ReferralKind
from tests.access_policy import ITEMS, SURFACES
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

SURFACE_KEYS = ("file", "task", "referral", "meeting")


def _kind():
    return ReferralKind.objects.get(municipality=None, name="つなぎ")


def _consent(coordinator, case, agencies, purpose="provision"):
    return case_services.consent_record(user=coordinator, member=case.household.members.get(is_primary=True),
                                        purpose=purpose, obtained_on=dt.date(2020, 6, 1), method="written",
                                        agencies=agencies)


def _worker(kita, name):
    agency = AgencyFactory(ward=kita, name=name)
    return UserFactory(username=f"worker_{agency.pk}", role=Role.AGENCY_WORKER, agency=agency, last_name="職員")


@pytest.fixture
def world(cast, kita, case_kita, consultation_kita, coordinator_kita):
    """case_kita with one user of each relation, and the task, referral and meeting each relation's pages open."""
    lead = UserFactory(username="kita_lead", role=Role.COORDINATOR, ward=kita, last_name="主担当")
    case_services.case_update(user=coordinator_kita, case=case_kita, expected_version=case_kita.version, lead=lead)
    case_kita.refresh_from_db()
    users = {"ward_coordinator": coordinator_kita, "lead": lead, "other_ward_coordinator": cast["coordinator_nishinari"],
             "bureau": cast["bureau"], "administrator": cast["administrator"], "auditor": cast["auditor"]}
    own = {}
    # A task given under a consent naming the agency.
    task_worker = users["task_agency"] = _worker(kita, "北区訪問看護ステーション")
    _consent(coordinator_kita, case_kita, [task_worker.agency])
    own["task_agency", "task"] = case_services.task_assign(user=coordinator_kita, case=case_kita,
                                                           agency=task_worker.agency, task="服薬の見守り")
    # A referral passing on all five items under a consent naming the receiver.
    receiver = users["referral_receiver"] = _worker(kita, "北区障がい者相談支援センター")
    _consent(coordinator_kita, case_kita, [receiver.agency])
    own["referral_receiver", "referral"] = referral_services.referral_send(
        user=coordinator_kita, case=case_kita, kind=_kind(), reason="支援の依頼", to_agency=receiver.agency,
        shares=["identity", "household", "issues", "consultations", "plan"], sharing_basis="consent")
    # An agency that received a referral without personal details, accepted it and sent one on, also without.
    sender = users["referral_sender_agency"] = _worker(kita, "北区社会福祉協議会")
    received = referral_services.referral_send(user=coordinator_kita, case=case_kita, kind=_kind(), reason="相談",
                                               to_agency=sender.agency)
    referral_services.referral_transition(user=sender, referral=received, action="accept")
    own["referral_sender_agency", "referral"] = referral_services.referral_send(
        user=sender, case=case_kita, kind=_kind(), reason="就労の相談", to_agency=AgencyFactory(ward=kita, name="北区就労支援"))
    # An agency invited to a 支援会議 on the case, with an SV dispatched to that meeting (and so to the case).
    invited = users["meeting_agency"] = _worker(kita, "北区子ども相談センター")
    sv = users["dispatched_sv"] = UserFactory(username="sv_meeting", role=Role.SUPERVISOR,
                                              municipality=case_kita.municipality, last_name="派遣")
    meeting = meeting_services.meeting_schedule(
        user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="支援会議"),
        basis=MeetingBasis.objects.get(municipality=None, name="支援会議"),
        starts_at=timezone.now() - dt.timedelta(days=1), agencies=[invited.agency], cases=[case_kita], supervisor=sv,
        sv_dispatched=True)
    own["meeting_agency", "meeting"] = meeting_services.meeting_record(
        user=coordinator_kita, meeting=meeting, version=meeting.version, attended_agencies=[invited.agency],
        minutes="協議した", decisions="見守りを続ける")
    # An agency named in a consent, and nothing else.
    named = users["consent_agency"] = _worker(kita, "北区居住支援法人")
    _consent(coordinator_kita, case_kita, [named.agency], purpose="sharing")
    default = {"task": own["task_agency", "task"], "referral": own["referral_receiver", "referral"],
               "meeting": own["meeting_agency", "meeting"]}
    return {"case": case_kita, "users": users, "own": own, "default": default}


def _urls(world, relation, surface) -> list[str]:
    case = world["case"]
    if surface == "file":
        return [reverse("cases:case_detail", args=[case.pk]), reverse("cases:household_detail", args=[case.household_id])]
    obj = world["own"].get((relation, surface), world["default"][surface])
    name = {"task": "cases:task_detail", "referral": "referrals:referral_detail", "meeting": "meetings:meeting_detail"}
    return [reverse(name[surface], args=[obj.pk])]


def test_the_document_names_every_relation_the_issue_lists():
    assert set(SURFACES) == set(ITEMS) == {
        "ward_coordinator", "lead", "other_ward_coordinator", "dispatched_sv", "task_agency", "referral_receiver",
        "referral_sender_agency", "meeting_agency", "consent_agency", "bureau", "administrator", "auditor"}


@pytest.mark.parametrize("relation", sorted(SURFACES))
def test_each_relation_opens_exactly_the_pages_the_policy_gives_it(client, world, relation):
    client.force_login(world["users"][relation])
    got = {surface: {client.get(url).status_code for url in _urls(world, relation, surface)} for surface in SURFACE_KEYS}
    assert got == {surface: {SURFACES[relation][surface]} for surface in SURFACE_KEYS}


def _markers(world) -> dict[str, dict[str, list[str]]]:
    """For each item, the text that proves it is on a page: full (the file), partial (a copy, a task, a meeting)."""
    case = world["case"]
    primary = case.household.members.get(is_primary=True)
    spouse = case.household.members.get(is_primary=False)
    return {
        "identity": {"name": [primary.name], "contact": [case.household.address]},
        "household": {"full": [spouse.name], "partial": ["世帯構成"]},
        "issues": {"full": ["経済的困窮"]},
        "consultations": {"full": ["生活費の相談"]},
        "plan": {"full": ["生活の立て直し"]},
        "consents": {"full": ["同意した人"]},
        "history": {"full": ["変更した人"]},
    }


def _shown(texts, pages) -> bool:
    return any(text in page for text in texts for page in pages)


@pytest.mark.parametrize("relation", sorted(ITEMS))
def test_each_relation_sees_exactly_the_items_the_policy_gives_it(client, world, relation):
    client.force_login(world["users"][relation])
    pages = [response.content.decode() for surface in SURFACE_KEYS for url in _urls(world, relation, surface)
             if (response := client.get(url)).status_code == 200]
    markers = _markers(world)
    for item, rule in ITEMS[relation].items():
        found = markers[item]
        all_texts = [text for texts in found.values() for text in texts]
        if rule == "—":
            assert not _shown(all_texts, pages), (relation, item)
        elif rule == "氏名のみ":
            assert _shown(found["name"], pages) and not _shown(found["contact"], pages), (relation, item)
        elif item == "identity":
            assert _shown(found["name"], pages) and _shown(found["contact"], pages), (relation, item)
        elif rule == "○":
            assert _shown(found["full"], pages), (relation, item)
        else:  # 控え・期間中・協議時: the item's own section on the relation's page, never the file's
            assert _shown(found.get("partial", found["full"]), pages), (relation, item)
            if "partial" in found:
                assert not _shown(found["full"], pages), (relation, item)


def test_a_task_s_window_closes_when_it_is_done_and_when_the_case_closes(client, world):
    """期間中: the task's items go when the task is done (and the page says why)."""
    worker, task = world["users"]["task_agency"], world["own"]["task_agency", "task"]
    client.force_login(worker)
    url = reverse("cases:task_detail", args=[task.pk])
    name = world["case"].household.members.get(is_primary=True).name
    assert name in client.get(url).content.decode()
    case_services.task_set_status(user=worker, task=task, status="done")
    page = client.get(url).content.decode()
    assert name not in page and "閲覧できなくなりました" in page


def test_a_task_s_window_closes_when_its_consent_is_withdrawn(client, world):
    worker, task = world["users"]["task_agency"], world["own"]["task_agency", "task"]
    case_services.consent_withdraw(user=world["users"]["ward_coordinator"], consent=task.consent)
    client.force_login(worker)
    page = client.get(reverse("cases:task_detail", args=[task.pk])).content.decode()
    assert world["case"].household.members.get(is_primary=True).name not in page and "同意を撤回" in page


def test_the_lead_is_one_of_the_case_s_ward_coordinators(case_kita, coordinator_kita, coordinator_nishinari):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        case_services.case_update(user=coordinator_kita, case=case_kita, expected_version=case_kita.version,
                                  lead=coordinator_nishinari)
    assert caught.value.code == "lead_other_ward"
