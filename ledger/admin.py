from django.contrib import admin

from core.admin import MunicipalityScopedAdmin, RecordsOnlyMixin

from .models import LedgerImport, NameAlias


@admin.register(NameAlias)
class NameAliasAdmin(MunicipalityScopedAdmin):
    """「この表記を〇〇として扱う」: the administrator teaches the ledger reader a city's own spellings."""

    list_display = ("alias", "target", "kind", "municipality")
    list_filter = ("kind",)
    search_fields = ("alias", "target")


@admin.register(LedgerImport)
class LedgerImportAdmin(RecordsOnlyMixin, MunicipalityScopedAdmin):
    """What was imported, from which file, by whom (read-only: the rows it created carry it as their source)."""

    list_display = ("filename", "imported_at", "rows", "cases_created", "meetings_created", "imported_by")
    readonly_fields = ("municipality", "filename", "sha256", "rows", "cases_created", "meetings_created", "imported_by",
                       "imported_at")
