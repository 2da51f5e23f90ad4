"""The CSV export on PostgreSQL: its rows come through a server-side cursor inside a transaction of
its own. (A module of its own: the other CSV tests share a module-wide transaction, `delivery`.)"""

import pytest
from django.db import connection, transaction
from django.test import Client

from staff import csv_export
from staff.csv_export import HEADER
from tests.conftest import require_service
from tests.staff.test_csv_export import CSV, rows_of
from tests.support.factories import OrganizationFactory, UserFactory
from tests.support.staff_delivery import build_delivery


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_rows_come_through_a_server_side_cursor_that_is_not_held(monkeypatch):
    """A WITH HOLD cursor (Django's choice in autocommit) is materialized whole by PostgreSQL before
    the first row: the export reads in its own transaction, so its cursor is an ordinary one."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    with transaction.atomic():
        delivery = build_delivery(OrganizationFactory(slug="csv-cursor"), tickets=12)
    user = UserFactory(organization=delivery.organization, is_superuser=True, roles=[])
    client = Client()
    client.force_login(user)
    monkeypatch.setattr(csv_export, "CSV_BATCH_SIZE", 5)
    response = client.get(CSV, {"ordering": "-cycle_time"})
    assert not connection.in_atomic_block  # the view has returned; nothing read yet
    chunks = iter(response.streaming_content)
    rows = rows_of([next(chunks).decode(), next(chunks).decode()])
    with connection.cursor() as cursor:  # the same connection, while the export is half read
        cursor.execute("SELECT is_holdable, is_scrollable FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        cursors = cursor.fetchall()
        assert connection.in_atomic_block
    assert cursors == [(False, False)]
    rows += rows_of([chunk.decode() for chunk in chunks])
    assert len(rows) == 1 + 12 and rows[0] == HEADER
    assert not connection.in_atomic_block  # the read's transaction ended with the export
