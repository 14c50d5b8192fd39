from base64 import b32encode
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import wareki

from . import security
from .forms import (
    EnrolmentForm,
    LoginForm,
    OwnPasswordChangeForm,
    PreferencesForm,
    SecondFactorForm,
    SecondFactorLoginForm,
)
from .services import user_update_preferences

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()


class SecondFactorLoginView(auth_views.LoginView):
    template_name = "accounts/login_second_factor.html"
    authentication_form = SecondFactorLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        security.second_factor_passed(request=self.request, user=form.get_user(), device=form.device)
        return response


login_second_factor = SecondFactorLoginView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        security.password_chosen(user=self.request.user, request=self.request)
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor_verify(request):
    """After the password: the code from the authenticator app, or a recovery code."""
    if request.session.get(security.SECOND_FACTOR_SESSION_KEY) != security.SecondFactorDue.VERIFY:
        return redirect(_next_url(request))
    form = SecondFactorForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST":
        if form.is_valid():
            security.second_factor_passed(request=request, user=request.user, device=form.device)
            if security.is_recovery_code(form.device):
                messages.warning(request, _("回復コードを使いました。使ったコードはもう使えません。"))
            return redirect(_next_url(request))
        if getattr(request, "axes_locked_out", False):
            auth_logout(request)  # the login ID is now stopped: the half-open session ends (axes answers 429)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def qr_svg(data: str) -> str:
    """The QR code as inline SVG, drawn here (no outside service, no script)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=14, border=4)
    svg = image.to_string(encoding="unicode")
    label = _("認証アプリで読み取るQRコード")
    return svg.replace("<svg ", f'<svg class="qr-code" role="img" aria-label="{label}" ', 1)


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with one code; the recovery codes
    are shown once, in the answer to that confirmation."""
    if request.session.get(security.SECOND_FACTOR_SESSION_KEY) == security.SecondFactorDue.VERIFY:
        return redirect("accounts:two_factor_verify")  # the middleware's rule, kept here too: give it, not replace it
    key = request.session.get("two_factor_key")
    if not key:
        key = request.session["two_factor_key"] = security.new_totp_key()
    form = EnrolmentForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        device, codes = security.two_factor_enrol(user=request.user, key=key, request=request)
        security.second_factor_passed(request=request, user=request.user, device=device)
        del request.session["two_factor_key"]
        return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
    secret = b32encode(unhexlify(key)).decode()
    context = {
        "form": form,
        "qr": mark_safe(qr_svg(security.totp_config_url(user=request.user, key=key))),  # drawn by qrcode, no user text
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
        "enrolled": security.has_second_factor(request.user),
        "required": settings.TWO_FACTOR_REQUIRED,
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial={"date_style": request.user.date_style})
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=request.user, date_style=form.cleaned_data["date_style"], request=request)
        messages.success(request, _("表示設定を保存しました。"))
        return redirect("accounts:preferences")
    today = timezone.localdate()
    context = {"form": form, "today": today, "fiscal_year_label": wareki.fiscal_year_label(wareki.fiscal_year(today)),
               "two_factor": security.has_second_factor(request.user)}
    return render(request, "accounts/preferences.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this once a login ID or an address has failed too often. A stopped login ID is offered
    the password + second factor login; a stopped address is not (it holds that login back too)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"cooloff_minutes": minutes, "address_stopped": security.address_is_stopped(request)}
    return render(request, "accounts/locked_out.html", context, status=429)
