"""Meetings' migrations 0001–0006 squashed, without Meeting.source_import/source_row (now ledger.ImportedMeeting).

This app's migrations depend only on the apps below it. A database that applied 0001–0006 keeps those
columns until ledger 0003 copies and drops them.
"""

import django.db.models.deletion
import django.db.models.manager
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from meetings.masters import MEETING_BASES, MEETING_KINDS


def load(apps, schema_editor):
    """The national standard bases and kinds (was 0002_standard_bases_and_kinds and 0004)."""
    MeetingBasis = apps.get_model("meetings", "MeetingBasis")
    MeetingKind = apps.get_model("meetings", "MeetingKind")
    for order, (name, law, consent, confidentiality) in enumerate(MEETING_BASES, start=1):
        MeetingBasis.objects.update_or_create(
            municipality=None,
            name=name,
            defaults={
                "law": law,
                "requires_consent": consent,
                "statutory_confidentiality": confidentiality,
                "sort_order": order * 10,
            },
        )
    for order, (name, network) in enumerate(MEETING_KINDS, start=1):
        MeetingKind.objects.update_or_create(
            municipality=None, name=name, defaults={"is_network_meeting": network, "sort_order": order * 10}
        )
    # Seed 000's tables count the つながる場 held; other kinds are counted elsewhere.
    MeetingKind.objects.filter(municipality=None, name="つながる場").update(in_annual_tables=True)


def unload(apps, schema_editor):
    apps.get_model("meetings", "MeetingBasis").objects.filter(
        municipality=None, name__in=[row[0] for row in MEETING_BASES]
    ).delete()
    apps.get_model("meetings", "MeetingKind").objects.filter(
        municipality=None, name__in=[row[0] for row in MEETING_KINDS]
    ).delete()


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("meetings", "0001_initial"),
        ("meetings", "0002_standard_bases_and_kinds"),
        ("meetings", "0003_meetings_and_activities"),
        ("meetings", "0004_tsunagaru_ba_in_annual_tables"),
        ("meetings", "0005_meeting_ward_start_index"),
        ("meetings", "0006_historicalmeeting_source_import_and_more"),
    ]

    dependencies = [
        ('agencies', '0002_standard_agency_categories'),
        ('cases', '0001_squashed_0007_cases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Meeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='会議名')),
                ('starts_at', models.DateTimeField(verbose_name='開始日時')),
                ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='終了日時')),
                ('held_on', models.DateField(db_index=True, editable=False, verbose_name='開催日')),
                ('place', models.CharField(blank=True, max_length=200, verbose_name='場所')),
                ('sv_dispatched', models.BooleanField(default=False, verbose_name='SV派遣')),
                ('status', models.CharField(choices=[('scheduled', '開催予定'), ('held', '開催済み'), ('cancelled', '中止')], default='scheduled', max_length=20, verbose_name='状況')),
                ('minutes', models.TextField(blank=True, verbose_name='議事録')),
                ('decisions', models.TextField(blank=True, verbose_name='決定事項')),
                ('next_review_on', models.DateField(blank=True, null=True, verbose_name='次回の見直し日')),
                ('cancel_reason', models.CharField(blank=True, max_length=200, verbose_name='中止の理由')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                ('convener', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='convened_meetings', to=settings.AUTH_USER_MODEL, verbose_name='招集者')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
                ('supervisor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sv_meetings', to=settings.AUTH_USER_MODEL, verbose_name='派遣されたSV')),
                ('ward', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='agencies.ward', verbose_name='区・圏域')),
            ],
            options={
                'verbose_name': '会議',
                'verbose_name_plural': '会議',
                'ordering': ['-starts_at', '-pk'],
                'base_manager_name': 'all_objects',
                'default_manager_name': 'all_objects',
            },
            managers=[
                ('all_objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='MeetingAttendee',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='氏名')),
                ('affiliation', models.CharField(blank=True, max_length=100, verbose_name='所属（機関以外）')),
                ('is_internal', models.BooleanField(default=False, verbose_name='庁内')),
                ('confidentiality', models.CharField(choices=[('statutory', '法定の守秘義務'), ('agreement', '申し合わせによる守秘')], max_length=20, verbose_name='守秘義務')),
                ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency', verbose_name='所属機関')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendees', to='meetings.meeting', verbose_name='会議')),
            ],
            options={
                'verbose_name': '出席者',
                'verbose_name_plural': '出席者',
                'ordering': ['-is_internal', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='MeetingBasis',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='表示順')),
                ('is_active', models.BooleanField(default=True, verbose_name='使用中')),
                ('law', models.CharField(blank=True, max_length=100, verbose_name='根拠法令')),
                ('requires_consent', models.BooleanField(default=True, help_text='本人の同意がなければ個人情報を協議できない根拠。', verbose_name='本人同意が必要')),
                ('statutory_confidentiality', models.BooleanField(default=False, help_text='出席者全員に法律上の守秘義務が課される根拠。', verbose_name='法定の守秘義務')),
                ('municipality', models.ForeignKey(blank=True, help_text='空欄は全国標準の項目です。', null=True, on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
            ],
            options={
                'verbose_name': '開催根拠',
                'verbose_name_plural': '開催根拠',
                'ordering': ['sort_order', 'pk'],
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='basis',
            field=models.ForeignKey(blank=True, help_text='個別の事例を協議する会議では必須です。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='meetings.meetingbasis', verbose_name='開催根拠'),
        ),
        migrations.CreateModel(
            name='MeetingCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True, verbose_name='協議の内容')),
                ('issues_recorded', models.BooleanField(default=False, editable=False, verbose_name='協議時の課題を記録済み')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='discussions', to='cases.case', verbose_name='事例')),
                ('consent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.consent', verbose_name='根拠とした本人同意')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='discussions', to='meetings.meeting', verbose_name='会議')),
            ],
            options={
                'verbose_name': '協議した事例',
                'verbose_name_plural': '協議した事例',
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='MeetingCaseIssue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('suspected', models.BooleanField(default=False, verbose_name='疑い')),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.issuecategory', verbose_name='課題')),
                ('discussion', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='issues', to='meetings.meetingcase', verbose_name='協議した事例')),
            ],
            options={
                'verbose_name': '協議時の課題',
                'verbose_name_plural': '協議時の課題',
                'ordering': ['category__sort_order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='MeetingKind',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='表示順')),
                ('is_active', models.BooleanField(default=True, verbose_name='使用中')),
                ('is_network_meeting', models.BooleanField(default=False, help_text='個別事例ではなく議題を扱う会議（包括化推進会議など）。', verbose_name='ネットワーク会議')),
                ('in_annual_tables', models.BooleanField(default=False, help_text='つながる場の年次集計表（開催根拠・SV派遣・相談のあった機関・参加機関・課題）で数える会議。', verbose_name='年次集計の対象')),
                ('municipality', models.ForeignKey(blank=True, help_text='空欄は全国標準の項目です。', null=True, on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
            ],
            options={
                'verbose_name': '会議種別',
                'verbose_name_plural': '会議種別',
                'ordering': ['sort_order', 'pk'],
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='kind',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='meetings.meetingkind', verbose_name='会議種別'),
        ),
        migrations.CreateModel(
            name='HistoricalMeeting',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='会議名')),
                ('starts_at', models.DateTimeField(verbose_name='開始日時')),
                ('ends_at', models.DateTimeField(blank=True, null=True, verbose_name='終了日時')),
                ('held_on', models.DateField(db_index=True, editable=False, verbose_name='開催日')),
                ('place', models.CharField(blank=True, max_length=200, verbose_name='場所')),
                ('sv_dispatched', models.BooleanField(default=False, verbose_name='SV派遣')),
                ('status', models.CharField(choices=[('scheduled', '開催予定'), ('held', '開催済み'), ('cancelled', '中止')], default='scheduled', max_length=20, verbose_name='状況')),
                ('minutes', models.TextField(blank=True, verbose_name='議事録')),
                ('decisions', models.TextField(blank=True, verbose_name='決定事項')),
                ('next_review_on', models.DateField(blank=True, null=True, verbose_name='次回の見直し日')),
                ('cancel_reason', models.CharField(blank=True, max_length=200, verbose_name='中止の理由')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新日時')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('convener', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='招集者')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('municipality', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.municipality', verbose_name='自治体')),
                ('supervisor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='派遣されたSV')),
                ('ward', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.ward', verbose_name='区・圏域')),
                ('basis', models.ForeignKey(blank=True, db_constraint=False, help_text='個別の事例を協議する会議では必須です。', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meetingbasis', verbose_name='開催根拠')),
                ('kind', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meetingkind', verbose_name='会議種別')),
            ],
            options={
                'verbose_name': 'historical 会議',
                'verbose_name_plural': 'historical 会議',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Activity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('publicity', '各相談支援機関への事業周知'), ('outreach', '各相談支援機関へのアウトリーチ（情報収集や状況確認など）'), ('liaison', '連絡会参加'), ('case_review', '個別事例検討会議'), ('ward_initiative', '区独自の取組'), ('training', '研修'), ('tool', 'ツール作成')], max_length=20, verbose_name='活動')),
                ('held_on', models.DateField(verbose_name='実施日')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='名称・テーマ')),
                ('agency_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='参加機関数')),
                ('case_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='検討した事例数')),
                ('participant_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='参加者数')),
                ('note', models.TextField(blank=True, verbose_name='メモ')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('agencies', models.ManyToManyField(blank=True, related_name='+', to='agencies.agency', verbose_name='関わった機関')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
                ('ward', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='agencies.ward', verbose_name='区・圏域')),
            ],
            options={
                'verbose_name': '活動',
                'verbose_name_plural': '活動',
                'ordering': ['-held_on', '-pk'],
                'base_manager_name': 'all_objects',
                'default_manager_name': 'all_objects',
                'indexes': [models.Index(fields=['municipality', 'held_on'], name='activity_municipality_day_idx')],
            },
            managers=[
                ('all_objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='AgendaItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='議題')),
                ('progress', models.TextField(blank=True, verbose_name='進捗の報告')),
                ('is_concluded', models.BooleanField(default=False, verbose_name='解決・結論')),
                ('is_continuing', models.BooleanField(default=False, verbose_name='継続テーマ')),
                ('carried_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='carried_to', to='meetings.agendaitem', verbose_name='前回からの継続')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agenda_items', to='meetings.meeting', verbose_name='会議')),
            ],
            options={
                'verbose_name': '議題',
                'verbose_name_plural': '議題',
                'ordering': ['pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('is_concluded', True), ('is_continuing', True), _negated=True), name='agenda_concluded_or_continuing')],
            },
        ),
        migrations.CreateModel(
            name='MeetingAgency',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('invited', models.BooleanField(default=True, verbose_name='招集')),
                ('attended', models.BooleanField(default=False, verbose_name='出席')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meeting_links', to='agencies.agency', verbose_name='機関')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agency_links', to='meetings.meeting', verbose_name='会議')),
            ],
            options={
                'verbose_name': '参加機関',
                'verbose_name_plural': '参加機関',
                'ordering': ['agency__category__sort_order', 'agency__name'],
                'constraints': [models.UniqueConstraint(fields=('meeting', 'agency'), name='meeting_agency_unique')],
            },
        ),
        migrations.AddConstraint(
            model_name='meetingbasis',
            constraint=models.UniqueConstraint(condition=models.Q(('municipality__isnull', True)), fields=('name',), name='meetingbasis_standard_name_unique'),
        ),
        migrations.AddConstraint(
            model_name='meetingbasis',
            constraint=models.UniqueConstraint(fields=('municipality', 'name'), name='meetingbasis_municipality_name_unique'),
        ),
        migrations.AddConstraint(
            model_name='meetingcase',
            constraint=models.UniqueConstraint(fields=('meeting', 'case'), name='meeting_case_unique'),
        ),
        migrations.AddConstraint(
            model_name='meetingcaseissue',
            constraint=models.UniqueConstraint(fields=('discussion', 'category'), name='meeting_case_issue_unique'),
        ),
        migrations.AddConstraint(
            model_name='meetingkind',
            constraint=models.UniqueConstraint(condition=models.Q(('municipality__isnull', True)), fields=('name',), name='meetingkind_standard_name_unique'),
        ),
        migrations.AddConstraint(
            model_name='meetingkind',
            constraint=models.UniqueConstraint(fields=('municipality', 'name'), name='meetingkind_municipality_name_unique'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['municipality', 'held_on'], name='meeting_municipality_day_idx'),
        ),
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['ward', '-starts_at'], name='meeting_ward_start_idx'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__isnull', True), ('ends_at__gte', models.F('starts_at')), _connector='OR'), name='meeting_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(('sv_dispatched', True), ('supervisor__isnull', True), _connector='OR'), name='meeting_sv_only_if_dispatched'),
        ),
        migrations.RunPython(load, unload),
    ]
