from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import MunicipalityScopedAdmin, RecordsOnlyMixin, RoleAdminMixin

from .models import GrantStatus, RoleGrant, User
from .services import (
    role_grant_approve,
    role_grant_reject,
    user_delete,
    user_issue_one_time_password,
    user_save,
)

# Account administration (#15, docs/security/accounts.md). The administrator never types nor reads a user's own
# password: a new account and a reset get a one-time password, shown once on the page that follows and changed by
# the user at the next login. A role that sees residents' data waits for a second administrator (役割の承認).
# Every change goes through accounts.services, which announce it to the audit trail.


class AccountForm(forms.ModelForm):
    """The user's role and place of work; no password field (and no link to set one)."""

    class Meta:
        model = User
        fields = ()

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality") if "municipality" in self.fields else None
        if municipality is not None:
            for name, message in (("ward", gettext_lazy("担当区・圏域は、利用者の自治体のものを選んでください。")),
                                  ("agency", gettext_lazy("所属機関は、利用者の自治体のものを選んでください。"))):
                chosen = cleaned.get(name)
                if chosen is not None and chosen.municipality_id != municipality.pk:
                    self.add_error(name, message)
        return cleaned


class AccountCreationForm(AccountForm):
    pass


def _own_password_change(request, extra_context=None):
    """The admin's own 「パスワードの変更」 is the site's page, which checks the new password and audits the change."""
    return redirect("accounts:password_change")


admin.site.password_change = _own_password_change  # type: ignore[method-assign]


@admin.register(User)
class UserAdmin(MunicipalityScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "ward", "agency", "is_active", "pending_grant")
    list_filter = ("role", "is_active", "ward")
    list_select_related = ("ward", "agency")
    search_fields = ("username", "last_name", "first_name")
    form = AccountForm
    add_form = AccountCreationForm
    add_form_template = "admin/accounts/user/add_form.html"
    fieldsets = (
        (None, {"fields": ("username", "must_change_password")}),
        (gettext_lazy("氏名"), {"fields": ("last_name", "first_name", "email")}),
        (gettext_lazy("役割と所属"), {"fields": ("role", "municipality", "ward", "agency", "is_active", "is_staff",
                                             "pending_grant")}),
        (gettext_lazy("最終ログイン"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username",)}),
        (gettext_lazy("氏名"), {"fields": ("last_name", "first_name", "email")}),
        (gettext_lazy("役割と所属"), {"fields": ("role", "municipality", "ward", "agency", "is_staff")}),
    )
    readonly_fields = ("last_login", "date_joined", "must_change_password", "pending_grant")
    actions = ["issue_one_time_password"]

    def get_queryset(self, request):
        pending = RoleGrant.objects.filter(status=GrantStatus.PENDING).select_related("requested_by", "ward", "agency")
        qs = super().get_queryset(request).prefetch_related(Prefetch("role_grants", queryset=pending, to_attr="pending"))
        # Municipality administrators never see or edit the system operator's accounts.
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def get_urls(self):
        # Django's 「パスワードの変更」 page for another user is left out: nobody sets someone else's password.
        return admin.ModelAdmin.get_urls(self)

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied

    @admin.display(description=gettext_lazy("承認待ちの変更"))
    def pending_grant(self, obj):
        pending = getattr(obj, "pending", None)
        if pending is None:
            pending = list(obj.role_grants.filter(status=GrantStatus.PENDING).select_related("requested_by", "ward", "agency"))
        if not pending:
            return "—"
        grant = pending[0]
        place = grant.ward or grant.agency or ""
        return _("%(role)s %(place)s（申請: %(by)s）") % {
            "role": grant.get_role_display(), "place": place, "by": grant.requested_by.get_username()}

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.municipality_id = request.user.municipality_id
        saved = user_save(actor=request.user, user=obj, request=request)
        request._account_saved = saved  # the one-time password, for the page that follows (response_add)
        if saved.grant is not None:
            messages.warning(request, _(
                "役割・所属の変更（%(role)s）は、別のシステム管理者が「役割の承認」で承認するまで反映されません。"
            ) % {"role": saved.grant.get_role_display()})

    def delete_model(self, request, obj):
        user_delete(actor=request.user, user=obj, request=request)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            user_delete(actor=request.user, user=user, request=request)

    def response_add(self, request, obj, post_url_continue=None):
        saved = getattr(request, "_account_saved", None)
        if saved is None or not saved.one_time_password:
            return super().response_add(request, obj, post_url_continue)
        return self._one_time_page(request, [(obj, saved.one_time_password)], created=True)

    @admin.action(description=gettext_lazy("ワンタイムパスワードを発行"))
    def issue_one_time_password(self, request, queryset):
        issued = []
        for user in queryset:
            try:
                issued.append((user, user_issue_one_time_password(actor=request.user, user=user, request=request)))
            except ValidationError as error:
                messages.error(request, f"{user.get_username()}: {' '.join(error.messages)}")
        if not issued:
            return None
        return self._one_time_page(request, issued, created=False)

    def _one_time_page(self, request, issued, *, created):
        """Shown once, never stored: the admin's pages are sent with no-store (admin_view's never_cache)."""
        rows = [{"user": user, "password": password,
                 "pending": user.role_grants.filter(status=GrantStatus.PENDING).exists()}
                for user, password in issued]
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "rows": rows, "created": created,
            "title": _("ワンタイムパスワード"),
        }
        return TemplateResponse(request, "admin/accounts/user/one_time_password.html", context)


@admin.register(RoleGrant)
class RoleGrantAdmin(RecordsOnlyMixin, RoleAdminMixin, admin.ModelAdmin):
    """役割の承認: another administrator of the city approves or rejects; nobody adds, edits or deletes."""

    list_display = ("user", "role", "ward", "agency", "status", "requested_by", "requested_at", "decided_by",
                    "decided_at")
    list_filter = ("status", "role")
    list_select_related = ("user", "ward", "agency", "requested_by", "decided_by")
    actions = ["approve", "reject"]
    fields = ("user", "role", "municipality", "ward", "agency", "status", "requested_by", "requested_at",
              "decided_by", "decided_at", "reason")
    readonly_fields = fields

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(municipality_id=request.user.municipality_id)

    def _decide(self, request, queryset, service, done):
        count = 0
        for grant in queryset:
            try:
                service(actor=request.user, grant=grant, request=request)
                count += 1
            except ValidationError as error:
                messages.error(request, f"{grant.user.get_username()}: {' '.join(error.messages)}")
        if count:
            messages.success(request, done % {"count": count})

    @admin.action(description=gettext_lazy("選んだ申請を承認する"))
    def approve(self, request, queryset):
        self._decide(request, queryset, role_grant_approve, _("%(count)d件を承認し、役割・所属を反映しました。"))

    @admin.action(description=gettext_lazy("選んだ申請を却下する"))
    def reject(self, request, queryset):
        self._decide(request, queryset, role_grant_reject, _("%(count)d件を却下しました。"))


# Login security (#15, docs/security/login.md): lift a login ID's stop, or remove a lost second factor. Both go
# through accounts.security and are audited (ログイン停止の解除・二要素認証). Only the accounts this admin may see.
@admin.action(description=gettext_lazy("ログイン停止を解除"))
def clear_lockout(modeladmin, request, queryset):
    from .security import lockout_clear

    for user in queryset:
        lockout_clear(user=user, by=request.user, request=request)
    messages.success(request, _("%(count)d 人のログイン停止を解除しました。") % {"count": len(queryset)})


@admin.action(description=gettext_lazy("二要素認証をリセット（端末の紛失時）"))
def reset_two_factor(modeladmin, request, queryset):
    from .security import two_factor_reset

    for user in queryset:
        two_factor_reset(user=user, by=request.user, request=request)
    messages.success(request, _("%(count)d 人の二要素認証をリセットしました。次のログインで設定し直します。") % {"count": len(queryset)})


UserAdmin.actions = [*(UserAdmin.actions or []), clear_lockout, reset_two_factor]
