"""meeting_bulk_record keeps the rules of meeting_schedule + meeting_record for meetings already held."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import IssueCategory
from meetings.bulk import HeldDiscussion, HeldMeeting, meeting_bulk_record
from meetings.models import Meeting, MeetingBasis, MeetingKind, MeetingStatus
from reports.annual import annual_report

pytestmark = pytest.mark.django_db


def _held(kita, coordinator_kita, case_kita, kita_houkatsu, **changes):
    spec = dict(
        ward=kita, kind=MeetingKind.objects.get(name="つながる場"), basis=MeetingBasis.objects.get(name="地域ケア会議"),
        # 00:30 in Tokyo is the evening before in UTC: the day is the local one.
        starts_at=timezone.make_aware(dt.datetime(2020, 7, 1, 0, 30)), convener=coordinator_kita,
        agencies=[(kita_houkatsu, True, True)],
        attendees=[{"name": "北野", "is_internal": True, "confidentiality": "statutory"}],
        discussions=[HeldDiscussion(case_id=case_kita.pk, note="方針を協議", issues=[
            (IssueCategory.objects.get(name="認知症"), True), (IssueCategory.objects.get(name="認知症"), False)])],
    )
    spec.update(changes)
    return HeldMeeting(**spec)


def test_held_meetings_count_in_the_yearly_tables_like_recorded_ones(osaka, kita, coordinator_kita, case_kita, kita_houkatsu):
    (meeting,) = meeting_bulk_record(user=coordinator_kita, municipality=osaka,
                                     meetings=[_held(kita, coordinator_kita, case_kita, kita_houkatsu)])
    meeting = Meeting.all_objects.get(pk=meeting.pk)
    assert (meeting.status, meeting.held_on) == (MeetingStatus.HELD, dt.date(2020, 7, 1))
    discussion = meeting.discussions.get()
    # Each issue once per discussion, the first reading kept (as meeting_record).
    assert [(i.category.name, i.suspected) for i in discussion.issues.all()] == [("認知症", True)]
    assert discussion.issues_recorded and meeting.agency_links.get().attended and meeting.attendees.count() == 1
    assert meeting.history.get().history_user == coordinator_kita
    assert annual_report(municipality=osaka, fiscal_year=2020).to_json()["meetings"]["2020"] == 1


def test_a_supervisor_only_where_one_was_dispatched(osaka, kita, coordinator_kita, case_kita, kita_houkatsu, supervisor):
    with pytest.raises(ValueError, match="dispatched"):
        meeting_bulk_record(user=coordinator_kita, municipality=osaka, meetings=[
            _held(kita, coordinator_kita, case_kita, kita_houkatsu, supervisor=supervisor, sv_dispatched=False)])
    assert not Meeting.all_objects.exists()
