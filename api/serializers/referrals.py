"""Referrals, their events, and the shared information a referral lets its reader see."""


from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals.models import DeclineReason, Referral, ReferralEvent, ReferralStatus, SharedItem

from .cases import TEXT_ERRORS
from .refs import CaseRefSerializer, RefSerializer, UserRefSerializer

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


class SharedMemberSerializer(serializers.Serializer):
    """A member as the shared 世帯構成 shows it: relationship, sex, age and the support they get, no name."""

    relationship = serializers.CharField(read_only=True)
    sex = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)


class SharedIssueSerializer(serializers.Serializer):
    category = serializers.CharField(read_only=True)
    suspected = serializers.BooleanField(read_only=True)


class SharedConsultationSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField(read_only=True)
    method = serializers.CharField(read_only=True)
    method_label = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)


class SharedTaskSerializer(serializers.Serializer):
    agency = serializers.CharField(read_only=True)
    task = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)


class SharedPlanSerializer(serializers.Serializer):
    goals = serializers.CharField(read_only=True, allow_null=True)
    tasks = SharedTaskSerializer(many=True, read_only=True)


class SharedInformationSerializer(serializers.Serializer):
    """What this referral passed on, as its reader may see it now: the copy taken when it was sent."""

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
        return {
            "available": shared.available, "reason": str(shared.reason), "case_visible": shared.case_visible,
            "items": shared.items,
            "identity": None if identity is None else SharedIdentitySerializer(identity).data,
            "household": _many(SharedMemberSerializer, sections.get(SharedItem.HOUSEHOLD)),
            "issues": _many(SharedIssueSerializer, sections.get(SharedItem.ISSUES)),
            "consultations": _many(SharedConsultationSerializer, sections.get(SharedItem.CONSULTATIONS)),
            "plan": None if plan is None else SharedPlanSerializer(plan).data,
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
