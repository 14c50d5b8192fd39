"""Meetings, their agencies, attendees, discussions, tasks and agenda, and activities."""


from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meetings.models import Activity, AgendaItem, Meeting, MeetingAgency, MeetingAttendee, MeetingCase

from .cases import TaskSerializer
from .refs import CaseRefSerializer, RefSerializer, UserRefSerializer

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


