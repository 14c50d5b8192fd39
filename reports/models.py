"""Report layouts: which categories get a row of their own in the yearly tables (DOMAIN.md §6).

A municipality without a layout uses seed 000's. An administrator edits one in the admin: the named
rows of each table in order, and the footnote that lists what その他 holds.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class LayoutTable(models.TextChoices):
    REFERRER = "referrer", _("相談のあった機関")
    PARTICIPANTS = "participants", _("参加機関")
    ISSUES = "issues", _("課題")


class ReportLayout(models.Model):
    municipality = models.OneToOneField(
        "agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="report_layout"
    )
    referrer_other_note = models.CharField(
        _("相談のあった機関「その他」の注記"), max_length=300, blank=True,
        help_text=_("空欄のときは、その年度に「その他」に入った種別を件数の多い順に並べます。"),
    )
    participants_other_note = models.CharField(_("参加機関「その他」の注記"), max_length=300, blank=True)
    issues_other_note = models.CharField(_("課題「その他」の注記"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("集計表の行の構成")
        verbose_name_plural = _("集計表の行の構成")

    def __str__(self):
        return str(_("%(name)sの集計表の行の構成") % {"name": self.municipality.name})


class ReportLayoutRow(models.Model):
    """One named row of a table; categories without a row are summed into その他."""

    layout = models.ForeignKey(ReportLayout, verbose_name=_("行の構成"), on_delete=models.CASCADE, related_name="rows")
    table = models.CharField(_("表"), max_length=20, choices=LayoutTable.choices)
    name = models.CharField(_("種別・課題の名称"), max_length=100)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("独立した行")
        verbose_name_plural = _("独立した行")
        ordering = ["table", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["layout", "table", "name"], name="layout_row_unique")]

    def __str__(self):
        return self.name

    def clean(self):
        from agencies.models import AgencyCategory
        from cases.models import IssueCategory

        master = IssueCategory if self.table == LayoutTable.ISSUES else AgencyCategory
        if self.layout_id and not master.objects.for_municipality(self.layout.municipality_id).filter(name=self.name).exists():
            names = "、".join(master.objects.for_municipality(self.layout.municipality_id).values_list("name", flat=True)[:40])
            raise ValidationError({"name": _("「%(name)s」は%(table)sの一覧にありません。使える名称：%(names)s") % {
                "name": self.name, "table": self.get_table_display(), "names": names}})


class CountsVersion(models.Model):
    """How often the counts of one municipality's fiscal year have changed: bumped only by the database
    triggers of migration 0003 (reports.counts explains the scheme). `fiscal_year` 0 stands for every year of
    the municipality and `municipality_id` 0 for every municipality (a master change, not a meeting's)."""

    municipality_id = models.BigIntegerField()
    fiscal_year = models.IntegerField()
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality_id", "fiscal_year"], name="counts_version_key")]

    def __str__(self):
        return f"{self.municipality_id}/{self.fiscal_year}: {self.version}"


class AnnualCounts(models.Model):
    """Every count of a municipality's fiscal year (reports.counts), stored with the versions' sum it was
    computed against: valid while that sum is still the current one, and never served otherwise."""

    municipality = models.ForeignKey("agencies.Municipality", on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.IntegerField()
    stamp = models.BigIntegerField()
    counts = models.JSONField()  # [[ward id, table, category, n], ...]
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "fiscal_year"], name="annual_counts_key")]

    def __str__(self):
        return f"{self.municipality_id}/{self.fiscal_year} @ {self.stamp}"
