"""Bulk writes of plain tuples, for derived tables rebuilt in large batches."""

from collections.abc import Sequence

from django.db import connections, router


def insert_rows(model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert `rows` (tuples in the order of `fields`) into `model`'s table without building model
    instances: PostgreSQL's COPY there; elsewhere an executemany INSERT with each value prepared by
    its field, exactly as the ORM would store it."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    model_fields = [model._meta.get_field(name) for name in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in model_fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepared = [
            [field.get_db_prep_save(value, connection) for field, value in zip(model_fields, row, strict=True)]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(model_fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)
