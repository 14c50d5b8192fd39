"""Who may call which part of the API: the same roles as the pages (accounts.access)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import CASE_FILE_ROLES, Role


class SeesPersonalData(permissions.BasePermission):
    """Households, cases and everything on them: the three case-work roles. The bureau sees aggregates only."""

    message = _("個人情報を扱う権限がありません。福祉局・システム管理者・監査担当は集計（/api/v1/reports/）だけを利用できます。")

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.sees_personal_data


class OpensCaseFiles(permissions.BasePermission):
    """Households, cases, their issues and consultations: coordinators and supervisors (docs/access-policy.md).
    An agency worker reads its tasks and referrals, never the file — as on the pages."""

    message = _("世帯・事例の記録を開く権限がありません。関係機関の職員は、役割分担とつなぎで共有された情報だけを見られます。")

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.role in CASE_FILE_ROLES


class SeesActivities(permissions.BasePermission):
    """Activities (活動) as on the activity pages: coordinators and supervisors."""

    message = _("活動の記録を見る権限がありません。")

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.role in (Role.COORDINATOR, Role.SUPERVISOR)


class SeesAggregates(permissions.BasePermission):
    """The reports: the bureau and administrators, as on the report pages."""

    message = _("集計を見る権限がありません。")

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.role in (Role.BUREAU, Role.ADMINISTRATOR)
