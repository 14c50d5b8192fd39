"""Aggregates are per municipality, optionally one ward: the one filter every report applies."""


def scoped(queryset, *, municipality, ward=None, prefix: str = ""):
    """`prefix` reaches the row that carries municipality and ward (e.g. "case__", "meeting__")."""
    queryset = queryset.filter(**{f"{prefix}municipality": municipality})
    return queryset.filter(**{f"{prefix}ward": ward}) if ward is not None else queryset
