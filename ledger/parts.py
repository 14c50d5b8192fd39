"""What ledger adds to the case and household pages of `cases` (registered in LedgerConfig.ready()): where an
imported case and its placeholder household came from (「台帳から取り込み: KITA-2021-001」)."""

from django.utils.translation import gettext as _

from cases.registry import CasePart

from .models import ImportedCase


def _note(provenance: ImportedCase) -> str:
    return _("台帳から取り込み: %(number)s（%(file)s の%(row)d行目）") % {
        "number": provenance.case.external_number, "file": provenance.source.filename, "row": provenance.row}


def case_part(*, case) -> CasePart:
    """A case created by a ledger import says so, with the file and row it came from (one query)."""
    provenance = ImportedCase.objects.filter(case=case).select_related("case", "source").first()
    return CasePart(notes=[_note(provenance)] if provenance else [])


def household_notes(*, household) -> list[str]:
    """The household's cases that a ledger import created, each with its file and row (one query)."""
    found = ImportedCase.objects.filter(case__household=household).select_related("case", "source").order_by("case__received_on", "pk")
    return [_note(provenance) for provenance in found]
