from django.contrib import admin

from core.admin import MasterAdmin, MunicipalityScopedAdmin, RoleAdminMixin

from .models import Agency, AgencyCategory, Municipality, Ward


@admin.register(Municipality)
class MunicipalityAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "area_label")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.municipality_id)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Ward)
class WardAdmin(MunicipalityScopedAdmin):
    list_display = ("name", "municipality", "sort_order")
    list_filter = ("municipality",)
    search_fields = ("name",)


@admin.register(AgencyCategory)
class AgencyCategoryAdmin(MasterAdmin):
    list_display = ("name", "field", "sort_order", "is_active", "is_standard")
    list_filter = ("field", "is_active")


@admin.register(Agency)
class AgencyAdmin(MunicipalityScopedAdmin):
    list_display = ("name", "category", "ward", "is_active")
    list_filter = ("category", "ward", "is_active")
    search_fields = ("name",)
    list_select_related = ("category", "ward")
