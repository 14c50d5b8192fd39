from django.contrib import admin

from core.admin import MunicipalityScopedAdmin, is_municipality_admin

from .models import ReportLayout, ReportLayoutRow


class ReportLayoutRowInline(admin.TabularInline):
    model = ReportLayoutRow
    extra = 3
    fields = ("table", "name", "sort_order")

    def _allowed(self, request, obj=None):
        return is_municipality_admin(request.user)

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = _allowed


@admin.register(ReportLayout)
class ReportLayoutAdmin(MunicipalityScopedAdmin):
    """Which agency categories and issues get a row of their own in the yearly tables; the rest are その他."""

    list_display = ("__str__", "updated_at")
    inlines = [ReportLayoutRowInline]
