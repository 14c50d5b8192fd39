"""The layout a municipality's yearly tables use: its own (edited in the admin) or seed 000's."""

from .annual import DEFAULT_LAYOUT, Layout
from .models import LayoutTable, ReportLayout


def layout_for(municipality) -> Layout:
    saved = ReportLayout.objects.filter(municipality=municipality).prefetch_related("rows").first()
    if saved is None:
        return DEFAULT_LAYOUT
    rows: dict[str, list[str]] = {table: [] for table in LayoutTable.values}
    for row in sorted(saved.rows.all(), key=lambda r: (r.sort_order, r.pk)):
        rows[row.table].append(row.name)
    return Layout(
        basis=DEFAULT_LAYOUT.basis,
        referrer=tuple(rows[LayoutTable.REFERRER]),
        participants=tuple(rows[LayoutTable.PARTICIPANTS]),
        issues=tuple(rows[LayoutTable.ISSUES]),
        # A blank note is written from the data: the categories that fell into その他 that year.
        footnotes={
            "referrer_other": saved.referrer_other_note or None,
            "participants_other": saved.participants_other_note or None,
            "issues_other": saved.issues_other_note or None,
        },
    )


def layout_copy_default(municipality) -> ReportLayout:
    """An editable copy of seed 000's layout for a municipality (the admin's starting point)."""
    layout, created = ReportLayout.objects.get_or_create(
        municipality=municipality,
        defaults={
            "referrer_other_note": DEFAULT_LAYOUT.footnotes["referrer_other"],
            "participants_other_note": DEFAULT_LAYOUT.footnotes["participants_other"],
            "issues_other_note": DEFAULT_LAYOUT.footnotes["issues_other"],
        },
    )
    if created:
        for table in LayoutTable.values:
            for order, name in enumerate(getattr(DEFAULT_LAYOUT, table), start=1):
                layout.rows.create(table=table, name=name, sort_order=order * 10)
    return layout
