"""A family whose case closed long ago, with their names in every place a name can go (and in the history).

Every string in NAMES must be gone from the whole database after the family is anonymised.
"""

import datetime as dt

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from agencies.models import AgencyCategory
from cases import services as cases
from cases.models import Household, HouseholdMember, IssueCategory
from meetings import services as meetings
from meetings.models import MeetingBasis, MeetingKind
from referrals import services as referrals
from referrals.models import ReferralKind

# What identifies the family: every name, reading, address and phone they ever had, and the birth dates.
OLD_NAME, NAME, SPOUSE = "鬼頭 雅美", "鷲尾 雅美", "鷲尾 竜之介"
OLD_KANA, KANA, SPOUSE_KANA = "きとう まさみ", "わしお まさみ", "わしお りゅうのすけ"
OLD_ADDRESS, ADDRESS = "大阪市北区雲雀丘1-1-1", "大阪市北区鶯谷町9-8-7"
OLD_PHONE, PHONE = "090-1111-2222", "06-9876-5432"
BIRTH, SPOUSE_BIRTH = dt.date(1961, 7, 23), dt.date(1958, 2, 11)
NAMES = [OLD_NAME, NAME, SPOUSE, "鷲尾雅美", "鷲尾", "鬼頭", "竜之介", OLD_KANA, KANA, SPOUSE_KANA, "わしお", "ワシオ",
         "りゅうのすけ", OLD_ADDRESS, ADDRESS, "雲雀丘", "鶯谷町", OLD_PHONE, PHONE, "0698765432", "09011112222",
         BIRTH.isoformat(), SPOUSE_BIRTH.isoformat()]
# The neighbours discussed at the same meeting: their case is open, so they stay.
NEIGHBOUR = "隣田 一郎"


def category(name):
    return AgencyCategory.objects.get(municipality=None, name=name)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def old_family(*, coordinator, agency_worker, ward, agency, closed_on=dt.date(2020, 3, 31)) -> Household:
    """The 鷲尾 family: one case received 2019-05-01 and closed on `closed_on`, discussed at a つながる場 with the
    neighbours' open case, referred to `agency` (consent, sharing everything), and a duplicate household merged in."""
    household = cases.household_create(
        user=coordinator, ward=ward, address=OLD_ADDRESS, phone=OLD_PHONE, note=f"{OLD_NAME}さんは耳が遠い。",
        primary={"name": OLD_NAME, "name_kana": OLD_KANA, "birth_date": BIRTH, "sex": "female", "relationship": "self"},
    )
    household = cases.household_update(user=coordinator, household=household, expected_version=household.version,
                                       address=ADDRESS, phone=PHONE, note=f"{NAME}さん（{PHONE}）は耳が遠い。")
    primary = household.members.get()
    cases.member_update(user=coordinator, member=primary, expected_version=primary.version, name=NAME, name_kana=KANA)
    # The system operator once corrected the member in the admin: its log labels the row with the name.
    LogEntry.objects.create(user=coordinator, content_type=ContentType.objects.get_for_model(HouseholdMember),
                            object_id=str(primary.pk), object_repr=OLD_NAME, action_flag=CHANGE, change_message="[]")
    spouse = cases.member_add(user=coordinator, household=household, name=SPOUSE, name_kana=SPOUSE_KANA,
                              birth_date=SPOUSE_BIRTH, sex="male", relationship="spouse", relationship_note="竜之介（夫）")
    duplicate = cases.household_create(user=coordinator, ward=ward, address=ADDRESS, phone=PHONE,
                                       primary={"name": "鷲尾雅美", "name_kana": "ワシオ マサミ", "relationship": "self"})
    cases.household_merge(user=coordinator, source=duplicate, target=household, reason=f"{NAME}さんの重複登録（{ADDRESS}）")

    received = dt.date(2019, 5, 1)
    case = cases.case_open(user=coordinator, household=household, received_on=received, intake_channel="agency",
                           referring_category=category("地域包括支援センター"), summary=f"{NAME}さん（{KANA}）から相談。")
    cases.case_issue_add(user=coordinator, case=case, category=IssueCategory.objects.get(name="経済的困窮"),
                         member=primary, noted_on=received, note=f"{SPOUSE}さんの借金")
    cases.case_issue_add(user=coordinator, case=case, category=IssueCategory.objects.get(name="認知症"),
                         member=spouse, noted_on=received)
    cases.consultation_record(user=coordinator, case=case, method="visit", held_at=at(received),
                              summary=f"{NAME}（{KANA}）さん来所。{ADDRESS}在住、電話 {PHONE}。",
                              next_action=f"{SPOUSE}さんに電話（{OLD_PHONE}）")
    consent = cases.consent_record(user=coordinator, member=household.members.get(is_primary=True), purpose="provision",
                                   obtained_on=dt.date(2019, 5, 20), method="written", all_agencies=True,
                                   note=f"{NAME}さん署名")
    cases.plan_create(user=coordinator, case=case, kind="initial", goals=f"{NAME}さんの生活の立て直し",
                      policy=f"{SPOUSE}さんと一緒に", decided_on=dt.date(2019, 6, 1),
                      tasks=[{"agency": agency, "task": f"{SPOUSE}さんの見守り訪問", "person": "包括 担当"}])

    neighbours = cases.household_create(user=coordinator, ward=ward, address="大阪市北区隣町1-1",
                                        primary={"name": NEIGHBOUR, "name_kana": "となりだ いちろう", "relationship": "self"})
    theirs = cases.case_open(user=coordinator, household=neighbours, received_on=received, intake_channel="phone")
    meeting = meetings.meeting_schedule(
        user=coordinator, ward=ward, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=at(dt.date(2019, 7, 1)),
        title=f"{NAME}さん・{NEIGHBOUR}さんの検討", agencies=[agency], cases=[case, theirs],
    )
    meetings.meeting_record(
        user=coordinator, meeting=meeting, version=meeting.version, attended_agencies=[agency],
        minutes=f"{NAME}さん（{KANA}）の家計について。{NEIGHBOUR}さんは見守り継続。", decisions=f"{SPOUSE}さんの受診",
        discussions={case.pk: {"issues": [(IssueCategory.objects.get(name="経済的困窮"), False)],
                               "note": f"{NAME}さんは{ADDRESS}に独居予定"},
                     theirs.pk: {"issues": [(IssueCategory.objects.get(name="孤立"), False)], "note": "見守り"}},
        tasks=[{"case": case, "agency": agency, "task": f"{NAME}さんへ家計相談", "due_on": None, "person": ""}],
    )

    referral = referrals.referral_send(
        user=coordinator, case=case, kind=ReferralKind.objects.get(municipality=None, name="つなぎ"),
        reason=f"{NAME}さん（{PHONE}）の見守りをお願いします。", to_agency=agency,
        shares=["identity", "household", "issues", "consultations", "plan"], sharing_basis="consent",
    )
    assert referral.consent == consent
    referrals.referral_transition(user=agency_worker, referral=referral, action="accept", note=f"{NAME}さんの件、受理")
    referrals.referral_transition(user=agency_worker, referral=referral, action="complete",
                                  outcome=f"{SPOUSE}さんが施設に入所")
    cases.case_transition(user=coordinator, case=case, action="close", reason=f"{NAME}さんが{OLD_ADDRESS}へ転居",
                          on=closed_on)
    return household
