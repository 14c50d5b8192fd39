"""REST API v1 over personal data: the same scoping and audit as the pages.

Lists start from the selectors (`.for_user(user)`), details from the access functions (`*_for_user`: out of
scope → 404, a role that may not → 403). Each list request writes one audit event naming the records on the
page, each detail one view event, exactly as the pages do. Writes go through the services.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response

from audit.models import Action
from audit.services import audit_list, audit_record
from cases import selectors as case_selectors
from cases import services as case_services
from cases.access import case_for_user, consultation_for_user, household_for_user, issue_for_user
from cases.models import Case, CaseIssue, Consultation, Household
from meetings import selectors as meeting_selectors
from meetings.access import activity_for_user, meeting_for_user
from meetings.models import Meeting
from referrals import notifications
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals.access import referral_for_user
from referrals.models import Referral, ReferralEvent

from . import filters, serializers
from .errors import call_service
from .pagination import MergedIdsFirstPagination
from .permissions import OpensCaseFiles, SeesActivities, SeesPersonalData

PERSONAL = [permissions.IsAuthenticated, SeesPersonalData]
CASE_FILE = [permissions.IsAuthenticated, SeesPersonalData, OpensCaseFiles]


class AuditedListView(generics.ListAPIView):
    """A page of personal records: one audit event per request, naming every record shown (audit_list)."""

    permission_classes = PERSONAL
    audit_model = None

    def audit_detail(self) -> dict:
        return {}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit_list(request=request, model=self.audit_model, objects=page,
                   detail={"page": self.paginator.page.number, **self.audit_detail()})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DetailView(generics.GenericAPIView):
    """One record, found through its access function and audited as viewed.

    `access` is the model's access function; `selector` the list's, which only tells the schema the model.
    `extra_context` adds what the serializer needs beyond the record (the page's detail selector).
    """

    permission_classes = PERSONAL
    access = None
    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = type(self).access(request.user, pk)
        audit_record(action=Action.VIEW, request=request, obj=obj)
        context = {**self.get_serializer_context(), **self.extra_context(obj)}
        return Response(self.get_serializer_class()(obj, context=context).data)


# ------------------------------------------------------------------------------------------- households


@extend_schema(description=gettext_lazy("世帯の一覧（担当区の世帯、または関わる事例の世帯）。`q` で氏名・ふりがな・電話番号・住所・事例番号を検索します。"))
class HouseholdList(AuditedListView):
    """Households the user may see; `q` searches names in any script, phone, address and case number."""

    permission_classes = CASE_FILE
    serializer_class = serializers.HouseholdSerializer
    filterset_class = filters.HouseholdFilter
    audit_model = Household

    def get_queryset(self):
        return case_selectors.household_list(user=self.request.user)

    def audit_detail(self):
        return {"search": bool(self.request.query_params.get("q"))}


@extend_schema(description=gettext_lazy("世帯の詳細（世帯員と事例）。"))
class HouseholdDetail(DetailView):
    """A household with its members and cases."""

    permission_classes = CASE_FILE
    serializer_class = serializers.HouseholdDetailSerializer
    access = staticmethod(household_for_user)
    selector = staticmethod(case_selectors.household_list)

    def extra_context(self, household):
        prefetch_related_objects([household], "members", Prefetch("cases", Case.all_objects.select_related("ward")))
        return {}


# ------------------------------------------------------------------------------------------------ cases


@extend_schema(description=gettext_lazy("事例の一覧（区・状況・課題・主担当・困難事例・期限切れ・受付日・年度で絞り込み）。"))
class CaseList(AuditedListView):
    """Cases the user may see, with the case list page's filters."""

    permission_classes = CASE_FILE
    serializer_class = serializers.CaseListSerializer
    filterset_class = filters.CaseApiFilter
    audit_model = Case

    def get_queryset(self):
        return case_selectors.case_rows(user=self.request.user)


@extend_schema(description=gettext_lazy("事例の詳細（世帯員・課題・役割分担・本人同意の状況）。"))
class CaseDetail(DetailView):
    """A case with its members, issues, tasks and consent status."""

    permission_classes = CASE_FILE
    serializer_class = serializers.CaseDetailSerializer
    access = staticmethod(case_for_user)
    selector = staticmethod(case_selectors.case_rows)

    def extra_context(self, case):
        detail = case_selectors.case_detail(case=case)
        prefetch_related_objects(detail["tasks"], "meeting_link")  # which meeting decided each task (meetings' link)
        return {"detail": detail}


@extend_schema(description=gettext_lazy("相談記録を追加します（担当区のつながる体制推進員）。"))
class CaseConsultationCreate(generics.GenericAPIView):
    """Record a consultation on a case (the ward's coordinator), through cases.services."""

    permission_classes = CASE_FILE
    serializer_class = serializers.ConsultationInputSerializer

    def get_queryset(self):
        return case_selectors.consultation_list(user=self.request.user)

    @extend_schema(request=serializers.ConsultationInputSerializer, responses={201: serializers.ConsultationSerializer})
    def post(self, request, pk):
        case = case_for_user(request.user, pk, write=True)
        form = serializers.ConsultationInputSerializer(data=request.data, municipality_id=case.municipality_id)
        form.is_valid(raise_exception=True)
        consultation = call_service(
            case_services.consultation_record, field_codes={"future": "held_at", "due_before_held": "next_due_on"},
            user=request.user, case=case, request=request, **form.validated_data,
        )
        return Response(serializers.ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------ issues and consultations


@extend_schema(description=gettext_lazy("事例の課題の一覧。"))
class IssueList(AuditedListView):
    """Issues (課題) of the cases the user may see."""

    permission_classes = CASE_FILE
    serializer_class = serializers.IssueSerializer
    filterset_class = filters.IssueFilter
    audit_model = CaseIssue

    def get_queryset(self):
        return case_selectors.issue_list(user=self.request.user)


@extend_schema(description=gettext_lazy("事例の課題。"))
class IssueDetail(DetailView):
    """One issue of a case."""

    permission_classes = CASE_FILE
    serializer_class = serializers.IssueSerializer
    access = staticmethod(issue_for_user)
    selector = staticmethod(case_selectors.issue_list)


@extend_schema(description=gettext_lazy("相談記録の一覧（新しい順）。"))
class ConsultationList(AuditedListView):
    """Consultation records of the cases the user may see, newest first."""

    permission_classes = CASE_FILE
    serializer_class = serializers.ConsultationSerializer
    filterset_class = filters.ConsultationFilter
    audit_model = Consultation

    def get_queryset(self):
        return case_selectors.consultation_list(user=self.request.user)


@extend_schema(description=gettext_lazy("相談記録。"))
class ConsultationDetail(DetailView):
    """One consultation record."""

    permission_classes = CASE_FILE
    serializer_class = serializers.ConsultationSerializer
    access = staticmethod(consultation_for_user)
    selector = staticmethod(case_selectors.consultation_list)


# --------------------------------------------------------------------------------------------- meetings


@extend_schema(description=gettext_lazy("会議の一覧。"))
class MeetingList(AuditedListView):
    """Meetings the user may see."""

    serializer_class = serializers.MeetingListSerializer
    filterset_class = filters.MeetingApiFilter
    audit_model = Meeting

    def get_queryset(self):
        return meeting_selectors.meeting_rows(user=self.request.user)


@extend_schema(description=gettext_lazy("会議の詳細（参加機関・出席者・協議した事例と課題・役割分担・議題）。"))
class MeetingDetail(DetailView):
    """A meeting with its agencies, attendees, discussed cases, tasks and agenda."""

    serializer_class = serializers.MeetingDetailSerializer
    access = staticmethod(meeting_for_user)
    selector = staticmethod(meeting_selectors.meeting_rows)

    def extra_context(self, meeting):
        return {"detail": meeting_selectors.meeting_detail(meeting=meeting)}


@extend_schema(description=gettext_lazy("活動の一覧（つながる体制推進員は担当区、スーパーバイザーは市全体）。活動は個人情報を含まないため、画面と同じく監査ログには残しません。"))
class ActivityList(generics.ListAPIView):
    """Activities, as on the activity pages (no personal data, so no audit event, like the pages)."""

    permission_classes = [permissions.IsAuthenticated, SeesActivities]
    serializer_class = serializers.ActivitySerializer
    filterset_class = filters.ActivityApiFilter

    def get_queryset(self):
        # The API shows each activity's agencies (the page shows counts only).
        return meeting_selectors.activity_rows(user=self.request.user).prefetch_related("agencies")


@extend_schema(description=gettext_lazy("活動。"))
class ActivityDetail(generics.GenericAPIView):
    """One activity."""

    permission_classes = [permissions.IsAuthenticated, SeesActivities]
    serializer_class = serializers.ActivitySerializer

    def get_queryset(self):
        return meeting_selectors.activity_rows(user=self.request.user)

    def get(self, request, pk):
        return Response(self.get_serializer(activity_for_user(request.user, pk)).data)


# -------------------------------------------------------------------------------------------- referrals


@extend_schema(description=gettext_lazy("つなぎの一覧（番号・種別・事例番号・依頼元と依頼先。本人の氏名は含みません）。"))
class ReferralList(AuditedListView):
    """Referrals the user may see: numbers, kinds and offices, no resident's name."""

    serializer_class = serializers.ReferralSerializer
    filterset_class = filters.ReferralFilter
    pagination_class = MergedIdsFirstPagination
    audit_model = Referral

    def get_queryset(self):
        return referral_selectors.referral_list(user=self.request.user)

    def list_parts(self, queryset):
        return referral_selectors.referral_list_parts(queryset, user=self.request.user)

    def audit_detail(self):
        return {"box": self.request.query_params.get("box", "all")[:20]}


def _referral_response(request, referral, *, detail: dict | None = None) -> Response:
    """The referral as its page shows it: what it shares with this reader now, audited, its notices read."""
    user = request.user
    shared = referral_selectors.shared_information(user=user, referral=referral)
    audit_record(action=Action.VIEW, request=request, obj=referral, detail={"shared": shared.items, **(detail or {})})
    notifications.mark_read(user=user, referral=referral)
    prefetch_related_objects(
        [referral], Prefetch("events", ReferralEvent.objects.select_related("by")),
        Prefetch("replies", Referral.all_objects.select_related(*referral_selectors.LIST_RELATED, "case_ward")),
    )
    context = {"request": request, "shared": shared, "actions": referral_services.available_actions(user, referral)}
    return Response(serializers.ReferralDetailSerializer(referral, context=context).data)


@extend_schema(description=gettext_lazy("つなぎの詳細。共有された情報（shared）は、依頼が辞退・取下げになったり同意が撤回されたりすると見られなくなります。"))
class ReferralDetail(DetailView):
    """A referral, with what it shares with this reader now."""

    serializer_class = serializers.ReferralDetailSerializer
    selector = staticmethod(referral_selectors.referral_list)

    def get(self, request, pk):  # audited with what it shares, in _referral_response
        return _referral_response(request, referral_for_user(request.user, pk))


@extend_schema(description=gettext_lazy("つなぎへの回答と進行: 受理・辞退（理由が必要）・対応開始・完了（結果が必要）は依頼先、取下げ（理由が必要）は依頼元が行います。 先に別の人が回答していたときは 409 になります。"))
class ReferralAction(generics.GenericAPIView):
    """Answer or move a referral through referrals.services.referral_transition."""

    permission_classes = PERSONAL
    serializer_class = serializers.ReferralActionInputSerializer
    action_name = ""
    FIELD_CODES = {"decline_reason_required": "decline_reason", "invalid_decline_reason": "decline_reason",
                   "outcome_required": "outcome", "withdraw_reason_required": "note"}

    def get_queryset(self):
        return referral_selectors.referral_list(user=self.request.user)

    @extend_schema(request=serializers.ReferralActionInputSerializer, responses={200: serializers.ReferralDetailSerializer})
    def post(self, request, pk):
        user = request.user
        referral = referral_for_user(user, pk)
        move = referral_services.ACTIONS[self.action_name]
        is_side = referral_services.is_receiver if move.side == "receiver" else referral_services.is_sender
        if not is_side(user, referral):
            who = _("依頼先の職員") if move.side == "receiver" else _("依頼元の職員")
            raise exceptions.PermissionDenied(_("「%(action)s」できるのは%(who)sだけです。") % {"action": move.label, "who": who})
        form = serializers.ReferralActionInputSerializer(data=request.data, municipality_id=referral.municipality_id)
        form.is_valid(raise_exception=True)
        updated = call_service(
            referral_services.referral_transition, field_codes=self.FIELD_CODES,
            conflict_codes=("already_answered", "illegal_move"),
            user=user, referral=referral, action=self.action_name, request=request, **form.validated_data,
        )
        return _referral_response(request, referral_for_user(user, updated.pk), detail={"after": self.action_name})
