from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import DateStyle


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("ログインID"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": _("ログインIDまたはパスワードが違います。大文字と小文字は区別されます。"),
        "inactive": _("このアカウントは利用停止中です。システム管理者にお問い合わせください。"),
    }


class PreferencesForm(forms.Form):
    date_style = forms.ChoiceField(label=_("日付の表示"), choices=DateStyle.choices, widget=forms.RadioSelect)
