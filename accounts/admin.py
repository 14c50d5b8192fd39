from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import MunicipalityScopedAdmin

from .models import User


@admin.register(User)
class UserAdmin(MunicipalityScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "ward", "agency", "is_active")
    list_filter = ("role", "is_active", "ward")
    list_select_related = ("ward", "agency")
    search_fields = ("username", "last_name", "first_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("氏名"), {"fields": ("last_name", "first_name", "email")}),
        (_("役割と所属"), {"fields": ("role", "municipality", "ward", "agency", "is_active", "is_staff")}),
        (_("最終ログイン"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("役割と所属"), {"fields": ("role", "municipality", "ward", "agency", "is_staff")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # Municipality administrators never see or edit the system operator's accounts.
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)
