from django.contrib import admin

from audit.models import Action
from audit.services import audit_record
from core.admin import MunicipalityScopedAdmin

from .models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(MunicipalityScopedAdmin):
    """保存期間: one row per municipality, set by its administrator; every change is an audit event."""

    list_display = ("municipality", "years", "updated_at")
    fields = ("municipality", "years")

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        # One policy per municipality: once it exists, it is changed, not added again.
        return request.user.is_superuser or not RetentionPolicy.objects.filter(
            municipality_id=request.user.municipality_id).exists()

    def has_delete_permission(self, request, obj=None):
        return False  # without a row the default (5 years) would apply silently

    def save_model(self, request, obj, form, change):
        before = form.initial.get("years") if change else None
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(action=Action.UPDATE if change else Action.CREATE, request=request, obj=obj,
                     municipality=obj.municipality, detail={"years": {"before": before, "after": obj.years}})
