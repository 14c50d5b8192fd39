"""APIトークン in the admin: the list (whose, issued when, until when, last used) and 「失効させる」.

Tokens are issued with `manage.py issue_token`, not here: a key shown to an administrator would let them call the
API as that user, which is what #15 closes for passwords.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import RecordsOnlyMixin, RoleAdminMixin

from .models import ApiToken
from .tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(RecordsOnlyMixin, RoleAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("user", "name", "prefix", "created_at", "created_by", "expires_at", "last_used_at", "revoked_at",
              "revoked_by")
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user__municipality_id=request.user.municipality_id)

    @admin.action(description=gettext_lazy("選んだトークンを失効させる"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, actor=request.user, request=request)
            count += 1
        messages.success(request, _("%(count)d件のトークンを失効させました。") % {"count": count})
