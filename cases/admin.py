from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import MasterAdmin, MunicipalityScopedAdmin

from .models import HouseholdMerge, IssueCategory
from .services import household_merge_undo


@admin.register(IssueCategory)
class IssueCategoryAdmin(MasterAdmin):
    list_display = ("name", "allows_suspected", "sort_order", "is_active", "is_standard")


@admin.register(HouseholdMerge)
class HouseholdMergeAdmin(MunicipalityScopedAdmin):
    """Administrators undo a mistaken merge here. Only numbers and dates are shown: no resident's details."""

    list_display = ("__str__", "merged_by", "merged_at", "undone_by", "undone_at")
    fields = ("source", "target", "moved_members", "moved_cases", "merged_by", "merged_at", "undone_by", "undone_at")
    readonly_fields = fields
    actions = ["undo"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("選択した統合を元に戻す"))
    def undo(self, request, queryset):
        done = 0
        for merge in queryset.filter(undone_at__isnull=True):
            household_merge_undo(user=request.user, merge=merge, request=request)
            done += 1
        self.message_user(request, _("%(count)d 件の統合を元に戻しました。") % {"count": done}, messages.SUCCESS)
