"""What the API shows of each record. Output only, except the few `*InputSerializer`s of the writes, which
validate the request's shape; the services decide (STYLE.md 2, 7). Field names are English snake_case.

The residents' names appear only where the pages show them to the same user: households, cases, issues,
consultations and meetings (to the roles that may open them), and a referral's shared information only
while the referral lets its reader see it (referrals.selectors.shared_information).
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from cases.models import (
    Case,
    CaseIssue,
    ConsentPurpose,
    Consultation,
    ConsultationMethod,
    Household,
    HouseholdMember,
    RoleAssignment,
)
from meetings.models import Activity, AgendaItem, Meeting, MeetingAgency, MeetingAttendee, MeetingCase
from referrals.models import DeclineReason, Referral, ReferralEvent, ReferralStatus, SharedItem

# ------------------------------------------------------------------------------------------- references


class RefSerializer(serializers.Serializer):
    """Another record by id and name (a ward, an agency, a category, a kind …)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer):
    """A member of staff (never a resident)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, help_text=_("事例番号（例: R2-0001）"))


class MemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


# ------------------------------------------------------------------------------------------- households


class MemberSerializer(serializers.ModelSerializer):
    age = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("今日の年齢（生年月日がなければ推定年齢）"))
    age_is_estimated = serializers.BooleanField(read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "name", "name_kana", "birth_date", "estimated_age", "age", "age_is_estimated", "sex",
                  "relationship", "is_primary", "care_certified", "disability_certificate", "public_assistance",
                  "moved_out_on", "deceased_on"]
        read_only_fields = fields


class MemberBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = HouseholdMember
        fields = ["id", "name", "name_kana", "birth_date"]
        read_only_fields = fields


class CaseBriefSerializer(serializers.ModelSerializer):
    ward = RefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "ward", "received_on", "status", "status_label", "closed_on"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    ward = RefSerializer(read_only=True)
    primary_member = MemberBriefSerializer(read_only=True, allow_null=True, help_text=_("本人"))
    member_count = serializers.SerializerMethodField(help_text=_("世帯員の数（転出・死亡を含む）"))

    class Meta:
        model = Household
        fields = ["id", "ward", "address", "phone", "primary_member", "member_count", "created_at", "updated_at"]
        read_only_fields = fields

    def get_member_count(self, household) -> int:
        return len(household.members.all())  # the prefetched members


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)
    cases = CaseBriefSerializer(many=True, read_only=True, help_text=_("この世帯の過去と現在の事例"))

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "note", "members", "cases"]
        read_only_fields = fields


# ------------------------------------------------------------------------------------------------ cases


class CaseSerializer(serializers.ModelSerializer):
    ward = RefSerializer(read_only=True)
    household_id = serializers.IntegerField(read_only=True)
    intake_channel_label = serializers.CharField(source="get_intake_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    lead = UserRefSerializer(read_only=True, allow_null=True)
    referring_category = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "number", "ward", "household_id", "fiscal_year", "received_on", "intake_channel",
                  "intake_channel_label", "status", "status_label", "status_changed_at", "is_difficult", "lead",
                  "referring_category", "closed_on"]
        read_only_fields = fields


class CaseListSerializer(CaseSerializer):
    primary_name = serializers.CharField(read_only=True, allow_null=True, help_text=_("本人の氏名"))
    primary_kana = serializers.CharField(read_only=True, allow_null=True, help_text=_("本人の氏名（かな）"))
    overdue_tasks = serializers.IntegerField(read_only=True, help_text=_("期限を過ぎた役割分担の数"))

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "primary_name", "primary_kana", "overdue_tasks"]
        read_only_fields = fields


class IssueBriefSerializer(serializers.ModelSerializer):
    category = RefSerializer(read_only=True)
    member = MemberRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseIssue
        fields = ["id", "category", "member", "suspected", "noted_on", "resolved_on", "note"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    agency = RefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    meeting_id = serializers.SerializerMethodField(help_text=_("この役割分担を決めた会議"))

    class Meta:
        model = RoleAssignment
        fields = ["id", "agency", "person", "task", "due_on", "status", "status_label", "completed_on", "is_overdue",
                  "plan_id", "meeting_id"]
        read_only_fields = fields

    def get_meeting_id(self, task) -> int | None:
        # meetings owns the link (MeetingTask); the views load it with the tasks.
        link = getattr(task, "meeting_link", None)
        return link.meeting_id if link else None


class ConsentStatusSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    consented = serializers.BooleanField(read_only=True, help_text=_("本人の同意が今日有効か"))


class CaseDetailSerializer(CaseSerializer):
    referring_agency = RefSerializer(read_only=True, allow_null=True)
    supervisors = UserRefSerializer(many=True, read_only=True)
    members = serializers.SerializerMethodField()
    issues = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    consents = serializers.SerializerMethodField(help_text=_("本人の同意（目的ごと）"))

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "summary", "closing_reason", "referring_agency", "supervisors",
                  "members", "issues", "tasks", "consents", "created_at", "updated_at"]
        read_only_fields = fields

    # The page's reads (cases.selectors.case_detail), handed over in the context by the view.
    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, case):
        return MemberSerializer(self.context["detail"]["members"], many=True).data

    @extend_schema_field(IssueBriefSerializer(many=True))
    def get_issues(self, case):
        return IssueBriefSerializer(self.context["detail"]["issues"], many=True).data

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, case):
        return TaskSerializer(self.context["detail"]["tasks"], many=True).data

    @extend_schema_field(ConsentStatusSerializer(many=True))
    def get_consents(self, case):
        rows = [{"purpose": p, "label": str(label), "consented": ok} for p, label, ok in self.context["detail"]["consents"]]
        return ConsentStatusSerializer(rows, many=True).data


# ------------------------------------------------------------------------------ issues and consultations


class IssueSerializer(IssueBriefSerializer):
    case = CaseRefSerializer(read_only=True)

    class Meta(IssueBriefSerializer.Meta):
        fields = ["id", "case", *IssueBriefSerializer.Meta.fields[1:]]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer(read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    staff = UserRefSerializer(read_only=True)
    agencies = RefSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = ["id", "case", "held_at", "method", "method_label", "staff", "agencies", "summary", "minutes",
                  "next_action", "next_due_on", "created_at"]
        read_only_fields = fields


EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
TEXT_ERRORS = {"invalid": _("文字列で入力してください。")}  # DRF's own message has no Japanese translation


class ConsultationInputSerializer(serializers.Serializer):
    """相談記録 to add to a case. The service (cases.services.consultation_record) checks the dates."""

    held_at = serializers.DateTimeField(required=False, help_text=_("相談の日時。省略すると今。"))
    method = serializers.ChoiceField(choices=ConsultationMethod.choices)
    summary = serializers.CharField(max_length=10000, error_messages=TEXT_ERRORS)
    minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=24 * 60)
    next_action = serializers.CharField(required=False, allow_blank=True, max_length=200, default="",
                                        error_messages=TEXT_ERRORS)
    next_due_on = serializers.DateField(required=False, allow_null=True)
    agencies = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Agency.objects.none(),
                                                  help_text=_("関わった機関のID"))

    def __init__(self, *args, municipality_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].child_relation.queryset = Agency.objects.filter(municipality_id=municipality_id,
                                                                                is_active=True)

    def validate_held_at(self, value):
        if value < EARLIEST:
            raise serializers.ValidationError(_("日時は2000年以降にしてください。"))
        return value

    def validate_next_due_on(self, value):
        if value is not None and not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
            raise serializers.ValidationError(_("期限は2000年から2100年までの日付にしてください。"))
        return value


# --------------------------------------------------------------------------------------------- meetings


class MeetingSerializer(serializers.ModelSerializer):
    ward = RefSerializer(read_only=True)
    kind = RefSerializer(read_only=True)
    basis = RefSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    convener = UserRefSerializer(read_only=True)
    supervisor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Meeting
        fields = ["id", "title", "kind", "basis", "ward", "starts_at", "ends_at", "held_on", "place", "status",
                  "status_label", "sv_dispatched", "supervisor", "convener"]
        read_only_fields = fields


class MeetingListSerializer(MeetingSerializer):
    case_count = serializers.IntegerField(read_only=True, help_text=_("協議する事例の数"))
    agency_count = serializers.IntegerField(read_only=True, help_text=_("招集した機関の数"))

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "case_count", "agency_count"]
        read_only_fields = fields


class AgencyLinkSerializer(serializers.ModelSerializer):
    agency = RefSerializer(read_only=True)
    category = serializers.CharField(source="agency.category.name", read_only=True)

    class Meta:
        model = MeetingAgency
        fields = ["agency", "category", "invited", "attended"]
        read_only_fields = fields


class AttendeeSerializer(serializers.ModelSerializer):
    agency = RefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MeetingAttendee
        fields = ["name", "agency", "affiliation", "is_internal", "confidentiality"]
        read_only_fields = fields


class DiscussedIssueSerializer(serializers.Serializer):
    category = RefSerializer(read_only=True)
    suspected = serializers.BooleanField(read_only=True)


class DiscussionSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer(read_only=True)
    primary_name = serializers.CharField(read_only=True, allow_null=True, help_text=_("本人の氏名"))
    issues = DiscussedIssueSerializer(many=True, read_only=True, help_text=_("協議時の課題"))

    class Meta:
        model = MeetingCase
        fields = ["id", "case", "primary_name", "note", "issues_recorded", "issues"]
        read_only_fields = fields


class MeetingTaskSerializer(TaskSerializer):
    case = CaseRefSerializer(read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = ["id", "case", *TaskSerializer.Meta.fields[1:]]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "title", "progress", "is_concluded", "is_continuing", "carried_from_id"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    agencies = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()
    discussions = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    agenda_items = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "minutes", "decisions", "next_review_on", "cancel_reason",
                  "agencies", "attendees", "discussions", "tasks", "agenda_items", "created_at", "updated_at"]
        read_only_fields = fields

    # The page's reads (meetings.selectors.meeting_detail), handed over in the context by the view.
    @extend_schema_field(AgencyLinkSerializer(many=True))
    def get_agencies(self, meeting):
        return AgencyLinkSerializer(self.context["detail"]["agency_links"], many=True).data

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, meeting):
        return AttendeeSerializer(self.context["detail"]["attendees"], many=True).data

    @extend_schema_field(DiscussionSerializer(many=True))
    def get_discussions(self, meeting):
        return DiscussionSerializer(self.context["detail"]["discussions"], many=True).data

    @extend_schema_field(MeetingTaskSerializer(many=True))
    def get_tasks(self, meeting):
        return MeetingTaskSerializer(self.context["detail"]["tasks"], many=True).data

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda_items(self, meeting):
        return AgendaItemSerializer(self.context["detail"]["agenda_items"], many=True).data


class ActivitySerializer(serializers.ModelSerializer):
    ward = RefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    agencies = RefSerializer(many=True, read_only=True)
    created_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "ward", "kind", "kind_label", "held_on", "title", "agencies", "agency_count", "case_count",
                  "participant_count", "note", "created_by", "created_at"]
        read_only_fields = fields


# -------------------------------------------------------------------------------------------- referrals


class ReferralKindSerializer(RefSerializer):
    purpose = serializers.CharField(read_only=True)


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the lists show it: numbers, kind and offices, no resident's name."""

    number = serializers.CharField(read_only=True, help_text=_("つなぎの番号（例: No.12）"))
    kind = ReferralKindSerializer(read_only=True)
    case = CaseRefSerializer(read_only=True)
    case_ward = RefSerializer(read_only=True)
    sender_name = serializers.CharField(read_only=True)
    recipient_name = serializers.CharField(read_only=True)
    from_agency = RefSerializer(read_only=True, allow_null=True)
    from_ward = RefSerializer(read_only=True, allow_null=True)
    to_agency = RefSerializer(read_only=True, allow_null=True)
    to_ward = RefSerializer(read_only=True, allow_null=True)
    sent_by = UserRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.SerializerMethodField(help_text=_("回答がないまま回答期限を過ぎているか"))

    class Meta:
        model = Referral
        fields = ["id", "number", "kind", "case", "case_ward", "sender_name", "recipient_name", "from_agency",
                  "from_ward", "to_agency", "to_ward", "sent_by", "sent_at", "due_on", "status", "status_label",
                  "is_overdue", "answered_at", "closed_at", "parent_id"]
        read_only_fields = fields

    def get_is_overdue(self, referral) -> bool:
        return referral.is_overdue()


class ReferralEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    # Blank on the first event (送付 has no status before it); a read-only model field would lose allow_blank.
    from_status = serializers.ChoiceField(choices=ReferralStatus.choices, allow_blank=True, read_only=True)
    by = UserRefSerializer(read_only=True)

    class Meta:
        model = ReferralEvent
        fields = ["action", "label", "from_status", "to_status", "note", "by", "at"]
        read_only_fields = fields


class SharedIdentitySerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, allow_null=True)
    name_kana = serializers.CharField(read_only=True, allow_null=True)
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    address = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)


class SharedMemberSerializer(serializers.ModelSerializer):
    """A member as the shared 世帯構成 shows it: relationship, sex, age and the support they get, no name."""

    age = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = HouseholdMember
        fields = ["relationship", "sex", "age", "care_certified", "disability_certificate", "public_assistance"]
        read_only_fields = fields


class SharedIssueSerializer(serializers.Serializer):
    category = serializers.CharField(source="category.name", read_only=True)
    suspected = serializers.BooleanField(read_only=True)


class SharedConsultationSerializer(serializers.ModelSerializer):
    method_label = serializers.CharField(source="get_method_display", read_only=True)

    class Meta:
        model = Consultation
        fields = ["held_at", "method", "method_label", "summary"]
        read_only_fields = fields


class SharedTaskSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name", read_only=True)
    task = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)


class SharedPlanSerializer(serializers.Serializer):
    goals = serializers.CharField(read_only=True, allow_null=True)
    tasks = SharedTaskSerializer(many=True, read_only=True)


class SharedInformationSerializer(serializers.Serializer):
    """What of the case this referral lets its reader see now (each section only when it was shared)."""

    available = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text=_("見られないときの理由"))
    case_visible = serializers.BooleanField(read_only=True, help_text=_("事例そのもの（/api/v1/cases/{id}/）を開けるか"))
    items = serializers.ListField(child=serializers.ChoiceField(choices=SharedItem.choices), read_only=True)
    identity = SharedIdentitySerializer(read_only=True, allow_null=True)
    household = SharedMemberSerializer(many=True, read_only=True, allow_null=True)
    issues = SharedIssueSerializer(many=True, read_only=True, allow_null=True)
    consultations = SharedConsultationSerializer(many=True, read_only=True, allow_null=True)
    plan = SharedPlanSerializer(read_only=True, allow_null=True)

    def to_representation(self, shared):
        sections = shared.sections
        identity = sections.get(SharedItem.IDENTITY)
        plan = sections.get(SharedItem.PLAN)
        member = identity["member"] if identity else None
        return {
            "available": shared.available, "reason": str(shared.reason), "case_visible": shared.case_visible,
            "items": shared.items,
            "identity": None if identity is None else {
                "name": member.name if member else None, "name_kana": member.name_kana if member else None,
                "birth_date": member.birth_date.isoformat() if member and member.birth_date else None,
                "age": member.age if member else None, "address": identity["address"], "phone": identity["phone"],
            },
            "household": _many(SharedMemberSerializer, sections.get(SharedItem.HOUSEHOLD)),
            "issues": _many(SharedIssueSerializer, sections.get(SharedItem.ISSUES)),
            "consultations": _many(SharedConsultationSerializer, sections.get(SharedItem.CONSULTATIONS)),
            "plan": None if plan is None else {
                "goals": plan["plan"].goals if plan["plan"] else None,
                "tasks": SharedTaskSerializer(plan["tasks"], many=True).data,
            },
        }


def _many(serializer_class, rows):
    return None if rows is None else serializer_class(rows, many=True).data


class ReferralDetailSerializer(ReferralSerializer):
    sharing_basis_label = serializers.CharField(source="get_sharing_basis_display", read_only=True)
    shares = serializers.ListField(child=serializers.ChoiceField(choices=SharedItem.choices), read_only=True)
    consent_obtained_on = serializers.DateField(source="consent.obtained_on", read_only=True, allow_null=True)
    decline_reason = RefSerializer(read_only=True, allow_null=True)
    answered_by = UserRefSerializer(read_only=True, allow_null=True)
    events = ReferralEventSerializer(many=True, read_only=True)
    replies = ReferralSerializer(many=True, read_only=True, help_text=_("この依頼へのつなぎ戻し"))
    available_actions = serializers.SerializerMethodField(help_text=_("この利用者が今できる操作"))
    shared = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "reason", "shares", "sharing_basis", "sharing_basis_label",
                  "basis_note", "consent_obtained_on", "decline_reason", "answer_note", "answered_by", "outcome",
                  "events", "replies", "available_actions", "shared"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(
        choices=["accept", "decline", "start", "complete", "withdraw"])))
    def get_available_actions(self, referral):
        return self.context["actions"]

    @extend_schema_field(SharedInformationSerializer)
    def get_shared(self, referral):
        return SharedInformationSerializer(self.context["shared"]).data


class ReferralActionInputSerializer(serializers.Serializer):
    """What an answer carries. Which of these an action needs is the service's to say (referral_transition)."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="", error_messages=TEXT_ERRORS,
                                 help_text=_("補足（取下げでは理由。必須）"))
    decline_reason = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, default=None,
                                                        queryset=DeclineReason.objects.none(),
                                                        help_text=_("辞退の理由のID（辞退では必須）"))
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="", error_messages=TEXT_ERRORS,
                                    help_text=_("対応の結果（完了では必須。事例の経過に記録されます）"))

    def __init__(self, *args, municipality_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decline_reason"].queryset = DeclineReason.objects.for_municipality(municipality_id).active()
