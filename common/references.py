"""References the database does not check (docs/architecture.md, "References the database does
not check"), kept as a foreign key would keep them: a writer locks each referenced row
`FOR KEY SHARE` and finds it there; a delete locks its rows `FOR UPDATE` before Django's collector
looks for what refers to them. The two locks conflict, so a delete waits for every transaction
that wrote a reference to the row to end, and then sees its rows (and nulls, protects or cascades
as `on_delete` says). On SQLite, which runs one writing transaction at a time, the writer's check
is a plain read and the delete needs no lock."""

from collections.abc import Iterable

from django.db import IntegrityError, connection, models, router, transaction
from psycopg import sql


def unchecked_reference(model: type[models.Model], **options) -> models.ForeignKey:
    """A foreign key without a database constraint, kept by this module's locks. No index of its
    own unless `db_index=True`: the model indexes it where set (`indexes_where_set`)."""
    return models.ForeignKey(model, **{"related_name": "+", "db_index": False, **options, "db_constraint": False})


def indexes_where_set(*, prefix: str, columns: Iterable[str]) -> list[models.Index]:
    """One index per nullable reference over the rows where it is set, named `<prefix>_<column>`
    (what Django's collector needs to apply `on_delete`; empty rows cost no index entry)."""
    return [
        models.Index(fields=[column], name=f"{prefix}_{column}", condition=models.Q(**{f"{column}__isnull": False}))
        for column in columns
    ]


def _rows_lock(model: type[models.Model], ids: Iterable[int | None]) -> tuple[list[int], set[int]]:
    """Lock the rows of `model` with these ids `FOR KEY SHARE` (PostgreSQL); the ids asked for and
    those found."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return wanted, set()
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = sql.SQL("SELECT id FROM {} WHERE id = ANY(%s) FOR KEY SHARE").format(sql.Identifier(table))
            cursor.execute(statement, [wanted])
        else:
            cursor.execute(f'SELECT id FROM "{table}" WHERE id IN ({", ".join(["%s"] * len(wanted))})', wanted)
        return wanted, {row[0] for row in cursor.fetchall()}


def _missing(column: str, value: int, model: type[models.Model]) -> IntegrityError:
    return IntegrityError(f"{column} {value} refers to no row of {model._meta.db_table}")


def referenced_rows_hold(*, model: type[models.Model], ids: Iterable[int | None], column: str) -> None:
    """Lock the rows of `model` with these ids until the transaction ends; IntegrityError naming
    `column` if one is missing."""
    wanted, found = _rows_lock(model, ids)
    for value in wanted:
        if value not in found:
            raise _missing(column, value, model)


def organization_rows_hold(*, model: type[models.Model], organization_id: int) -> None:
    """Lock every row of `model` in the organization until the transaction ends (a bulk writer's
    one statement in place of a check per written row). Nothing to do elsewhere."""
    if connection.vendor != "postgresql":
        return
    statement = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} WHERE organization_id = %s FOR KEY SHARE) AS held")
    with connection.cursor() as cursor:
        cursor.execute(statement.format(sql.Identifier(model._meta.db_table)), [organization_id])


def references_of_instance_hold(instance: models.Model, *, fields: Iterable[str] | None = None) -> None:
    """Lock what `instance`'s unconstrained foreign keys point at (before it is saved), one query
    per referenced model; with `fields` (a save's `update_fields`), only those it writes.
    IntegrityError naming the first field whose row is missing."""
    written = None if fields is None else set(fields)
    by_model: dict[type[models.Model], dict[str, int | None]] = {}
    for field in instance._meta.concrete_fields:
        if written is not None and field.name not in written and field.attname not in written:
            continue
        if isinstance(field, models.ForeignKey) and not field.db_constraint and field.name != "organization":
            by_model.setdefault(field.related_model, {})[field.name] = getattr(instance, field.attname)
    for model, values in by_model.items():
        _wanted, found = _rows_lock(model, values.values())
        for column, value in values.items():
            if value is not None and value not in found:
                raise _missing(column, value, model)


def _rows_lock_for_delete(queryset: models.QuerySet) -> None:
    list(queryset.select_for_update(of=("self",)).values_list("pk", flat=True))


class LockedDeleteQuerySet(models.QuerySet):
    """A queryset whose delete() locks its rows first (see the module's docstring)."""

    def delete(self):
        with transaction.atomic(using=self.db):
            _rows_lock_for_delete(self)
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class ReferencedModel(models.Model):
    """A model that unconstrained references point at: deleting it locks its row first."""

    objects = LockedDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, using=None, keep_parents=False):
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            _rows_lock_for_delete(type(self)._base_manager.db_manager(using).filter(pk=self.pk))
            return super().delete(using=using, keep_parents=keep_parents)
