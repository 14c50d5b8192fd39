"""Who may call which part of the API: the same roles as the pages (accounts.access)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import Role


class SeesPersonalData(permissions.BasePermission):
    """Households, cases and everything on them: the three case-work roles. The bureau sees aggregates only."""

    message = _("個人情報を扱う権限がありません。福祉局・システム管理者・監査担当は集計（/api/v1/reports/）だけを利用できます。")

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.sees_personal_data


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
