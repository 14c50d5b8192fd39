"""Admin for municipality administrators: each sees and edits only its own municipality's rows.

Access is by role (システム管理者) rather than Django's per-model permissions, so that setting up a
city needs no permission juggling; the system operator (superuser) sees everything.
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from core import wareki


def is_municipality_admin(user) -> bool:
    # The user model (settings.AUTH_USER_MODEL) says whether it is an administrator: core imports no app.
    return user.is_active and user.is_staff and (user.is_superuser or getattr(user, "is_administrator", False))


class WarekiDatesMixin:
    """Dates in the change lists and read-only fields are written as everywhere else (令和8年11月30日 05:36, or
    西暦 by the administrator's choice). The admin writes a model's own date fields through Django's locale
    format and looks a field up by name before the admin's methods, so each is swapped for a display function."""

    def _date_display(self, request, name):
        if not isinstance(name, str):
            return None
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not isinstance(field, models.DateField):
            return None
        # One function per request and name: the form's fieldsets and read-only fields must hold the same object.
        made = request.__dict__.setdefault("_wareki_admin_columns", {})
        key = (self.model, name)
        if key not in made:
            style = getattr(request.user, "date_style", "wareki")
            write = wareki.format_datetime if isinstance(field, models.DateTimeField) else wareki.format_date

            def display(obj):
                value = getattr(obj, name)
                return write(value, style) if value else None

            display.__name__ = name  # the form row keeps the field's name (and its help text)
            made[key] = admin.display(description=field.verbose_name, ordering=name)(display)
        return made[key]

    def _with_dates(self, request, names):
        return [self._date_display(request, n) or n for n in names]

    def get_list_display(self, request):
        return self._with_dates(request, super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        return self._with_dates(request, super().get_readonly_fields(request, obj))

    def get_exclude(self, request, obj=None):
        # The read-only dates now go by their display functions; keep their names out of the form too.
        names = [n for n in super().get_readonly_fields(request, obj) if self._date_display(request, n)]
        excluded = super().get_exclude(request, obj)
        return [*(excluded or ()), *names] if names else excluded

    def get_fieldsets(self, request, obj=None):
        readonly = set(super().get_readonly_fields(request, obj))

        def swap(entry):
            if isinstance(entry, list | tuple):
                return type(entry)(swap(e) for e in entry)
            return (self._date_display(request, entry) or entry) if entry in readonly else entry

        return [(name, {**options, "fields": swap(options["fields"])})
                for name, options in super().get_fieldsets(request, obj)]


class RoleAdminMixin(WarekiDatesMixin):
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


class RecordsOnlyMixin:
    """Records the admin lists and acts on through its actions (approve, revoke, undo) but nobody adds, edits or
    deletes by hand: each is written by a service that audits it. Put it before the admin's other bases."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
