"""Meeting forms: a new meeting starts in working hours, and every agency is chosen with the one picker."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from agencies.forms import AgencySelect, AgencySelectMultiple
from meetings import services
from meetings.forms import (
    ActivityForm,
    AttendeeForm,
    MeetingRecordForm,
    MeetingScheduleForm,
    MeetingTaskForm,
    default_meeting_hours,
    next_working_day,
)
from meetings.models import MeetingBasis, MeetingKind
from meetings.selectors import selectable_cases
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


class TestDefaultHours:
    @pytest.mark.parametrize(("today", "expected"), [
        (dt.date(2020, 9, 9), dt.date(2020, 9, 10)),    # Wednesday → Thursday
        (dt.date(2020, 9, 11), dt.date(2020, 9, 14)),   # Friday → Monday
        (dt.date(2020, 9, 12), dt.date(2020, 9, 14)),   # Saturday → Monday
        (dt.date(2020, 12, 25), dt.date(2020, 12, 28)),  # 12/28 is the last working day of the year
        (dt.date(2020, 12, 28), dt.date(2021, 1, 4)),   # 年末年始 (12/29–1/3) → the first working day of the year
    ])
    def test_the_next_working_day_skips_weekends_and_the_new_year_holidays(self, today, expected):
        assert next_working_day(today) == expected

    def test_a_meeting_defaults_to_ten_to_eleven_on_the_next_working_day(self):
        start, end = default_meeting_hours(dt.date(2020, 9, 11))
        assert (timezone.localtime(start), timezone.localtime(end)) == (
            timezone.make_aware(dt.datetime(2020, 9, 14, 10)), timezone.make_aware(dt.datetime(2020, 9, 14, 11)))

    def test_the_schedule_form_starts_in_working_hours_whatever_the_time_now(self, coordinator_kita):
        form = MeetingScheduleForm(user=coordinator_kita, cases=selectable_cases(user=coordinator_kita))
        start, end = (timezone.localtime(form[name].initial) for name in ("starts_at", "ends_at"))
        assert (start.hour, start.minute, end.hour, start.weekday() < 5, start.date() > timezone.localdate()) == (
            10, 0, 11, True, True)

    def test_a_time_carried_in_the_address_is_kept(self, coordinator_kita):
        form = MeetingScheduleForm(user=coordinator_kita, cases=selectable_cases(user=coordinator_kita),
                                   initial={"starts_at": "2020-09-10T14:00"})
        assert form["starts_at"].initial == "2020-09-10T14:00" and form["ends_at"].initial is None


def _groups(html):
    return re.findall(r'<optgroup label="([^"]+)"', html)


class TestPickers:
    def test_every_meeting_form_that_picks_an_agency_uses_the_picker_with_the_meetings_ward_first(
            self, coordinator_kita, kita, nishinari, case_kita, kita_houkatsu):
        AgencyFactory(ward=nishinari)
        meeting = services.meeting_schedule(
            user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
            basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.now(), cases=[case_kita],
            agencies=[kita_houkatsu])
        discussions = list(meeting.discussions.select_related("case"))
        forms = {
            "schedule": (MeetingScheduleForm(user=coordinator_kita, cases=selectable_cases(user=coordinator_kita)), "agencies"),
            "record": (MeetingRecordForm(meeting=meeting, discussions=discussions, issue_initial={}), "attended_agencies"),
            "attendee": (AttendeeForm(meeting=meeting), "agency"),
            "task": (MeetingTaskForm(meeting=meeting, discussions=discussions), "agency"),
            "activity": (ActivityForm(user=coordinator_kita), "agencies"),
        }
        for name, (form, field) in forms.items():
            widget = form.fields[field].widget
            assert isinstance(widget, AgencySelect), name
            assert isinstance(widget, AgencySelectMultiple) == field.endswith("agencies"), name
            assert _groups(str(form[field]))[0] == "北区・高齢", name
        # The attendee may belong to any of the city's agencies; the meeting's ward's come first.
        assert _groups(str(forms["attendee"][0]["agency"])) == ["北区・高齢", "ほかの区・高齢"]

    def test_the_record_form_starts_with_the_invited_agencies_chosen(self, coordinator_kita, kita, case_kita, kita_houkatsu):
        meeting = services.meeting_schedule(
            user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
            basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.now(), cases=[case_kita],
            agencies=[kita_houkatsu])
        form = MeetingRecordForm(meeting=meeting, discussions=[], issue_initial={},
                                 initial={"attended_agencies": [kita_houkatsu.pk]})
        assert re.search(rf'<option value="{kita_houkatsu.pk}"[^>]* selected[ >]', str(form["attended_agencies"]))
