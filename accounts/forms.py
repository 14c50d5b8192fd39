from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import security
from .models import DateStyle


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("ログインID"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": _("ログインIDまたはパスワードが違います。大文字と小文字は区別されます。"),
        "inactive": _("このアカウントは利用停止中です。システム管理者にお問い合わせください。"),
    }


def code_field():
    return forms.CharField(
        label=_("確認コード"), max_length=20,
        help_text=_("認証アプリに表示される6桁の数字、または回復コード（英数字8文字）を入力してください。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"}),
    )


def login_failed(request, username: str) -> None:
    """A wrong second factor counts as a failed login: the login ID's and the address's limits, the trail and the
    burst alerts see it like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


class SecondFactorLoginForm(LoginForm):
    """Password and second factor in one step: the way in for a user whose login ID has been stopped (only the
    address's limit applies here). Whatever is wrong, the answer is the same, so the form tells an attacker
    nothing about the password."""

    code = code_field()
    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _("ログインID・パスワード・確認コードのいずれかが違います。大文字と小文字は区別されます。"),
    }

    def clean(self):
        if self.request is not None:
            setattr(self.request, security.SECOND_FACTOR_LOGIN, True)
        cleaned = super().clean()
        if self.user_cache is None:  # a field left empty: nothing was tried
            return cleaned
        device = security.two_factor_verify(user=self.user_cache, token=cleaned.get("code", ""))
        if device is None:
            login_failed(self.request, self.user_cache.get_username())
            raise self.get_invalid_login_error()
        self.device = device
        self.user_cache.otp_device = device
        return cleaned


class SecondFactorForm(forms.Form):
    code = code_field()

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.device = security.two_factor_verify(user=self.user, token=code)
        if self.device is None:
            login_failed(self.request, self.user.get_username())
            raise ValidationError(
                _("確認コードが違います。続けて間違えると、次に入力できるまでの待ち時間が長くなります。"), code="invalid"
            )
        return code


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("認証アプリに表示された6桁の数字"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not security.totp_matches(self.key, code):
            raise ValidationError(
                _("数字が一致しません。端末の時刻が正しいか確かめ、表示中の新しい数字を入力してください。"), code="invalid"
            )
        return code


class OwnPasswordChangeForm(PasswordChangeForm):
    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        if self.user.check_password(password):
            raise ValidationError(_("今のパスワードとは違うパスワードにしてください。"), code="password_unchanged")
        return password


class PreferencesForm(forms.Form):
    date_style = forms.ChoiceField(label=_("日付の表示"), choices=DateStyle.choices, widget=forms.RadioSelect)
