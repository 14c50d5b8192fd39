"""Shared base for the master lists (マスタ) of DOMAIN.md §3.

A master row with no municipality is the national standard list, loaded by a data migration and
editable by the system operator; a municipality's administrator adds rows of its own. Both kinds are
offered to that municipality's users, in sort order.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MasterQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))

    def active(self):
        return self.filter(is_active=True)


class MasterModel(models.Model):
    municipality = models.ForeignKey(
        "agencies.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("空欄は全国標準の項目です。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_active = models.BooleanField(_("使用中"), default=True)

    objects = MasterQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    @classmethod
    def unique_name_constraints(cls, label):
        return [
            models.UniqueConstraint(
                fields=["name"], condition=Q(municipality__isnull=True), name=f"{label}_standard_name_unique"
            ),
            models.UniqueConstraint(fields=["municipality", "name"], name=f"{label}_municipality_name_unique"),
        ]
