"""Cases' migrations 0001–0007 squashed, without the two links that ran up the layers.

RoleAssignment.meeting (now meetings.MeetingTask) and Case.source_import/source_row (now ledger.ImportedCase)
belong to the apps above, so this app's migrations depend only on agencies and accounts. A database that
applied 0001–0007 keeps those columns until meetings 0002 and ledger 0003 copy and drop them.
"""

import django.db.models.deletion
import django.db.models.manager
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from cases.masters import ISSUE_CATEGORIES


def load(apps, schema_editor):
    """The national standard issue categories (was 0002_standard_issue_categories)."""
    IssueCategory = apps.get_model("cases", "IssueCategory")
    for order, (name, suspected) in enumerate(ISSUE_CATEGORIES, start=1):
        IssueCategory.objects.update_or_create(
            municipality=None, name=name, defaults={"allows_suspected": suspected, "sort_order": order * 10}
        )


def unload(apps, schema_editor):
    apps.get_model("cases", "IssueCategory").objects.filter(
        municipality=None, name__in=[name for name, _ in ISSUE_CATEGORIES]
    ).delete()


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("cases", "0001_initial"),
        ("cases", "0002_standard_issue_categories"),
        ("cases", "0003_cases_records_and_history"),
        ("cases", "0004_household_merge"),
        ("cases", "0005_task_meeting"),
        ("cases", "0006_case_external_number"),
        ("cases", "0007_case_source_import_case_source_row_and_more"),
    ]

    dependencies = [
        ('agencies', '0002_standard_agency_categories'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fiscal_year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('sequence', models.PositiveIntegerField(verbose_name='連番')),
                ('number', models.CharField(max_length=30, verbose_name='事例番号')),
                ('received_on', models.DateField(verbose_name='受付日')),
                ('intake_channel', models.CharField(choices=[('visit', '来所'), ('phone', '電話'), ('home_visit', '訪問'), ('email', 'メール'), ('outreach', 'アウトリーチ'), ('agency', '関係機関から')], max_length=20, verbose_name='相談経路')),
                ('is_difficult', models.BooleanField(default=False, verbose_name='困難事例')),
                ('summary', models.TextField(blank=True, verbose_name='相談の概要')),
                ('status', models.CharField(choices=[('received', '受付'), ('assessment', 'アセスメント'), ('planning', 'プラン作成'), ('supporting', '支援中'), ('monitoring', 'モニタリング'), ('closed', '終結'), ('suspended', '中断')], default='received', max_length=20, verbose_name='状況')),
                ('status_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='状況の変更日時')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='終結日')),
                ('closing_reason', models.TextField(blank=True, verbose_name='終結の理由')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('external_number', models.CharField(blank=True, help_text='開催台帳から取り込んだ事例の、市の台帳での番号。', max_length=50, verbose_name='台帳の事例番号')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('lead', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='led_cases', to=settings.AUTH_USER_MODEL, verbose_name='主担当')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
                ('referring_agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency', verbose_name='相談のあった機関')),
                ('referring_category', models.ForeignKey(blank=True, help_text='本人・家族からの相談のときは空欄。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agencycategory', verbose_name='相談のあった機関（種別）')),
                ('supervisors', models.ManyToManyField(blank=True, related_name='supervised_cases', to=settings.AUTH_USER_MODEL, verbose_name='派遣スーパーバイザー')),
                ('ward', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.ward', verbose_name='担当区・圏域')),
            ],
            options={
                'verbose_name': '事例',
                'verbose_name_plural': '事例',
                'ordering': ['-received_on', '-pk'],
                'base_manager_name': 'all_objects',
                'default_manager_name': 'all_objects',
            },
            managers=[
                ('all_objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='CaseStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=20, verbose_name='操作')),
                ('from_status', models.CharField(blank=True, choices=[('received', '受付'), ('assessment', 'アセスメント'), ('planning', 'プラン作成'), ('supporting', '支援中'), ('monitoring', 'モニタリング'), ('closed', '終結'), ('suspended', '中断')], max_length=20, verbose_name='変更前')),
                ('to_status', models.CharField(choices=[('received', '受付'), ('assessment', 'アセスメント'), ('planning', 'プラン作成'), ('supporting', '支援中'), ('monitoring', 'モニタリング'), ('closed', '終結'), ('suspended', '中断')], max_length=20, verbose_name='変更後')),
                ('reason', models.TextField(blank=True, verbose_name='理由')),
                ('changed_at', models.DateTimeField(verbose_name='変更日時')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='cases.case', verbose_name='事例')),
                ('changed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='変更者')),
            ],
            options={
                'verbose_name': '状況の変更',
                'verbose_name_plural': '状況の変更',
                'ordering': ['changed_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Consent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('sharing', '情報共有'), ('meeting', 'つながる場での協議'), ('provision', '他機関への提供')], max_length=20, verbose_name='目的')),
                ('all_agencies', models.BooleanField(default=False, verbose_name='すべての関係機関')),
                ('obtained_on', models.DateField(verbose_name='同意日')),
                ('method', models.CharField(choices=[('written', '書面'), ('oral', '口頭')], max_length=10, verbose_name='方法')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='メモ')),
                ('withdrawn_on', models.DateField(blank=True, null=True, verbose_name='撤回日')),
                ('agencies', models.ManyToManyField(blank=True, related_name='+', to='agencies.agency', verbose_name='対象の機関')),
                ('obtained_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='確認者')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='撤回の確認者')),
            ],
            options={
                'verbose_name': '本人同意',
                'verbose_name_plural': '本人同意',
                'ordering': ['-obtained_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalCase',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('fiscal_year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('sequence', models.PositiveIntegerField(verbose_name='連番')),
                ('number', models.CharField(max_length=30, verbose_name='事例番号')),
                ('received_on', models.DateField(verbose_name='受付日')),
                ('intake_channel', models.CharField(choices=[('visit', '来所'), ('phone', '電話'), ('home_visit', '訪問'), ('email', 'メール'), ('outreach', 'アウトリーチ'), ('agency', '関係機関から')], max_length=20, verbose_name='相談経路')),
                ('is_difficult', models.BooleanField(default=False, verbose_name='困難事例')),
                ('summary', models.TextField(blank=True, verbose_name='相談の概要')),
                ('status', models.CharField(choices=[('received', '受付'), ('assessment', 'アセスメント'), ('planning', 'プラン作成'), ('supporting', '支援中'), ('monitoring', 'モニタリング'), ('closed', '終結'), ('suspended', '中断')], default='received', max_length=20, verbose_name='状況')),
                ('status_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='状況の変更日時')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='終結日')),
                ('closing_reason', models.TextField(blank=True, verbose_name='終結の理由')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('external_number', models.CharField(blank=True, help_text='開催台帳から取り込んだ事例の、市の台帳での番号。', max_length=50, verbose_name='台帳の事例番号')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新日時')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('lead', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='主担当')),
                ('municipality', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.municipality', verbose_name='自治体')),
                ('referring_agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.agency', verbose_name='相談のあった機関')),
                ('referring_category', models.ForeignKey(blank=True, db_constraint=False, help_text='本人・家族からの相談のときは空欄。', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.agencycategory', verbose_name='相談のあった機関（種別）')),
                ('ward', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.ward', verbose_name='担当区・圏域')),
            ],
            options={
                'verbose_name': 'historical 事例',
                'verbose_name_plural': 'historical 事例',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalCase_supervisors',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('case', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='cases.historicalcase')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'HistoricalCase_supervisors',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalConsent',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('purpose', models.CharField(choices=[('sharing', '情報共有'), ('meeting', 'つながる場での協議'), ('provision', '他機関への提供')], max_length=20, verbose_name='目的')),
                ('all_agencies', models.BooleanField(default=False, verbose_name='すべての関係機関')),
                ('obtained_on', models.DateField(verbose_name='同意日')),
                ('method', models.CharField(choices=[('written', '書面'), ('oral', '口頭')], max_length=10, verbose_name='方法')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='メモ')),
                ('withdrawn_on', models.DateField(blank=True, null=True, verbose_name='撤回日')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('obtained_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='確認者')),
                ('withdrawn_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='撤回の確認者')),
            ],
            options={
                'verbose_name': 'historical 本人同意',
                'verbose_name_plural': 'historical 本人同意',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalConsent_agencies',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('agency', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.agency')),
                ('consent', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.consent')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='cases.historicalconsent')),
            ],
            options={
                'verbose_name': 'HistoricalConsent_agencies',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalConsultation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('held_at', models.DateTimeField(verbose_name='日時')),
                ('method', models.CharField(choices=[('phone', '電話'), ('visit', '来所'), ('home_visit', '訪問'), ('accompany', '同行'), ('email', 'メール・文書'), ('agency_contact', '関係機関との連絡'), ('other', 'その他')], max_length=20, verbose_name='方法')),
                ('summary', models.TextField(verbose_name='内容')),
                ('minutes', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='所要時間（分）')),
                ('next_action', models.CharField(blank=True, max_length=200, verbose_name='次の対応')),
                ('next_due_on', models.DateField(blank=True, null=True, verbose_name='次の対応の期限')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='登録日時')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case', verbose_name='事例')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('staff', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='対応者')),
            ],
            options={
                'verbose_name': 'historical 相談記録',
                'verbose_name_plural': 'historical 相談記録',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Household',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.CharField(blank=True, max_length=200, verbose_name='住所')),
                ('address_normalized', models.CharField(blank=True, db_index=True, editable=False, max_length=200)),
                ('phone', models.CharField(blank=True, max_length=20, verbose_name='電話番号')),
                ('phone_digits', models.CharField(blank=True, db_index=True, editable=False, max_length=20)),
                ('note', models.TextField(blank=True, verbose_name='世帯の特記事項')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_households', to='cases.household', verbose_name='統合先の世帯')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
                ('ward', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.ward', verbose_name='区・圏域')),
            ],
            options={
                'verbose_name': '世帯',
                'verbose_name_plural': '世帯',
                'ordering': ['-created_at', '-pk'],
                'base_manager_name': 'all_objects',
                'default_manager_name': 'all_objects',
            },
            managers=[
                ('all_objects', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='HistoricalHouseholdMember',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='氏名')),
                ('name_kana', models.CharField(max_length=100, verbose_name='氏名（かな）')),
                ('birth_date', models.DateField(blank=True, null=True, verbose_name='生年月日')),
                ('estimated_age', models.PositiveSmallIntegerField(blank=True, help_text='生年月日が分からないときに、おおよその年齢を入力します。', null=True, verbose_name='推定年齢')),
                ('sex', models.CharField(choices=[('female', '女性'), ('male', '男性'), ('other', 'その他'), ('unknown', '不明')], default='unknown', max_length=10, verbose_name='性別')),
                ('relationship', models.CharField(blank=True, max_length=20, verbose_name='続柄')),
                ('is_primary', models.BooleanField(default=False, verbose_name='本人')),
                ('care_certified', models.BooleanField(default=False, verbose_name='要介護認定')),
                ('disability_certificate', models.BooleanField(default=False, verbose_name='障害者手帳')),
                ('public_assistance', models.BooleanField(default=False, verbose_name='生活保護受給')),
                ('moved_out_on', models.DateField(blank=True, null=True, verbose_name='転出日')),
                ('deceased_on', models.DateField(blank=True, null=True, verbose_name='死亡日')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('household', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.household', verbose_name='世帯')),
            ],
            options={
                'verbose_name': 'historical 世帯員',
                'verbose_name_plural': 'historical 世帯員',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalHousehold',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('address', models.CharField(blank=True, max_length=200, verbose_name='住所')),
                ('phone', models.CharField(blank=True, max_length=20, verbose_name='電話番号')),
                ('note', models.TextField(blank=True, verbose_name='世帯の特記事項')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新日時')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('municipality', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.municipality', verbose_name='自治体')),
                ('ward', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.ward', verbose_name='区・圏域')),
                ('merged_into', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.household', verbose_name='統合先の世帯')),
            ],
            options={
                'verbose_name': 'historical 世帯',
                'verbose_name_plural': 'historical 世帯',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='household',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.household', verbose_name='世帯'),
        ),
        migrations.AddField(
            model_name='case',
            name='household',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.household', verbose_name='世帯'),
        ),
        migrations.CreateModel(
            name='HouseholdMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='氏名')),
                ('name_kana', models.CharField(max_length=100, verbose_name='氏名（かな）')),
                ('name_normalized', models.CharField(blank=True, db_index=True, editable=False, max_length=100)),
                ('kana_normalized', models.CharField(blank=True, db_index=True, editable=False, max_length=100)),
                ('birth_date', models.DateField(blank=True, null=True, verbose_name='生年月日')),
                ('estimated_age', models.PositiveSmallIntegerField(blank=True, help_text='生年月日が分からないときに、おおよその年齢を入力します。', null=True, verbose_name='推定年齢')),
                ('sex', models.CharField(choices=[('female', '女性'), ('male', '男性'), ('other', 'その他'), ('unknown', '不明')], default='unknown', max_length=10, verbose_name='性別')),
                ('relationship', models.CharField(blank=True, max_length=20, verbose_name='続柄')),
                ('is_primary', models.BooleanField(default=False, verbose_name='本人')),
                ('care_certified', models.BooleanField(default=False, verbose_name='要介護認定')),
                ('disability_certificate', models.BooleanField(default=False, verbose_name='障害者手帳')),
                ('public_assistance', models.BooleanField(default=False, verbose_name='生活保護受給')),
                ('moved_out_on', models.DateField(blank=True, null=True, verbose_name='転出日')),
                ('deceased_on', models.DateField(blank=True, null=True, verbose_name='死亡日')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='cases.household', verbose_name='世帯')),
            ],
            options={
                'verbose_name': '世帯員',
                'verbose_name_plural': '世帯員',
                'ordering': ['-is_primary', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='historicalconsent',
            name='member',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.householdmember', verbose_name='同意した人'),
        ),
        migrations.AddField(
            model_name='consent',
            name='member',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='cases.householdmember', verbose_name='同意した人'),
        ),
        migrations.CreateModel(
            name='HouseholdMerge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='理由')),
                ('moved_members', models.JSONField(default=list, verbose_name='移した世帯員')),
                ('moved_cases', models.JSONField(default=list, verbose_name='移した事例')),
                ('merged_at', models.DateTimeField(auto_now_add=True, verbose_name='統合日時')),
                ('undone_at', models.DateTimeField(blank=True, null=True, verbose_name='元に戻した日時')),
                ('merged_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='統合した人')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.household', verbose_name='統合元の世帯')),
                ('target', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.household', verbose_name='統合先の世帯')),
                ('undone_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='元に戻した人')),
            ],
            options={
                'verbose_name': '世帯の統合',
                'verbose_name_plural': '世帯の統合',
                'ordering': ['-merged_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='IssueCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='表示順')),
                ('is_active', models.BooleanField(default=True, verbose_name='使用中')),
                ('allows_suspected', models.BooleanField(default=False, help_text='「（疑い含む）」として数える課題（精神障がいなど）。', verbose_name='疑いを含む')),
                ('municipality', models.ForeignKey(blank=True, help_text='空欄は全国標準の項目です。', null=True, on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality', verbose_name='自治体')),
            ],
            options={
                'verbose_name': '課題の種類',
                'verbose_name_plural': '課題の種類',
                'ordering': ['sort_order', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='HistoricalCaseIssue',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('suspected', models.BooleanField(default=False, verbose_name='疑い')),
                ('noted_on', models.DateField(verbose_name='把握日')),
                ('resolved_on', models.DateField(blank=True, null=True, verbose_name='解消日')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='メモ')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case', verbose_name='事例')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('member', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.householdmember', verbose_name='対象の世帯員')),
                ('category', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.issuecategory', verbose_name='課題')),
            ],
            options={
                'verbose_name': 'historical 事例の課題',
                'verbose_name_plural': 'historical 事例の課題',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='CaseIssue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('suspected', models.BooleanField(default=False, verbose_name='疑い')),
                ('noted_on', models.DateField(verbose_name='把握日')),
                ('resolved_on', models.DateField(blank=True, null=True, verbose_name='解消日')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='メモ')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='issues', to='cases.case', verbose_name='事例')),
                ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='issues', to='cases.householdmember', verbose_name='対象の世帯員')),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_issues', to='cases.issuecategory', verbose_name='課題')),
            ],
            options={
                'verbose_name': '事例の課題',
                'verbose_name_plural': '事例の課題',
                'ordering': ['category__sort_order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='SupportPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField(verbose_name='版')),
                ('kind', models.CharField(choices=[('initial', '策定'), ('revision', '再プラン'), ('closure', '終結判断')], max_length=20, verbose_name='種別')),
                ('goals', models.TextField(verbose_name='支援の目標')),
                ('policy', models.TextField(blank=True, verbose_name='支援の方針')),
                ('decided_on', models.DateField(verbose_name='決定日')),
                ('review_on', models.DateField(blank=True, null=True, verbose_name='見直し予定日')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='作成日時')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='cases.case', verbose_name='事例')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='作成者')),
            ],
            options={
                'verbose_name': '支援プラン',
                'verbose_name_plural': '支援プラン',
                'ordering': ['-version'],
            },
        ),
        migrations.CreateModel(
            name='RoleAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person', models.CharField(blank=True, max_length=100, verbose_name='担当者')),
                ('task', models.CharField(max_length=200, verbose_name='役割')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='期限')),
                ('status', models.CharField(choices=[('open', '未着手'), ('in_progress', '対応中'), ('done', '完了'), ('cancelled', '中止')], default='open', max_length=20, verbose_name='状況')),
                ('completed_on', models.DateField(blank=True, null=True, verbose_name='完了日')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='agencies.agency', verbose_name='担当機関')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='cases.case', verbose_name='事例')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to='cases.supportplan', verbose_name='支援プラン')),
            ],
            options={
                'verbose_name': '役割分担',
                'verbose_name_plural': '役割分担',
                'ordering': ['due_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalRoleAssignment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('person', models.CharField(blank=True, max_length=100, verbose_name='担当者')),
                ('task', models.CharField(max_length=200, verbose_name='役割')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='期限')),
                ('status', models.CharField(choices=[('open', '未着手'), ('in_progress', '対応中'), ('done', '完了'), ('cancelled', '中止')], default='open', max_length=20, verbose_name='状況')),
                ('completed_on', models.DateField(blank=True, null=True, verbose_name='完了日')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='登録日時')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agencies.agency', verbose_name='担当機関')),
                ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case', verbose_name='事例')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.supportplan', verbose_name='支援プラン')),
            ],
            options={
                'verbose_name': 'historical 役割分担',
                'verbose_name_plural': 'historical 役割分担',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='CaseNumberSequence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fiscal_year', models.PositiveSmallIntegerField()),
                ('last', models.PositiveIntegerField(default=0)),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='agencies.municipality')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('municipality', 'fiscal_year'), name='case_sequence_unique')],
            },
        ),
        migrations.CreateModel(
            name='Consultation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('held_at', models.DateTimeField(verbose_name='日時')),
                ('method', models.CharField(choices=[('phone', '電話'), ('visit', '来所'), ('home_visit', '訪問'), ('accompany', '同行'), ('email', 'メール・文書'), ('agency_contact', '関係機関との連絡'), ('other', 'その他')], max_length=20, verbose_name='方法')),
                ('summary', models.TextField(verbose_name='内容')),
                ('minutes', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='所要時間（分）')),
                ('next_action', models.CharField(blank=True, max_length=200, verbose_name='次の対応')),
                ('next_due_on', models.DateField(blank=True, null=True, verbose_name='次の対応の期限')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('agencies', models.ManyToManyField(blank=True, related_name='+', to='agencies.agency', verbose_name='関わった機関')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consultations', to='cases.case', verbose_name='事例')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='対応者')),
            ],
            options={
                'verbose_name': '相談記録',
                'verbose_name_plural': '相談記録',
                'ordering': ['-held_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('minutes__isnull', True), ('minutes__lte', 1440), _connector='OR'), name='consultation_minutes_within_a_day')],
            },
        ),
        migrations.AddConstraint(
            model_name='household',
            constraint=models.CheckConstraint(condition=models.Q(('merged_into', models.F('pk')), _negated=True), name='household_not_merged_into_itself'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['ward', 'status'], name='case_ward_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(fields=('municipality', 'fiscal_year', 'sequence'), name='case_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.UniqueConstraint(condition=models.Q(('external_number', ''), _negated=True), fields=('municipality', 'external_number'), name='case_external_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), ('closed_on__isnull', False), _connector='OR'), name='closed_case_has_closed_on'),
        ),
        migrations.AddConstraint(
            model_name='householdmember',
            constraint=models.UniqueConstraint(condition=models.Q(('is_primary', True)), fields=('household',), name='one_primary_member_per_household'),
        ),
        migrations.AddConstraint(
            model_name='householdmember',
            constraint=models.CheckConstraint(condition=models.Q(('estimated_age__isnull', True), ('estimated_age__lte', 130), _connector='OR'), name='member_age_plausible'),
        ),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(('withdrawn_on__isnull', True), ('withdrawn_on__gte', models.F('obtained_on')), _connector='OR'), name='consent_withdrawn_after_obtained'),
        ),
        migrations.AddConstraint(
            model_name='householdmerge',
            constraint=models.CheckConstraint(condition=models.Q(('source', models.F('target')), _negated=True), name='merge_source_is_not_target'),
        ),
        migrations.AddConstraint(
            model_name='issuecategory',
            constraint=models.UniqueConstraint(condition=models.Q(('municipality__isnull', True)), fields=('name',), name='issuecategory_standard_name_unique'),
        ),
        migrations.AddConstraint(
            model_name='issuecategory',
            constraint=models.UniqueConstraint(fields=('municipality', 'name'), name='issuecategory_municipality_name_unique'),
        ),
        migrations.AddConstraint(
            model_name='caseissue',
            constraint=models.CheckConstraint(condition=models.Q(('resolved_on__isnull', True), ('resolved_on__gte', models.F('noted_on')), _connector='OR'), name='issue_resolved_after_noted'),
        ),
        migrations.AddConstraint(
            model_name='supportplan',
            constraint=models.UniqueConstraint(fields=('case', 'version'), name='plan_version_unique'),
        ),
        migrations.AddIndex(
            model_name='roleassignment',
            index=models.Index(fields=['agency', 'status'], name='task_agency_status_idx'),
        ),
        migrations.RunPython(load, unload),
    ]
