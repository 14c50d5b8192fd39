"""Admin for municipality administrators: each sees and edits only its own municipality's rows.

Access is by role (システム管理者) rather than Django's per-model permissions, so that setting up a
city needs no permission juggling; the system operator (superuser) sees everything.
"""

from django.contrib import admin


def is_municipality_admin(user) -> bool:
    # The user model (settings.AUTH_USER_MODEL) says whether it is an administrator: core imports no app.
    return user.is_active and user.is_staff and (user.is_superuser or getattr(user, "is_administrator", False))


class RoleAdminMixin:
    def has_module_permission(self, request):
        return is_municipality_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_municipality_admin(request.user)

    def has_add_permission(self, request):
        return is_municipality_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_municipality_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_municipality_admin(request.user)


class MunicipalityScopedAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Rows carry a `municipality`; non-superusers see and create only their own."""

    # Foreign keys to these models are limited to the user's municipality in forms.
    scoped_foreign_keys = ("ward", "agency", "category")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(municipality_id=request.user.municipality_id)

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            excluded.append("municipality")
        return excluded

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "municipality"]})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.municipality_id = request.user.municipality_id
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in self.scoped_foreign_keys and not request.user.is_superuser and field is not None:
            model = db_field.related_model
            if hasattr(model.objects, "for_municipality"):
                field.queryset = model.objects.for_municipality(request.user.municipality_id)
            else:
                field.queryset = field.queryset.filter(municipality_id=request.user.municipality_id)
        return field


class MasterAdmin(MunicipalityScopedAdmin):
    """Master lists: the national standard rows are shown to everyone but changed only by the operator."""

    list_display = ("name", "sort_order", "is_active", "is_standard")
    list_editable = ("sort_order",)
    search_fields = ("name",)

    @admin.display(boolean=True, description="全国標準")
    def is_standard(self, obj):
        return obj.municipality_id is None

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.for_municipality(request.user.municipality_id)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.municipality_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.municipality_id is None and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
