"""Bulk writes of plain tuples, for tables filled or rebuilt in large batches."""

from django.db import connection
from django.db.models import DateTimeField, JSONField, Model
from django.utils import timezone

WRITE_BATCH = 1000


def insert_rows(*, model: type[Model], columns: list[str], rows: list[tuple]) -> int:
    """Insert plain rows (values in the order of `columns`, attribute names such as `ticket_id`)
    without building model instances: COPY on PostgreSQL (columns left out get their model
    default, automatic timestamps now, an automatic primary key its sequence), bulk_create
    elsewhere. Returns the count."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        instances = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(instances, batch_size=WRITE_BATCH)
        return len(rows)
    from psycopg import sql
    from psycopg.types.json import Jsonb

    given = [model._meta.get_field(name) for name in columns]
    defaulted = [f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key]
    json_positions = [i for i, f in enumerate(given + defaulted) if isinstance(f, JSONField)]
    now = timezone.now()
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in given + defaulted),
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [*row, *(_default_value(f, now) for f in defaulted)]
            for position in json_positions:
                if values[position] is not None:
                    values[position] = Jsonb(values[position])
            copy.write_row(values)
    return len(rows)


def _default_value(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now if isinstance(field, DateTimeField) else now.date()
    return field.get_default()


def statistics_refresh(*models: type[Model]) -> None:
    """Let PostgreSQL's planner see the rows this transaction just wrote (ANALYZE counts them):
    without statistics, lookups such as `ticket_id IN (...)` on a freshly filled table fall back
    to sequential scans. Nothing to do elsewhere."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


# A table is analyzed again once the rows written since its last ANALYZE are at least this base
# plus as many as the planner last counted there: it has doubled.
_ANALYZE_BASE_ROWS = 50


def statistics_refresh_if_grown(written: dict[type[Model], int]) -> list[type[Model]]:
    """ANALYZE each model's table that this transaction wrote enough rows to to double it (50
    plus the rows the planner last counted there), or any never-analyzed table. autovacuum sees the
    rows only after commit and a nap; queries of this transaction and the first ones after it would
    plan as if the table still had its old size, which can turn a join of a few thousand rows into
    one of nested loops over them all. An estimate within a factor of two keeps those plans; each
    ANALYZE samples a fixed number of rows, so a large import pays for about log2(rows / chunk) of
    them per table, not one per tenth of growth. Returns the models analyzed (none elsewhere)."""
    if connection.vendor != "postgresql":
        return []
    analyzed = []
    with connection.cursor() as cursor:
        for model, rows in written.items():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            (known,) = cursor.fetchone()
            if rows and (known < 0 or rows >= _ANALYZE_BASE_ROWS + known):
                cursor.execute(f"ANALYZE {table}")
                analyzed.append(model)
    return analyzed


def constraints_check_now() -> None:
    """Check the deferred foreign keys of this transaction now, and each later statement's as it
    ends (PostgreSQL; Django declares its keys deferrable). A transaction that writes millions of
    rows would otherwise queue every check in the server's memory until commit. Nothing to do
    elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def advisory_lock(*, namespace: int, key: int, shared: bool = False) -> None:
    """Take PostgreSQL's transaction-level advisory lock (`namespace`, `key`), shared or
    exclusive, held until the transaction ends. Nothing to do elsewhere: SQLite serializes
    writing transactions by itself."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [namespace, key])
