import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import AgencyChoiceField, AgencyMultipleChoiceField, ReferrerField, agency_queryset
from core.forms import DATE, DateField, DateTimeField, ModelForm

from .models import (
    Case,
    CaseIssue,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Consultation,
    Household,
    HouseholdMember,
    IssueCategory,
    PlanKind,
    Relationship,
    RoleAssignment,
    SupportPlan,
    TaskStatus,
)

KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f\s　・ー]+$")


def _not_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("世帯を探す"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("氏名・ふりがな・電話番号・住所・事例番号")}),
    )


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("氏名・事例番号"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("氏名・ふりがな・事例番号・台帳の事例番号")}),
    )


class MemberFieldsMixin:
    def clean_name_kana(self):
        kana = self.cleaned_data["name_kana"].strip()
        if not KANA.match(kana):
            raise forms.ValidationError(_("ふりがなは、ひらがなかカタカナで入力してください。"))
        return kana

    def clean_birth_date(self):
        return _not_future(self.cleaned_data.get("birth_date"), _("生年月日に未来の日付は入力できません。"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("birth_date") and cleaned.get("estimated_age") is not None:
            self.add_error("estimated_age", _("生年月日が分かっているときは、推定年齢は空欄にしてください。"))
        return cleaned


class HouseholdCreateForm(MemberFieldsMixin, forms.Form):
    name = forms.CharField(label=_("本人の氏名"), max_length=100)
    name_kana = forms.CharField(label=_("ふりがな"), max_length=100)
    birth_date = DateField(label=_("生年月日"), required=False)
    estimated_age = forms.IntegerField(label=_("推定年齢"), required=False, min_value=0, max_value=130,
                                       help_text=_("生年月日が分からないときだけ入力します。"))
    sex = forms.ChoiceField(label=_("性別"), choices=HouseholdMember._meta.get_field("sex").choices, initial="unknown")
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    phone = forms.CharField(label=_("電話番号"), max_length=20, required=False)
    note = forms.CharField(label=_("世帯の特記事項"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def primary(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "name_kana", "birth_date", "estimated_age", "sex")}


class VersionedForm(ModelForm):
    """Carries the version the user started from, so a save over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class HouseholdEditForm(VersionedForm):
    class Meta:
        model = Household
        fields = ["address", "phone", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class MemberForm(MemberFieldsMixin, VersionedForm):
    class Meta:
        model = HouseholdMember
        fields = [
            "name", "name_kana", "relationship", "relationship_note", "birth_date", "estimated_age", "sex", "care_level",
            "physical_disability_grade", "intellectual_disability_grade", "mental_disability_grade",
            "disability_unconfirmed", "public_assistance", "moved_out_on", "deceased_on",
        ]
        widgets = {"birth_date": DATE, "moved_out_on": DATE, "deceased_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["version"].required = False
            self.initial.setdefault("relationship", "")
        relationship = self.fields["relationship"]
        relationship.required = True
        relationship.choices = [("", _("選んでください")), *Relationship.choices]
        for name in ("care_level", "physical_disability_grade", "intellectual_disability_grade", "mental_disability_grade"):
            self.fields[name].choices = [("", _("なし・不明")), *self.fields[name].choices[1:]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relationship") == Relationship.OTHER and not cleaned.get("relationship_note", "").strip():
            self.add_error("relationship_note", _("続柄が「その他」のときは、続柄を詳しく書いてください（例: 叔母）。"))
        return cleaned


class CaseForm(ModelForm):
    """相談のあった機関 is asked once: an agency (its category follows) or only a category when no agency is named.
    cleaned_data carries it as referring_agency / referring_category, as the services take it."""

    referrer = ReferrerField(
        label=_("相談のあった機関"),
        help_text=_("本人・家族からの相談のときは空欄。機関名を記録しないとき（民生委員など）は「種別だけを記録する」から選びます。"),
    )

    def __init__(self, *args, municipality_id, ward=None, **kwargs):
        super().__init__(*args, **kwargs)
        referrer = self.fields["referrer"]
        referrer.municipality_id = municipality_id
        referrer.ward = ward or (self.instance.ward_id if self.instance.pk else None)
        if self.instance.referring_agency_id:
            self.initial.setdefault("referrer", f"agency:{self.instance.referring_agency_id}")
        elif self.instance.referring_category_id:
            self.initial.setdefault("referrer", f"category:{self.instance.referring_category_id}")

    def clean_received_on(self):
        return _not_future(self.cleaned_data.get("received_on"), _("受付日に未来の日付は入力できません。"))

    def clean(self):
        cleaned = super().clean()
        agency, category = cleaned.pop("referrer", (None, None))
        cleaned["referring_agency"], cleaned["referring_category"] = agency, category
        if cleaned.get("intake_channel") == "agency" and not category and "referrer" not in self.errors:
            self.add_error("referrer", _("相談経路が「関係機関から」のときは、相談のあった機関を選んでください。"))
        return cleaned


class CaseOpenForm(CaseForm):
    class Meta:
        model = Case
        fields = ["received_on", "intake_channel", "referrer", "is_difficult", "summary"]
        widgets = {"received_on": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class CaseEditForm(CaseForm, VersionedForm):
    class Meta:
        model = Case
        fields = ["intake_channel", "referrer", "lead", "is_difficult", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality_id, **kwargs):
        super().__init__(*args, municipality_id=municipality_id, **kwargs)
        self.fields["lead"].queryset = self.fields["lead"].queryset.filter(
            municipality_id=municipality_id, role="coordinator", is_active=True
        )
        if self.instance.pk:  # the case's own ward's coordinators (docs/access-policy.md)
            self.fields["lead"].queryset = self.fields["lead"].queryset.filter(ward_id=self.instance.ward_id)


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsultationForm(ModelForm):
    held_at = DateTimeField(label=_("日時"))

    class Meta:
        model = Consultation
        fields = ["held_at", "method", "summary", "minutes", "next_action", "next_due_on", "agencies"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "next_due_on": DATE}
        field_classes = {"agencies": AgencyMultipleChoiceField}

    def __init__(self, *args, municipality_id, ward=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["method"].initial = "phone"
        self.fields["agencies"].offer(agency_queryset(municipality_id), ward=ward)
        self.fields["agencies"].required = False


class IssueForm(ModelForm):
    class Meta:
        model = CaseIssue
        fields = ["category", "member", "suspected", "noted_on", "note"]
        widgets = {"noted_on": DATE}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = IssueCategory.objects.for_municipality(case.municipality_id).active()
        self.fields["member"].queryset = case.household.members.all()
        self.fields["noted_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if cleaned.get("suspected") and category and not category.allows_suspected:
            self.add_error("suspected", _("「%(name)s」は疑いとして記録できない課題です。") % {"name": category.name})
        return cleaned


class ConsentForm(ModelForm):
    class Meta:
        model = Consent
        fields = ["member", "purpose", "all_agencies", "agencies", "obtained_on", "method", "note"]
        widgets = {"obtained_on": DATE}
        field_classes = {"agencies": AgencyMultipleChoiceField}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = case.household.members.all()
        self.fields["member"].initial = case.household.members.filter(is_primary=True).first()
        self.fields["agencies"].offer(agency_queryset(case.municipality_id), ward=case.ward_id)
        self.fields["agencies"].required = False
        self.fields["purpose"].initial = ConsentPurpose.SHARING
        self.fields["method"].initial = ConsentMethod.WRITTEN
        self.fields["obtained_on"].initial = timezone.localdate()

    def clean_obtained_on(self):
        return _not_future(self.cleaned_data.get("obtained_on"), _("同意日に未来の日付は入力できません。"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_agencies") and not cleaned.get("agencies"):
            self.add_error("agencies", _("対象の機関を選ぶか、「すべての関係機関」にチェックしてください。"))
        return cleaned


class PlanForm(ModelForm):
    class Meta:
        model = SupportPlan
        fields = ["kind", "goals", "policy", "decided_on", "review_on"]
        widgets = {"decided_on": DATE, "review_on": DATE, "goals": forms.Textarea(attrs={"rows": 3}),
                   "policy": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        self.fields["kind"].initial = PlanKind.INITIAL

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("review_on") and cleaned.get("decided_on") and cleaned["review_on"] < cleaned["decided_on"]:
            self.add_error("review_on", _("見直し予定日は決定日以降にしてください。"))
        return cleaned


class TaskForm(ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["agency", "person", "task", "due_on"]
        widgets = {"due_on": DATE}
        field_classes = {"agency": AgencyChoiceField}

    def __init__(self, *args, municipality_id, ward=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].offer(agency_queryset(municipality_id), ward=ward)


TaskFormSet = forms.formset_factory(TaskForm, extra=3, max_num=20)


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状況"), choices=TaskStatus.choices)


class HouseholdMergeForm(forms.Form):
    target = forms.IntegerField(label=_("統合先の世帯番号"), min_value=1,
                                help_text=_("この世帯の世帯員と事例を、指定した世帯に移します。同じ区の世帯だけを指定できます。"))
    reason = forms.CharField(label=_("統合の理由"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("同じ世帯であることを確認しました"))
