import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Ward
from core.forms import DateField
from core.wareki import fiscal_year, fiscal_year_label

from .annual import YearPair

FIRST_FISCAL_YEAR = 2017  # 平成29年度: the model project began (seed 001)


def fiscal_year_choices():
    latest = fiscal_year(timezone.localdate())
    return [(fy, fiscal_year_label(fy)) for fy in range(latest, FIRST_FISCAL_YEAR - 1, -1)]


class AnnualReportForm(forms.Form):
    fy = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=fiscal_year_choices)
    compare = forms.TypedChoiceField(label=_("比較する年度"), coerce=int, choices=fiscal_year_choices, required=False,
                                     empty_value=None, help_text=_("空欄のときは前年度と比べます。"))
    ward = forms.ModelChoiceField(label=_("区・圏域"), queryset=Ward.objects.none(), required=False, empty_label=_("全区"))
    suppress = forms.IntegerField(
        label=_("公表用に秘匿する件数"), required=False, min_value=2, max_value=20,
        help_text=_("ダウンロードするExcel・CSVで、この件数未満の値を「*」にします（例: 3）。計から逆算できないよう、"
                    "ほかの値も一つ以上「*」にします。画面の表はそのままです。"),
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = Ward.objects.filter(municipality=municipality)
        self.fields["compare"].choices = [("", _("前年度")), *fiscal_year_choices()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fy") is not None:
            try:
                YearPair.of(cleaned["fy"], cleaned.get("compare"))
            except ValidationError as error:
                self.add_error("compare", error)
        return cleaned


class PeriodForm(forms.Form):
    start = DateField(label=_("期間（から）"))
    end = DateField(label=_("期間（まで）"))
    ward = forms.ModelChoiceField(label=_("区・圏域"), queryset=Ward.objects.none(), required=False, empty_label=_("全区"))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = Ward.objects.filter(municipality=municipality)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("期間の終わりは、始まり以降の日付にしてください。"))
        if start and end and (end - start) > dt.timedelta(days=366 * 5):
            raise forms.ValidationError(_("期間は5年以内にしてください。"))
        return cleaned


class ReferralReportForm(forms.Form):
    fy = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=fiscal_year_choices)
    ward = forms.ModelChoiceField(label=_("区・圏域"), queryset=Ward.objects.none(), required=False, empty_label=_("全区"))

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = Ward.objects.filter(municipality=municipality)
