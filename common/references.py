"""References the database does not check (docs/architecture.md, "References the database does
not check"), kept as a foreign key would keep them: a writer locks each referenced row
`FOR KEY SHARE` and finds it there; a delete locks its rows `FOR UPDATE` before Django's collector
looks for what refers to them. The two locks conflict, so a delete waits for every transaction
that wrote a reference to the row to end, and then sees its rows (and nulls, protects or cascades
as `on_delete` says). On SQLite, which runs one writing transaction at a time, the writer's check
is a plain read and the delete needs no lock."""

from collections.abc import Iterable

from django.db import IntegrityError, connection, models, transaction
from psycopg import sql


def referenced_rows_hold(*, model: type[models.Model], ids: Iterable[int], column: str) -> None:
    """Lock the rows of `model` with these ids until the transaction ends; IntegrityError naming
    `column` if one is missing."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = sql.SQL("SELECT id FROM {} WHERE id = ANY(%s) FOR KEY SHARE").format(sql.Identifier(table))
            cursor.execute(statement, [wanted])
        else:
            cursor.execute(f'SELECT id FROM "{table}" WHERE id IN ({", ".join(["%s"] * len(wanted))})', wanted)
        found = {row[0] for row in cursor.fetchall()}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise IntegrityError(f"{column} {missing[0]} refers to no row of {table}")


def organization_rows_hold(*, model: type[models.Model], organization_id: int) -> None:
    """Lock every row of `model` in the organization until the transaction ends (a bulk writer's
    one statement in place of a check per written row). Nothing to do elsewhere."""
    if connection.vendor != "postgresql":
        return
    statement = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} WHERE organization_id = %s FOR KEY SHARE) AS held")
    with connection.cursor() as cursor:
        cursor.execute(statement.format(sql.Identifier(model._meta.db_table)), [organization_id])


def references_of_instance_hold(instance: models.Model, *, fields: Iterable[str] | None = None) -> None:
    """Lock what `instance`'s unconstrained foreign keys point at (before it is saved); with
    `fields` (a save's `update_fields`), only those it writes."""
    written = None if fields is None else set(fields)
    by_model: dict[type[models.Model], tuple[list[int], str]] = {}
    for field in instance._meta.concrete_fields:
        if written is not None and field.name not in written and field.attname not in written:
            continue
        if isinstance(field, models.ForeignKey) and not field.db_constraint and field.name != "organization":
            ids, _column = by_model.setdefault(field.related_model, ([], field.name))
            ids.append(getattr(instance, field.attname))
    for model, (ids, column) in by_model.items():
        referenced_rows_hold(model=model, ids=ids, column=column)


class LockedDeleteQuerySet(models.QuerySet):
    """A queryset whose delete() locks its rows first (see the module's docstring)."""

    def delete(self):
        with transaction.atomic(using=self.db):
            list(self.select_for_update(of=("self",)).values_list("pk", flat=True))
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class ReferencedModel(models.Model):
    """A model that unconstrained references point at: deleting it locks its row first."""

    objects = LockedDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or "default"):
            list(type(self)._base_manager.filter(pk=self.pk).select_for_update().values_list("pk", flat=True))
            return super().delete(*args, **kwargs)
