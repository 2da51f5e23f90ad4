"""Bulk upserts: compare the rows a bundle wants with the rows stored, insert the missing ones,
update only those whose values differ, and (for link tables) delete the ones no longer wanted.
An identical re-import therefore writes nothing."""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection
from django.db.models import DateTimeField, JSONField, Model, QuerySet
from django.utils import timezone

from .parsing import batched

WRITE_BATCH = 1000
QUERY_CHUNK = 2000


@dataclass
class Counts:
    """What an import did to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def add(self, other: "Counts") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.deleted} deleted" if self.deleted else text


def stored_rows(
    queryset: QuerySet, *, lookup: str, values: Iterable, fields: Iterable[str], key: Callable[[dict], Hashable]
) -> dict[Hashable, dict]:
    """Stored rows whose `lookup` is among `values` (queried in chunks), as dicts keyed by `key`."""
    names = ["id", *dict.fromkeys(fields)]
    rows: dict[Hashable, dict] = {}
    for chunk in batched(sorted(set(values)), QUERY_CHUNK):
        for row in queryset.filter(**{f"{lookup}__in": chunk}).values(*names):
            rows[key(row)] = row
    return rows


def stored_by_id(model: type[Model], ids: Iterable[int], fields: Iterable[str]) -> dict[int, dict]:
    """Stored rows of `model` with the given primary keys, as dicts keyed by id."""
    return stored_rows(model.objects.all(), lookup="id", values=ids, fields=fields, key=lambda row: row["id"])


def rows_sync(
    *,
    model: type[Model],
    desired: dict[Hashable, dict],
    stored: dict[Hashable, dict],
    fields: list[str],
    creation_fields: dict[Hashable, dict] | None = None,
) -> tuple[Counts, list[Hashable]]:
    """Insert the desired rows that are not stored and update the stored ones whose `fields`
    differ. Desired rows carry every column (`id` too, when the bundle gives it); `creation_fields`
    adds columns written only on insert. Returns the counts and the keys inserted or updated."""
    counts, touched = Counts(), []
    to_create, to_update = [], []
    for key, row in desired.items():
        current = stored.get(key)
        if current is None:
            extra = creation_fields.get(key, {}) if creation_fields else {}
            to_create.append({**row, **extra})
            touched.append(key)
        elif any(current[name] != row[name] for name in fields):
            to_update.append(model(id=current["id"], **{name: row[name] for name in fields}))
            touched.append(key)
        else:
            counts.unchanged += 1
    if to_create:
        columns = list(to_create[0])
        rows_insert(model=model, columns=columns, rows=[tuple(row[name] for name in columns) for row in to_create])
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=WRITE_BATCH)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts, touched


def links_sync(
    *,
    model: type[Model],
    owner_field: str,
    other_field: str,
    desired: dict[int, set[int]],
    extra: dict | None = None,
) -> Counts:
    """Make the link rows (owner, other) of each owner in `desired` exactly the wanted set:
    delete the unwanted links, insert the missing ones."""
    counts = Counts()
    stored: dict[int, dict[int, int]] = {owner: {} for owner in desired}
    for chunk in batched(sorted(desired), QUERY_CHUNK):
        rows = model.objects.filter(**{f"{owner_field}__in": chunk}).values_list("id", owner_field, other_field)
        for row_id, owner, other in rows:
            stored[owner][other] = row_id
    obsolete, to_create = [], []
    for owner, wanted in desired.items():
        have = stored[owner]
        obsolete += [row_id for other, row_id in have.items() if other not in wanted]
        missing = sorted(wanted - set(have))
        to_create += [model(**{owner_field: owner, other_field: other}, **(extra or {})) for other in missing]
        counts.unchanged += len(wanted & set(have))
    for chunk in batched(obsolete, QUERY_CHUNK):
        model.objects.filter(id__in=chunk).delete()
    model.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    counts.created, counts.deleted = len(to_create), len(obsolete)
    return counts


def rows_insert(*, model: type[Model], columns: list[str], rows: list[tuple]) -> int:
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


def id_sequences_reset(*models: type[Model]) -> None:
    """After rows were inserted with explicit ids, move each table's id sequence past the highest
    id so later automatic ids do not clash (PostgreSQL; nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
