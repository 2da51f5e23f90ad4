"""Tally ids for remote objects: found through `ExternalId`, allocated for new objects.

Allocation and the page write that uses the ids happen in one transaction, under a database-wide
advisory lock on PostgreSQL (SQLite has one writer at a time anyway), so two runs never hand out
the same id and a rolled-back page leaves no mapping behind."""

from collections.abc import Iterable

from django.db import connection as db_connection
from django.db.models import Max, Model

from connectors.models import ExternalId

ALLOCATION_LOCK = 7_310_201  # any constant shared by every connector


def allocation_lock() -> None:
    """Hold the id-allocation lock until the current transaction ends (PostgreSQL)."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALLOCATION_LOCK])


class ExternalIds:
    """The id map of one connection. `resolve` returns Tally ids for remote ids of one kind,
    allocating new ones (recorded by `save`, which must run in the same transaction)."""

    def __init__(self, *, source: str, connection_id: int) -> None:
        self.source = source
        self.connection_id = connection_id
        self._known: dict[tuple[str, str], int] = {}
        self._pending: list[ExternalId] = []

    def known(self, kind: str, external_ids: Iterable[str]) -> dict[str, int]:
        """The Tally ids already mapped, of those asked for."""
        wanted = {str(value) for value in external_ids}
        missing = [value for value in wanted if (kind, value) not in self._known]
        if missing:
            rows = ExternalId.objects.filter(
                source=self.source, connection_id=self.connection_id, kind=kind, external_id__in=missing
            ).values_list("external_id", "internal_id")
            for external_id, internal_id in rows:
                self._known[(kind, external_id)] = internal_id
        return {value: self._known[(kind, value)] for value in wanted if (kind, value) in self._known}

    def known_rows(self, kind: str, external_ids: Iterable[str], *, queryset) -> dict[str, int]:
        """`known`, less the mappings whose row is no longer in `queryset` (a person an admin
        deleted or merged away, say): those are forgotten, so the caller matches them again."""
        found = self.known(kind, external_ids)
        alive = set(queryset.filter(id__in=set(found.values())).values_list("id", flat=True))
        for external_id, internal_id in list(found.items()):
            if internal_id not in alive:
                self.forget(kind, external_id)
                del found[external_id]
        return found

    def resolve(self, kind: str, external_ids: Iterable[str], *, model: type[Model]) -> dict[str, int]:
        """Tally ids for every remote id, allocating (past every id of `model` and every id mapped
        to this kind anywhere) for the ones never seen."""
        wanted = sorted({str(value) for value in external_ids})
        found = self.known(kind, wanted)
        new = [value for value in wanted if value not in found]
        if new:
            start = self._next_id(kind, model)
            for offset, value in enumerate(new):
                internal_id = start + offset
                found[value] = self._known[(kind, value)] = internal_id
                self._pending.append(
                    ExternalId(
                        source=self.source, connection_id=self.connection_id, kind=kind,
                        external_id=value, internal_id=internal_id,
                    )
                )  # fmt: skip
        return found

    def remember(self, kind: str, external_id: str, internal_id: int) -> None:
        """Map a remote id to an existing row (a person matched by e-mail, say)."""
        self._known[(kind, str(external_id))] = internal_id
        self._pending.append(
            ExternalId(
                source=self.source, connection_id=self.connection_id, kind=kind,
                external_id=str(external_id), internal_id=internal_id,
            )
        )  # fmt: skip

    def forget(self, kind: str, external_id: str) -> None:
        """Drop a mapping whose row no longer exists (a person an admin deleted, say)."""
        self._known.pop((kind, str(external_id)), None)
        ExternalId.objects.filter(
            source=self.source, connection_id=self.connection_id, kind=kind, external_id=str(external_id)
        ).delete()

    def _next_id(self, kind: str, model: type[Model]) -> int:
        highest_row = model.objects.aggregate(top=Max("id"))["top"] or 0
        highest_mapped = ExternalId.objects.filter(kind=kind).aggregate(top=Max("internal_id"))["top"] or 0
        highest_pending = max((row.internal_id for row in self._pending if row.kind == kind), default=0)
        return max(highest_row, highest_mapped, highest_pending) + 1

    def save(self) -> None:
        """Record the new mappings (in the page's transaction)."""
        ExternalId.objects.bulk_create(self._pending, batch_size=1000)
        self._pending = []

    def release(self, kind: str) -> None:
        """Drop the cached ids of one kind (tickets, after their page): memory stays flat."""
        self._known = {key: value for key, value in self._known.items() if key[0] != kind}

    def discard(self) -> None:
        """Forget everything cached: the page's transaction rolled back."""
        self._known.clear()
        self._pending = []
