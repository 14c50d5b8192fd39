from django.contrib import admin

from core.admin import MasterAdmin

from .models import MeetingBasis, MeetingKind


@admin.register(MeetingBasis)
class MeetingBasisAdmin(MasterAdmin):
    list_display = ("name", "law", "requires_consent", "statutory_confidentiality", "sort_order", "is_standard")


@admin.register(MeetingKind)
class MeetingKindAdmin(MasterAdmin):
    list_display = ("name", "is_network_meeting", "in_annual_tables", "sort_order", "is_active", "is_standard")
