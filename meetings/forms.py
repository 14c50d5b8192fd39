import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from agencies.forms import AgencyChoiceField, AgencyMultipleChoiceField, agency_queryset
from agencies.models import Ward
from cases.models import IssueCategory
from core.forms import DATE, DateField, DateTimeField, ModelForm, QuickCheckboxes

from .models import Activity, ActivityKind, MeetingBasis, MeetingKind


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, case):
        return f"{case.number}　{getattr(case, 'primary_name', '') or ''}"


def next_working_day(day: dt.date) -> dt.date:
    """The first day after `day` that a ward office is open: Monday to Friday, outside 年末年始 (12/29–1/3).
    National holidays are not known here; the date is only a default the user can change."""
    day += dt.timedelta(days=1)
    while day.weekday() >= 5 or (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3):
        day += dt.timedelta(days=1)
    return day


def default_meeting_hours(today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A new meeting starts in working hours: the next working day, 10:00–11:00 (never the hour it is now)."""
    day = next_working_day(today or timezone.localdate())
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return start, start + dt.timedelta(hours=1)


class MeetingScheduleForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("会議種別"), queryset=MeetingKind.objects.none())
    basis = forms.ModelChoiceField(
        label=_("開催根拠"), queryset=MeetingBasis.objects.none(), required=False,
        help_text=_("本人同意による会議では、協議する事例の本人に「つながる場での協議」の同意が必要です。"),
    )
    ward = forms.ModelChoiceField(label=_("区・圏域"), queryset=Ward.objects.none())
    title = forms.CharField(label=_("会議名"), max_length=200, required=False)
    starts_at = DateTimeField(label=_("開始日時"))
    ends_at = DateTimeField(label=_("終了日時"), required=False)
    place = forms.CharField(label=_("場所"), max_length=200, required=False)
    sv_dispatched = forms.BooleanField(label=_("SVを派遣する"), required=False)
    supervisor = forms.ModelChoiceField(label=_("派遣するSV"), queryset=User.objects.none(), required=False)
    agencies = AgencyMultipleChoiceField(
        label=_("招集する機関"), required=False,
        help_text=_("招集した機関の職員は、この会議と協議する事例の番号を見られます。"),
    )
    cases = CaseChoiceField(label=_("協議する事例"), queryset=None, required=False, widget=QuickCheckboxes)  # a ward's open cases
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, cases, **kwargs):
        super().__init__(*args, **kwargs)
        municipality_id = user.municipality_id
        self.fields["kind"].queryset = MeetingKind.objects.for_municipality(municipality_id).active()
        self.fields["basis"].queryset = MeetingBasis.objects.for_municipality(municipality_id).active()
        self.fields["supervisor"].queryset = User.objects.filter(
            role=Role.SUPERVISOR, municipality_id=municipality_id, is_active=True
        )
        self.fields["cases"].queryset = cases
        if user.role == Role.COORDINATOR:
            self.fields["ward"].queryset = Ward.objects.filter(pk=user.ward_id)
            self.fields["ward"].initial = user.ward_id
            self.fields["ward"].widget = forms.HiddenInput()
            self.fields["agencies"].offer(agency_queryset(municipality_id, user.ward), ward=user.ward)
        else:
            self.fields["ward"].queryset = Ward.objects.filter(municipality_id=municipality_id)
            self.fields["agencies"].offer(agency_queryset(municipality_id), ward=self.initial.get("ward"))
        if not self.is_bound and "starts_at" not in self.initial:
            self.fields["starts_at"].initial, self.fields["ends_at"].initial = default_meeting_hours()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sv_dispatched") and not cleaned.get("supervisor"):
            self.add_error("supervisor", _("SVを派遣するときは、派遣するSVを選んでください。"))
        kind = cleaned.get("kind")
        if kind and not kind.is_network_meeting and not cleaned.get("basis"):
            self.add_error("basis", _("個別の事例を協議する会議では、開催根拠を選んでください。"))
        return cleaned


class MeetingRecordForm(forms.Form):
    """開催記録. The issues of each discussed case are extra fields named issues_<id> / suspected_<id> / note_<id>."""

    attended_agencies = AgencyMultipleChoiceField(label=_("出席した機関"), required=False)
    minutes = forms.CharField(label=_("議事録"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    decisions = forms.CharField(label=_("決定事項"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    next_review_on = DateField(label=_("次回の見直し日"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, meeting, discussions, issue_initial, **kwargs):
        super().__init__(*args, **kwargs)
        invited = list(meeting.agency_links.values_list("agency_id", flat=True))
        self.fields["attended_agencies"].offer(agency_queryset(meeting.municipality_id, meeting.ward, also=invited),
                                               ward=meeting.ward)
        categories = IssueCategory.objects.for_municipality(meeting.municipality_id).active()
        self.discussion_fields = []
        for discussion in discussions:
            chosen = issue_initial.get(discussion.pk, [])
            issues = forms.ModelMultipleChoiceField(
                label=_("協議した課題"), queryset=categories, required=False, widget=forms.CheckboxSelectMultiple,
                initial=[pk for pk, _suspected in chosen],
            )
            suspected = forms.ModelMultipleChoiceField(
                label=_("うち疑い"), queryset=categories.filter(allows_suspected=True), required=False,
                widget=forms.CheckboxSelectMultiple, initial=[pk for pk, is_suspected in chosen if is_suspected],
            )
            note = forms.CharField(label=_("協議の内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   initial=discussion.note)
            self.fields[f"issues_{discussion.pk}"] = issues
            self.fields[f"suspected_{discussion.pk}"] = suspected
            self.fields[f"note_{discussion.pk}"] = note
            self.discussion_fields.append(
                (discussion, self[f"issues_{discussion.pk}"], self[f"suspected_{discussion.pk}"], self[f"note_{discussion.pk}"])
            )
        self.discussions = discussions

    def discussion_data(self) -> dict:
        data = {}
        for discussion in self.discussions:
            suspected = {c.pk for c in self.cleaned_data[f"suspected_{discussion.pk}"]}
            data[discussion.case_id] = {
                "issues": [(c, c.pk in suspected) for c in self.cleaned_data[f"issues_{discussion.pk}"]],
                "note": self.cleaned_data[f"note_{discussion.pk}"],
            }
        return data


class AttendeeForm(forms.Form):
    name = forms.CharField(label=_("氏名"), max_length=100)
    agency = AgencyChoiceField(label=_("所属機関"), required=False)
    affiliation = forms.CharField(label=_("所属（機関以外）"), max_length=100, required=False)
    is_internal = forms.BooleanField(label=_("庁内"), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].offer(agency_queryset(meeting.municipality_id), ward=meeting.ward)


class MeetingTaskForm(forms.Form):
    case = forms.ChoiceField(label=_("事例"), required=False)
    agency = AgencyChoiceField(label=_("担当機関"))
    person = forms.CharField(label=_("担当者"), max_length=100, required=False)
    task = forms.CharField(label=_("役割"), max_length=200)
    due_on = DateField(label=_("期限"), required=False)

    def __init__(self, *args, meeting, discussions, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {str(d.case_id): d.case for d in discussions}
        # A blank first choice, so that an unused row stays empty; with one case discussed it is that case.
        self.fields["case"].choices = [("", "---------"), *((str(d.case_id), d.case.number) for d in discussions)]
        if len(self.cases) == 1:
            self.fields["case"].initial = next(iter(self.cases))
        self.fields["agency"].offer(agency_queryset(meeting.municipality_id, meeting.ward), ward=meeting.ward)

    def clean_case(self):
        chosen = self.cleaned_data["case"]
        if not chosen and len(self.cases) == 1:
            return next(iter(self.cases.values()))
        if not chosen:
            raise forms.ValidationError(_("事例を選んでください。"))
        return self.cases[chosen]


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("議題"), max_length=200)
    carried_from = forms.IntegerField(widget=forms.HiddenInput, required=False)
    progress = forms.CharField(label=_("進捗の報告"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_concluded = forms.BooleanField(label=_("解決・結論"), required=False)
    is_continuing = forms.BooleanField(label=_("継続テーマ"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_concluded") and cleaned.get("is_continuing"):
            raise forms.ValidationError(_("解決と継続テーマの両方には印を付けられません。"))
        return cleaned


def formset(form, *, extra):
    return forms.formset_factory(form, extra=extra, max_num=50, validate_max=True)


AttendeeFormSet = formset(AttendeeForm, extra=4)
MeetingTaskFormSet = formset(MeetingTaskForm, extra=3)
AgendaFormSet = formset(AgendaItemForm, extra=2)


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(label=_("中止の理由"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActivityForm(ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "held_on", "title", "agency_count", "case_count", "participant_count", "agencies", "note"]
        widgets = {"held_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"agencies": AgencyMultipleChoiceField}
        help_texts = {
            "agency_count": _("連絡会参加・区独自の取組では必須（のべ機関数に数えます）。"),
            "case_count": _("個別事例検討会議では必須（のべ事例数に数えます）。"),
            "participant_count": _("研修では必須。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].offer(agency_queryset(user.municipality_id, user.ward), ward=user.ward)
        self.fields["agencies"].required = False
        if not self.instance.pk:
            self.fields["held_on"].initial = timezone.localdate()
        self.fields["kind"].choices = ActivityKind.choices
