"""Bulk upserts: compare the rows a bundle wants with the rows stored, insert the missing ones,
update only those whose values differ, and (for link tables) delete the ones no longer wanted.
An identical re-import therefore writes nothing."""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model, QuerySet

from common.db import insert_rows
from imports.parsing import batched

WRITE_BATCH = 1000
QUERY_CHUNK = 2000


@dataclass
class Counts:
    """What an import did to one kind of row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        """Whether any row was created, updated or deleted."""
        return bool(self.created or self.updated or self.deleted)

    def add(self, other: "Counts") -> None:
        """Add another batch's counts to these."""
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
        insert_rows(model=model, columns=columns, rows=[tuple(row[name] for name in columns) for row in to_create])
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


def id_sequences_reset(*models: type[Model]) -> None:
    """After rows were inserted with explicit ids, move each table's id sequence past the highest
    id so later automatic ids do not clash (PostgreSQL; nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
