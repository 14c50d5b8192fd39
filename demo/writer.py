"""Writes the planned past years through the bulk services of cases and meetings (their rules and history),
then dates the rows as they would have been."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateTimeField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from faker import Faker

from accounts.models import User
from agencies.models import Agency, AgencyCategory
from cases.models import Case, CaseStatus, ConsentPurpose, Consultation, Household, IssueCategory
from cases.services.bulk import (
    CreatedHousehold,
    NewCase,
    NewCaseIssue,
    NewConsent,
    NewConsultation,
    NewHousehold,
    case_bulk_create,
    consent_bulk_record,
    consultation_bulk_record,
    household_bulk_create,
)
from demo.people import fake_household
from meetings.bulk import HeldDiscussion, HeldMeeting, meeting_bulk_record
from meetings.models import Confidentiality, Meeting, MeetingBasis

from .plans import CLOSING_REASONS, FAKER_SEED, FOLLOW_UPS, INTAKE_METHOD, PARTICIPANT_OTHER, Plan


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


@dataclass
class Setting:
    """Who and what the demo's past years are written with."""

    municipality: object
    kind: object
    fake: Faker
    kita: User
    nishinari: User
    supervisor: User
    categories: dict
    issue_categories: dict
    bases: dict
    agencies: dict

    def staff(self, ward):  # the demo has two coordinators; each keeps the records of half the city
        return self.home(ward) or (self.kita if ward.sort_order <= 12 else self.nishinari)

    def home(self, ward):
        return {"北区": self.kita, "西成区": self.nishinari}.get(ward.name)

    def agency(self, ward, name):
        return self.agencies[(ward.pk, self.categories[name].pk)]


def _cast(municipality, kind) -> Setting:
    fake = Faker("ja_JP")
    fake.seed_instance(FAKER_SEED)  # not Faker.seed(): that reseeds every Faker in the process
    users = {user.username: user for user in User.objects.filter(
        username__in=["kita_coordinator", "nishinari_coordinator", "supervisor"])}
    return Setting(
        municipality=municipality, kind=kind, fake=fake, kita=users["kita_coordinator"],
        nishinari=users["nishinari_coordinator"], supervisor=users["supervisor"],
        categories={c.name: c for c in AgencyCategory.objects.filter(municipality=None)},
        issue_categories={c.name: c for c in IssueCategory.objects.filter(municipality=None)},
        bases={b.name: b for b in MeetingBasis.objects.filter(municipality=None)},
        agencies={(a.ward_id, a.category_id): a
                  for a in Agency.objects.filter(municipality=municipality, ward__isnull=False, is_active=True)},
    )


def write_casework(rng, municipality, kind, plans: list[Plan]) -> dict:
    """Households, cases, meetings and consultations of the plans, through the bulk services of cases and
    meetings (the rules and history rows of the single-object services), then dated as they happened."""
    cast = _cast(municipality, kind)
    households = _households(rng, cast, plans)
    cases, consents, suspected = _cases(rng, cast, plans, households)
    meetings = _meetings(rng, cast, plans, cases, consents, suspected)
    consultations = _consultations(rng, plans, cases)
    _backdate(cases, households, meetings)
    return {"meetings": len(meetings), "cases": len(cases), "consultations": consultations}


def _households(rng, cast: Setting, plans: list[Plan]) -> list[CreatedHousehold]:
    specs = []
    for plan in plans:
        data, people = fake_household(cast.fake, plan.ward.name)
        specs.append(NewHousehold(ward=plan.ward, members=people[: rng.randint(1, 2)], **data))
    return household_bulk_create(user=None, municipality=cast.municipality, households=specs)


def _cases(rng, cast: Setting, plans: list[Plan], households: list[CreatedHousehold]) -> tuple[list, dict, dict]:
    """The cases (closed or suspended) with their issues; the consent behind each meeting that needs one."""
    specs, consents, suspected = [], {}, {}
    for plan, household in zip(plans, households, strict=True):
        people = household.members
        channel = "agency" if plan.referrer else rng.choice(["phone", "phone", "visit", "home_visit", "outreach", "email"])
        author = cast.staff(plan.ward)
        named = "、".join(plan.issues[:3])
        summary = (f"{plan.referrer}から相談。{named}など複数の課題を抱える世帯。" if plan.referrer
                   else f"本人・家族から相談。{named}について。")
        reason = rng.choice(CLOSING_REASONS) if plan.closed else "本人と連絡が取れなくなった"
        issues = []
        for name in plan.issues:
            category = cast.issue_categories[name]
            suspected[(id(plan), name)] = category.allows_suspected and rng.random() < 0.35
            issues.append(NewCaseIssue(category, suspected[(id(plan), name)], people[0] if rng.random() < 0.5 else None))
        if plan.day and cast.bases[plan.basis].requires_consent:
            obtained = max(plan.received_on, plan.day - dt.timedelta(days=rng.randint(3, 21)))
            consents[id(plan)] = NewConsent(member=people[0], purpose=ConsentPurpose.MEETING, all_agencies=True,
                                            obtained_on=obtained, obtained_by=author, method=rng.choice(["written", "oral"]))
        specs.append(NewCase(
            household=household.household, received_on=plan.received_on, intake_channel=channel, created_by=author,
            referring_category=cast.categories[plan.referrer] if plan.referrer else None,
            referring_agency=cast.agency(plan.ward, plan.referrer) if plan.referrer else None,
            lead=cast.home(plan.ward), is_difficult=len(plan.issues) >= 6, summary=summary,
            opened_at=_aware(plan.received_on, 9, 30), status=CaseStatus.CLOSED if plan.closed else CaseStatus.SUSPENDED,
            ended_at=_aware(plan.ends_on, 17), closed_on=plan.ends_on, reason=reason, issues=issues,
            supervisors=[cast.supervisor] if plan.sv else []))
    cases = case_bulk_create(user=None, municipality=cast.municipality, cases=specs)
    recorded = consent_bulk_record(user=None, consents=list(consents.values()))
    return cases, dict(zip(consents, recorded, strict=True)), suspected


def _meetings(rng, cast: Setting, plans: list[Plan], cases: list, consents: dict, suspected: dict) -> list:
    """The つながる場 of the plans that had one, with who came and what was discussed."""
    specs = []
    for plan, case in zip(plans, cases, strict=True):
        if not plan.day:
            continue
        basis = cast.bases[plan.basis]
        starts = _aware(plan.day, rng.choice([10, 13, 14, 15]), rng.choice([0, 30]))
        convener = cast.home(plan.ward) or cast.supervisor
        present = [cast.agency(plan.ward, name) for name in plan.participants]
        links = [(a, True, True) for a in present]
        absent = [name for name in PARTICIPANT_OTHER if name not in plan.participants]
        ends = starts + dt.timedelta(minutes=rng.choice([60, 90, 120]))
        if rng.random() < 0.15 and absent:
            links.append((cast.agency(plan.ward, rng.choice(absent)), True, False))
        confidentiality = Confidentiality.STATUTORY if basis.statutory_confidentiality else Confidentiality.AGREEMENT
        coordinator = cast.home(plan.ward)
        staff_present = [(coordinator.get_full_name() if coordinator else cast.fake.name(), None,
                          f"{plan.ward.name}保健福祉センター", True)]
        staff_present += [(cast.fake.name(), a, "", False) for a in present[:3]]
        if plan.sv:
            staff_present.append((cast.supervisor.get_full_name(), None, "スーパーバイザー", False))
        specs.append(HeldMeeting(
            ward=plan.ward, kind=cast.kind, basis=basis, starts_at=starts, ends_at=ends, convener=convener,
            place=f"{plan.ward.name}保健福祉センター 会議室", sv_dispatched=plan.sv,
            supervisor=cast.supervisor if plan.sv else None, decisions="各機関の役割分担と支援の方針を確認した。",
            agencies=links,
            attendees=[{"name": name, "agency": a, "affiliation": affiliation, "is_internal": internal,
                        "confidentiality": confidentiality} for name, a, affiliation, internal in staff_present],
            discussions=[HeldDiscussion(
                case_id=case.pk, consent=consents.get(id(plan)),
                note=f"{'、'.join(plan.participants[:3])}等で支援の方針と役割分担を協議した。",
                issues=[(cast.issue_categories[name], suspected[(id(plan), name)]) for name in plan.issues])],
        ))
    return meeting_bulk_record(user=None, municipality=cast.municipality, meetings=specs)


def _consultations(rng, plans: list[Plan], cases: list) -> int:
    consultations = []
    for plan, case in zip(plans, cases, strict=True):
        for position, day in enumerate(sorted(plan.consultations)):
            method, summary = (INTAKE_METHOD[case.intake_channel], case.summary) if position == 0 else rng.choice(FOLLOW_UPS)
            consultations.append(NewConsultation(
                case=case, held_at=_aware(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45])), method=method,
                staff=case.created_by, summary=summary, minutes=rng.randrange(10, 95, 5),
            ))
    return len(consultation_bulk_record(user=None, consultations=consultations))


def _backdate(cases: list, households: list[CreatedHousehold], meetings: list) -> None:
    """登録日時 as it would have been, so lists ordered by it put the living demo first."""
    case_ids = [case.pk for case in cases]
    Case.all_objects.filter(pk__in=case_ids).update(
        created_at=Cast("received_on", DateTimeField()), updated_at=F("status_changed_at"))
    Household.all_objects.filter(pk__in=[h.household.pk for h in households]).update(
        created_at=Subquery(Case.all_objects.filter(household=OuterRef("pk")).values("created_at")[:1]),
        updated_at=Subquery(Case.all_objects.filter(household=OuterRef("pk")).values("updated_at")[:1]))
    Meeting.all_objects.filter(pk__in=[m.pk for m in meetings]).update(
        created_at=F("starts_at") - dt.timedelta(days=14), updated_at=F("ends_at"))
    Consultation.objects.filter(case_id__in=case_ids).update(created_at=F("held_at"))


