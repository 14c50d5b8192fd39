from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _

from core import wareki

from .forms import LoginForm, PreferencesForm
from .models import User
from .services import user_update_preferences
from .signals import password_changed

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed.send(sender=User, user=self.request.user, request=self.request)
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial={"date_style": request.user.date_style})
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=request.user, date_style=form.cleaned_data["date_style"], request=request)
        messages.success(request, _("表示設定を保存しました。"))
        return redirect("accounts:preferences")
    today = timezone.localdate()
    context = {"form": form, "today": today, "fiscal_year_label": wareki.fiscal_year_label(wareki.fiscal_year(today))}
    return render(request, "accounts/preferences.html", context)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes calls this once a login ID has failed too often from one address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
