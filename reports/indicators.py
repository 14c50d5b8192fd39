"""Evaluation indicators of seed 003 ch.4 (評価指標案, 運用段階) that the data can compute, each with its
definition; the ones it cannot are listed as such, never invented."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Sum

from agencies.models import Agency
from cases.models import CaseIssue, RoleAssignment
from meetings.models import (
    Activity,
    ActivityKind,
    AgendaItem,
    Meeting,
    MeetingAgency,
    MeetingAttendee,
    MeetingCase,
    MeetingStatus,
)

from .activities import day_range
from .scope import scoped


@dataclass(frozen=True)
class Indicator:
    section: str  # 003's heading, e.g. "（３）－５ 包括化推進会議の運営"
    name: str
    definition: str
    value: int | None  # None: the data cannot compute it


def _connections(*, municipality, ward, start, end, meetings, case_meetings) -> tuple[int, int, int, int]:
    """(cases worked by agencies of two or more fields, cases looked at as a whole household, cases newly
    connected at a meeting, agencies newly linked): section （３）－２'s figures on who works together."""
    # Cases whose tasks are held by agencies of two or more fields (分野): of a case discussed at a meeting every
    # task counts, of any other case its tasks of the period. Counted apart (the two sets of cases are disjoint) so
    # each reads its few tasks through an index, never every task or case of the city.
    since, until = day_range(start, end)
    discussed_ids = MeetingCase.objects.filter(meeting__in=case_meetings).values("case_id")
    tasks = scoped(RoleAssignment.objects, municipality=municipality, ward=ward, prefix="case__").order_by()

    def of_two_fields(tasks) -> int:
        return (tasks.values("case_id").annotate(fields=Count("agency__category__field", distinct=True))
                .filter(fields__gte=2).count())

    multi_field = of_two_fields(tasks.filter(case_id__in=discussed_ids)) + of_two_fields(
        tasks.filter(created_at__gte=since, created_at__lt=until).exclude(case_id__in=discussed_ids))
    # Counted on the discussed cases' issues alone: a case with none has no two members.
    household_wide = (CaseIssue.objects.filter(case_id__in=discussed_ids).order_by().values("case_id")
                      .annotate(members=Count("member", distinct=True)).filter(members__gte=2).count())
    # Newly connected through meetings: tasks decided at a meeting for an agency with no earlier task on the case.
    earlier = RoleAssignment.objects.filter(case_id=OuterRef("case_id"), agency_id=OuterRef("agency_id"),
                                            created_at__lt=OuterRef("created_at"))
    new_links = RoleAssignment.objects.filter(meeting_link__meeting__in=case_meetings).exclude(Exists(earlier))
    newly_connected_cases = new_links.values("case_id").distinct().count()
    # Agencies newly linked: present at a meeting in the period, never at one of the municipality's before it. Asked of
    # each agency (a few hundred), so the check stops at an agency's first earlier attendance instead of reading them all.
    present = MeetingAgency.objects.filter(meeting__in=meetings, attended=True).values("agency_id")
    before = MeetingAgency.objects.filter(
        agency_id=OuterRef("pk"), attended=True, meeting__status=MeetingStatus.HELD,
        meeting__municipality=municipality, meeting__held_on__lt=start,
    )
    newly_linked = Agency.objects.filter(pk__in=present).exclude(Exists(before)).order_by().count()
    return multi_field, household_wide, newly_connected_cases, newly_linked


def evaluation_indicators(*, municipality, start: dt.date, end: dt.date, ward=None) -> list[Indicator]:
    meetings = scoped(Meeting.all_objects, municipality=municipality, ward=ward).held().in_period(start, end)
    case_meetings = meetings.filter(kind__is_network_meeting=False)
    network = meetings.filter(kind__is_network_meeting=True)
    multi_field, household_wide, newly_connected_cases, newly_linked = _connections(
        municipality=municipality, ward=ward, start=start, end=end, meetings=meetings, case_meetings=case_meetings)
    network_agencies = MeetingAgency.objects.filter(meeting__in=network, attended=True)
    agenda = AgendaItem.objects.filter(meeting__in=network)
    activities = scoped(Activity.all_objects, municipality=municipality, ward=ward).in_period(start, end)
    trainings = activities.filter(kind=ActivityKind.TRAINING).aggregate(n=Count("pk"), people=Sum("participant_count"))
    outreach = activities.filter(kind__in=(ActivityKind.PUBLICITY, ActivityKind.OUTREACH)).count()
    tools = activities.filter(kind=ActivityKind.TOOL).count()

    s1, s2, s4, s5 = ("（３）－１ 相談支援に関する課題の把握", "（３）－２ 個別相談に関する支援",
                      "（３）－４ 相談支援体制の構築・マネジメント", "（３）－５ 包括化推進会議の運営")
    return [
        Indicator(s1, "課題の把握・対応に向けたアウトリーチ実施回数",
                  "活動のうち「事業周知」「アウトリーチ（情報収集・状況確認）」の件数。", outreach),
        Indicator(s1, "包括化推進会議等で議題に取り上げた課題数", "ネットワーク会議で記録した議題の数。", agenda.count()),
        Indicator(s1, "アンケート調査・ヒアリングの実施回数", "このシステムでは記録していません。", None),
        Indicator(s2, "複数分野の関係機関が連携・対応した事例数",
                  "期間中に役割分担を登録したか会議で協議した事例のうち、役割分担の機関の分野が2つ以上のもの。", multi_field),
        Indicator(s2, "ケース会議開催数", "期間中に開催した、事例を協議する会議（つながる場・支援会議など）の回数。",
                  case_meetings.count()),
        Indicator(s2, "世帯全体の支援を検討した事例数",
                  "期間中の会議で協議した事例のうち、2人以上の世帯員に課題を記録しているもの。", household_wide),
        Indicator(s2, "会議等を通じて新たに支援につながった事例数",
                  "会議で決めた役割分担のうち、その事例で初めての機関への役割があった事例の数。", newly_connected_cases),
        Indicator(s2, "新たに連携した機関数",
                  "期間中に会議へ出席した機関のうち、それより前の会議に一度も出席していない機関の数。", newly_linked),
        Indicator(s2, "困難事例等への対応を円滑化するツール等の開発数", "活動のうち「ツール作成」の件数。", tools),
        Indicator(s4, "関係専門職を対象とした研修の実施回数", "活動のうち「研修」の件数。", trainings["n"]),
        Indicator(s4, "研修参加者数", "「研修」の参加者数の合計。", trainings["people"] or 0),
        Indicator(s4, "課題解決に向けた施策の着手・完了件数", "このシステムでは記録していません。", None),
        Indicator(s5, "会議開催回数", "期間中に開催したネットワーク会議（包括化推進会議・実務者会議など）の回数。", network.count()),
        Indicator(s5, "会議参加機関数（のべ）", "ネットワーク会議に出席した機関の、会議ごとの合計。", network_agencies.count()),
        Indicator(s5, "会議参加者数（のべ）", "ネットワーク会議の出席者の合計。",
                  MeetingAttendee.objects.filter(meeting__in=network).count()),
        Indicator(s5, "会議設定議題数", "ネットワーク会議で記録した議題の数。", agenda.count()),
        Indicator(s5, "合意や結論が明確になった議題数", "「解決・結論」に印を付けた議題の数。", agenda.filter(is_concluded=True).count()),
        Indicator(s5, "継続テーマにおける進捗報告数", "前回からの継続テーマで、進捗の報告を記録した議題の数。",
                  agenda.filter(carried_from__isnull=False).exclude(progress="").count()),
        Indicator(s5, "連携強化の成果に関する参加者からの評価", "アンケートによる把握が必要で、このシステムでは記録していません。", None),
    ]

