from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.admin import MasterAdmin, MunicipalityScopedAdmin, RoleAdminMixin

from .models import Agency, AgencyCategory, Municipality, Ward
from .services import municipality_setup, setup_checked
from .signals import organisation_changed


class AnnouncedAdmin:
    """Every add, change and delete made here is announced (`organisation_changed`), and so audited, with the
    names of the fields changed."""

    def _announce(self, request, obj, action, fields=(), detail=None):
        organisation_changed.send(sender=type(obj), instance=obj, action=action, fields=list(fields),
                                  actor=request.user, request=request, detail=detail or {})

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            own = {f.name for f in obj._meta.fields}
            fields = [name for name in form.changed_data if name in own]
            if fields or not change:
                self._announce(request, obj, "update" if change else "create", fields)

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._announce(request, obj, "delete")  # while it still has its number
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._announce(request, obj, "delete")
            super().delete_queryset(request, queryset)


class MunicipalitySetupForm(forms.ModelForm):
    """The municipality plus wards to add: each new ward gets an agency of every per-ward category."""

    ward_names = forms.CharField(
        label=_("追加する区・圏域"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("1行に1つ、表示する順に。区ごとに標準の機関（地域包括支援センター、生活困窮担当など）も登録します。"),
    )

    class Meta:
        model = Municipality
        fields = ("name", "code", "area_label")

    def clean(self):
        cleaned = super().clean()
        names = [line.strip() for line in cleaned.get("ward_names", "").splitlines() if line.strip()]
        existing = list(self.instance.wards.order_by("sort_order", "pk").values_list("name", flat=True)) if self.instance.pk else []
        if not existing and not names:
            self.add_error("ward_names", _("区・圏域を一つ以上入力してください。"))
        cleaned["all_wards"] = existing + [n for n in names if n not in existing]
        if not self.errors and cleaned["all_wards"]:
            try:
                setup_checked(name=cleaned.get("name", ""), code=cleaned.get("code", ""), wards=cleaned["all_wards"])
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned


@admin.register(Municipality)
class MunicipalityAdmin(AnnouncedAdmin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "area_label")
    form = MunicipalitySetupForm

    def save_model(self, request, obj, form, change):
        """Through the same service as `manage.py setup_municipality`, so both set a city up the same way."""
        data = form.cleaned_data
        with transaction.atomic():
            if change:
                super().save_model(request, obj, form, change)  # a changed name or code first, then the wards
            saved = municipality_setup(name=data["name"], code=data["code"], wards=data["all_wards"],
                                       area_label=data["area_label"], actor=request.user, request=request)
        obj.pk = saved.pk

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.municipality_id)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Ward)
class WardAdmin(AnnouncedAdmin, MunicipalityScopedAdmin):
    list_display = ("name", "municipality", "sort_order")
    list_filter = ("municipality",)
    search_fields = ("name",)


@admin.register(AgencyCategory)
class AgencyCategoryAdmin(AnnouncedAdmin, MasterAdmin):
    list_display = ("name", "field", "sort_order", "is_active", "is_standard")
    list_filter = ("field", "is_active")


@admin.register(Agency)
class AgencyAdmin(AnnouncedAdmin, MunicipalityScopedAdmin):
    list_display = ("name", "category", "ward", "is_active")
    list_filter = ("category", "ward", "is_active")
    search_fields = ("name",)
    list_select_related = ("category", "ward")
