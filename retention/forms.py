from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateField

from .models import ErasureGround

WHOLE = ""


class FindHouseholdForm(forms.Form):
    """The household is found by a case number (the coordinator gives it): the people handling the request see
    no names."""

    case_number = forms.CharField(label=_("事例番号"), max_length=30,
                                  help_text=_("例: R2-0001。担当の推進員に確認してください。氏名では探せません。"))


class ErasureRequestForm(forms.Form):
    member = forms.ChoiceField(label=_("消去する範囲"), required=False, widget=forms.RadioSelect)
    ground = forms.ChoiceField(label=_("請求の種類"), choices=ErasureGround.choices)
    received_on = DateField(label=_("請求の受付日"))
    note = forms.CharField(label=_("補足"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("氏名・住所など個人を特定する情報は書かないでください（受付票に載ります）。"))

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.members = {str(m.pk): m for m in household.members.all()}
        self.fields["member"].choices = [(WHOLE, _("世帯全体（世帯員全員）"))] + [
            (key, _("世帯員 #%(pk)s（%(relationship)s・%(sex)s）") % {
                "pk": key, "relationship": m.get_relationship_display(), "sex": m.get_sex_display()})
            for key, m in self.members.items()
        ]
        self.fields["member"].initial = WHOLE

    def clean_member(self):
        value = self.cleaned_data.get("member") or WHOLE
        return self.members.get(value)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("却下の理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
