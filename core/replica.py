"""Where report reads go: the primary, or a read replica when one is configured (docs/scaling.md).

`reports_alias()` names the connection the yearly tables and other aggregates read from. The writes that
follow a report (its cached tables) always go to the primary.
"""


def reports_alias() -> str:
    return "default"
