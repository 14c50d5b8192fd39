"""Reading the database's own description, for migrations that must work on old and new databases alike."""


def column_names(cursor, table: str) -> set[str]:
    """The columns `table` has now in the current schema (empty if there is no such table)."""
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                   "AND table_name = %s", [table])
    return {row[0] for row in cursor.fetchall()}
