from django.contrib import admin

from core.admin import MasterAdmin

from .models import DeclineReason, ReferralKind


@admin.register(ReferralKind)
class ReferralKindAdmin(MasterAdmin):
    list_display = ("name", "purpose", "default_due_days", "sort_order", "is_active", "is_standard")


@admin.register(DeclineReason)
class DeclineReasonAdmin(MasterAdmin):
    list_display = ("name", "sort_order", "is_active", "is_standard")
