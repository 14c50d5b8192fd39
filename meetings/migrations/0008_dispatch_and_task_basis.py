"""docs/access-policy.md, for the rows written before it:

- an SV dispatched to (or convening) a meeting is dispatched to the cases it discussed;
- a task decided at a meeting, given to an agency present at it, was shared with that agency by the meeting
  (TaskSharing.MEETING). Every other earlier task stays 「個人情報を共有しない」 until its case's coordinator gives
  it again under a consent: nothing personal reaches an agency the gate did not let through.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    MeetingCase = apps.get_model("meetings", "MeetingCase")
    MeetingAgency = apps.get_model("meetings", "MeetingAgency")
    MeetingTask = apps.get_model("meetings", "MeetingTask")
    RoleAssignment = apps.get_model("cases", "RoleAssignment")
    Case = apps.get_model("cases", "Case")
    Through = Case.supervisors.through
    User = apps.get_model("accounts", "User")

    supervisors = set(User._default_manager.filter(role="supervisor").values_list("pk", flat=True))
    links = set()
    for meeting_id, sv_id, convener_id in Meeting._default_manager.values_list("pk", "supervisor_id", "convener_id"):
        people = {pk for pk in (sv_id, convener_id) if pk in supervisors}
        if not people:
            continue
        for case_id in MeetingCase._default_manager.filter(meeting_id=meeting_id).values_list("case_id", flat=True):
            links.update((case_id, pk) for pk in people)
    have = set(Through._default_manager.values_list("case_id", "user_id"))
    Through._default_manager.bulk_create([Through(case_id=c, user_id=u) for c, u in sorted(links - have)], batch_size=1000)

    present = set(MeetingAgency._default_manager.filter(attended=True).values_list("meeting_id", "agency_id"))
    with_basis = set(Meeting._default_manager.filter(basis__isnull=False).values_list("pk", flat=True))
    lawful = [task_id for meeting_id, task_id, agency_id in
              MeetingTask._default_manager.values_list("meeting_id", "task_id", "task__agency_id")
              if meeting_id in with_basis and (meeting_id, agency_id) in present]
    for start in range(0, len(lawful), 1000):
        RoleAssignment._default_manager.filter(pk__in=lawful[start:start + 1000]).update(sharing_basis="meeting")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_meeting_tasks"),
        ("cases", "0008_task_sharing"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
