"""Households, cases, issues and consultations (and the input of a consultation written through the API)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from cases.models import (
    CareLevel,
    Case,
    CaseIssue,
    ConsentPurpose,
    Consultation,
    ConsultationMethod,
    Household,
    HouseholdMember,
    IntellectualDisabilityGrade,
    MentalDisabilityGrade,
    PhysicalDisabilityGrade,
    RoleAssignment,
)

from .refs import CaseRefSerializer, MemberRefSerializer, RefSerializer, UserRefSerializer

# ------------------------------------------------------------------------------------------- households


class MemberSerializer(serializers.ModelSerializer):
    age = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("今日の年齢（生年月日がなければ推定年齢）"))
    age_is_estimated = serializers.BooleanField(read_only=True)
    relationship_label = serializers.CharField(read_only=True, help_text=_("続柄の表示（例: 子（長男））"))
    # Declared so that the schema says "" (none recorded) is a value too: read-only model fields lose allow_blank.
    care_level = serializers.ChoiceField(choices=CareLevel.choices, allow_blank=True, read_only=True,
                                         help_text=_("要介護度（空欄: なし・不明）"))
    physical_disability_grade = serializers.ChoiceField(choices=PhysicalDisabilityGrade.choices, allow_blank=True,
                                                        read_only=True, help_text=_("身体障害者手帳の等級（空欄: なし）"))
    intellectual_disability_grade = serializers.ChoiceField(choices=IntellectualDisabilityGrade.choices, allow_blank=True,
                                                            read_only=True, help_text=_("療育手帳の判定（空欄: なし）"))
    mental_disability_grade = serializers.ChoiceField(choices=MentalDisabilityGrade.choices, allow_blank=True,
                                                      read_only=True, help_text=_("精神障害者保健福祉手帳の等級（空欄: なし）"))

    class Meta:
        model = HouseholdMember
        fields = ["id", "name", "name_kana", "birth_date", "estimated_age", "age", "age_is_estimated", "sex",
                  "relationship", "relationship_note", "relationship_label", "is_primary", "care_level",
                  "physical_disability_grade", "intellectual_disability_grade", "mental_disability_grade",
                  "disability_unconfirmed", "public_assistance", "moved_out_on", "deceased_on"]
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


