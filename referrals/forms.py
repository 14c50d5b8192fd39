from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from agencies.forms import AgencySelect, agency_queryset, grouped_agency_choices
from agencies.models import Agency, Ward
from core.forms import DateField, QuickSelect
from core.text import join_list
from core.wareki import format_wareki
from meetings.models import Meeting, MeetingStatus

from .models import DeclineReason, ReferralKind, SharedItem, SharingBasis


def recipient_choices(user) -> list:
    """Ward offices first (つながる体制推進員), then the city's agencies by 分野, the user's ward first."""
    wards = Ward.objects.filter(municipality_id=user.municipality_id).order_by("sort_order", "pk")
    offices = [(f"ward:{w.pk}", _("%(ward)s役所（つながる体制推進員）") % {"ward": w.name}) for w in wards
               if not (user.ward_id and w.pk == user.ward_id)]
    agencies = agency_queryset(user.municipality_id).exclude(pk=user.agency_id or 0)
    ward = user.ward_id or (user.agency.ward_id if user.agency_id else None)
    return [("", "---------"), (str(_("区役所")), offices), *grouped_agency_choices(
        agencies, ward=ward, choice=lambda agency: (ModelChoiceIteratorValue(f"agency:{agency.pk}", agency), agency.name),
    )]


def statutory_meetings(user, cases):
    """Held meetings on a basis that needs no consent, that discussed one of `cases` and that the user may see."""
    return (Meeting.objects.for_user(user)
            .filter(status=MeetingStatus.HELD, basis__requires_consent=False, discussions__case__in=cases)
            .select_related("kind", "ward").distinct().order_by("-held_on", "-pk"))


def meeting_label(meeting) -> str:
    return f"{format_wareki(meeting.held_on)} {meeting.kind.name}（{meeting.ward.name}）"


class CaseChoiceField(forms.ModelChoiceField):
    widget = QuickSelect  # a ward's cases: hundreds of options

    def label_from_instance(self, case):
        return f"{case.number}（{case.ward.name}）"


class ReferralForm(forms.Form):
    case = CaseChoiceField(label=_("事例"), queryset=None)
    kind = forms.ModelChoiceField(label=_("種別"), queryset=ReferralKind.objects.none())
    recipient = forms.ChoiceField(label=_("依頼先"), widget=AgencySelect)
    reason = forms.CharField(
        label=_("依頼の理由と内容"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("個人情報を共有しないときは、氏名・住所など個人が分かることを書かないでください。"),
    )
    shares = forms.MultipleChoiceField(
        label=_("共有する情報"), choices=SharedItem.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("選んだ情報だけが依頼先に表示されます。辞退・取下げのあとは表示されなくなります。"),
    )
    sharing_basis = forms.ChoiceField(
        label=_("共有の根拠"), choices=SharingBasis.choices, initial=SharingBasis.NONE, widget=forms.RadioSelect,
    )
    basis_meeting = forms.ModelChoiceField(
        label=_("根拠とした会議"), queryset=Meeting.all_objects.none(), required=False, widget=QuickSelect,
        help_text=_("支援会議・地域ケア会議・要保護児童対策地域協議会を根拠にするときは、この事例を協議し、依頼先も参加した"
                    "その会議を選んでください。"),
    )
    basis_note = forms.CharField(
        label=_("根拠の詳細"), max_length=200, required=False,
        help_text=_("「その他の法令」のときは条項などを記入してください。"),
    )
    due_on = DateField(
        label=_("回答期限"), required=False, help_text=_("空欄のときは種別ごとの日数で決まります。"),
    )

    def __init__(self, *args, user, cases, case=None, **kwargs):
        """`case`, when the page is for one case: the meetings offered as the basis are that case's (the service
        accepts no other), not every statutory meeting about any of the user's cases (thousands in a city)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["case"].queryset = cases.select_related("ward")
        kinds = ReferralKind.objects.for_municipality(user.municipality_id).active()
        self.fields["kind"].queryset = kinds
        self.fields["kind"].help_text = _("回答期限の日数：%(kinds)s") % {"kinds": join_list(
            _("%(kind)s %(days)s日") % {"kind": k.name, "days": k.default_due_days} for k in kinds)}
        self.fields["recipient"].choices = recipient_choices(user)
        self.fields["basis_meeting"].queryset = statutory_meetings(user, cases if case is None else [case])
        self.fields["basis_meeting"].label_from_instance = meeting_label

    def limit_shares(self, held: dict) -> None:
        """Only the items the sender holds (an agency: what it received or its task shows)."""
        field = self.fields["shares"]
        field.choices = [(value, label) for value, label in SharedItem.choices if value in held]
        if field.choices:
            field.help_text = _("あなたの機関が受け取っている情報だけを渡せます。選んだ情報だけが依頼先に表示されます。")
        else:
            field.help_text = _("あなたの機関はこの事例の個人情報を受け取っていないため、個人情報を含めずに依頼してください。")

    def clean_recipient(self):
        value = self.cleaned_data["recipient"]
        kind, _sep, pk = value.partition(":")
        model = {"agency": Agency, "ward": Ward}.get(kind)
        target = model.objects.filter(pk=pk, municipality_id=self.user.municipality_id).first() if model and pk.isdigit() else None
        if target is None:
            raise forms.ValidationError(_("依頼先を一覧から選んでください。"))
        return target

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        recipient = data["recipient"]
        return {
            "case": data["case"], "kind": data["kind"], "reason": data["reason"], "shares": data["shares"],
            "sharing_basis": data["sharing_basis"], "basis_note": data["basis_note"],
            "basis_meeting": data.get("basis_meeting"), "due_on": data["due_on"],
            "to_agency": recipient if isinstance(recipient, Agency) else None,
            "to_ward": recipient if isinstance(recipient, Ward) else None,
        }


class ReturnForm(forms.Form):
    """つなぎ戻し: addressed to whoever sent the original referral."""

    reason = ReferralForm.base_fields["reason"]
    shares = ReferralForm.base_fields["shares"]
    sharing_basis = ReferralForm.base_fields["sharing_basis"]
    basis_note = ReferralForm.base_fields["basis_note"]
    due_on = ReferralForm.base_fields["due_on"]


class ActionForm(forms.Form):
    """The fields an action asks for: a note, a reason to decline, the outcome when completing."""

    note = forms.CharField(label=_("補足"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    decline_reason = forms.ModelChoiceField(label=_("辞退の理由"), queryset=DeclineReason.objects.none(), required=False)
    outcome = forms.CharField(
        label=_("対応の結果"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("事例の経過に記録され、依頼元に伝わります。"),
    )

    FIELDS = {"accept": ("note",), "decline": ("decline_reason", "note"), "start": ("note",), "complete": ("outcome",),
              "withdraw": ("note",)}

    def __init__(self, *args, action, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["decline_reason"].queryset = DeclineReason.objects.for_municipality(municipality_id).active()
        for name in list(self.fields):
            if name not in self.FIELDS.get(action, ()):
                del self.fields[name]
        if action == "withdraw":
            self.fields["note"].label = _("取下げの理由")
        if action == "decline":
            self.fields["note"].label = _("辞退の理由の補足")
