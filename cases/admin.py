from django.contrib import admin

from core.admin import MasterAdmin

from .models import IssueCategory


@admin.register(IssueCategory)
class IssueCategoryAdmin(MasterAdmin):
    list_display = ("name", "allows_suspected", "sort_order", "is_active", "is_standard")
