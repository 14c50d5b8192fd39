from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import FiscalYearField

from .models import AliasKind
from .parsing import Limits, megabytes


class UploadForm(forms.Form):
    file = forms.FileField(label=_("開催台帳のファイル"),
                           error_messages={"required": _("ファイルを選んでください。"),
                                           "empty": _("ファイルが空です。"),
                                           "invalid": _("ファイルとして受け取れませんでした。もう一度選んでください。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = Limits.current()
        self.fields["file"].help_text = gettext(
            "Excel（.xlsx）または CSV（UTF-8・Shift_JIS）。%(size)sMB・%(rows)s行・1つのセル%(chars)s文字まで。") % {
            "size": megabytes(limits.upload_bytes), "rows": f"{limits.rows:,}", "chars": f"{limits.cell_chars:,}"}


class AliasForm(forms.Form):
    kind = forms.ChoiceField(choices=AliasKind.choices)
    alias = forms.CharField(max_length=100)
    target = forms.CharField(max_length=100)


class ExportForm(forms.Form):
    """Which meetings to write: a coordinator's own ward, or (administrators) any ward or the whole city."""

    ward = forms.ModelChoiceField(label=_("区・圏域"), queryset=None, required=False, empty_label=_("全区・全圏域"))
    fiscal_year = FiscalYearField(label=_("年度"), required=False, min_value=2000, max_value=2100,
                                  help_text=_("空欄ならすべての年度。例: 令和2年度、R2、2020"),
                                  error_messages={"min_value": _("年度は平成12年度（2000年度）以降を入力してください。"),
                                                  "max_value": _("年度は2100年度以前を入力してください。")})
    format = forms.ChoiceField(label=_("形式"), choices=[("xlsx", "Excel（.xlsx）"), ("csv", _("CSV（UTF-8）"))],
                               initial="xlsx")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from agencies.models import Ward

        wards = Ward.objects.filter(municipality_id=user.municipality_id)
        if user.ward_id:
            wards = wards.filter(pk=user.ward_id)
            self.fields["ward"].required = True
            self.fields["ward"].empty_label = None
            self.fields["ward"].initial = user.ward_id
        self.fields["ward"].queryset = wards
