from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AliasKind


class UploadForm(forms.Form):
    file = forms.FileField(label=_("開催台帳のファイル"), help_text=_("Excel（.xlsx）または CSV（UTF-8・Shift_JIS）。200MBまで。"),
                           error_messages={"required": _("ファイルを選んでください。"),
                                           "empty": _("ファイルが空です。"),
                                           "invalid": _("ファイルとして受け取れませんでした。もう一度選んでください。")})


class AliasForm(forms.Form):
    kind = forms.ChoiceField(choices=AliasKind.choices)
    alias = forms.CharField(max_length=100)
    target = forms.CharField(max_length=100)
