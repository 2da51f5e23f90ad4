"""common.db.statistics_refresh_if_grown: the planner's row count of a table follows what this
transaction wrote there once it passes autovacuum's threshold, and not before."""

import pytest
from django.db import connection

from common.db import statistics_refresh_if_grown
from tests.conftest import require_service
from tests.support.factories import ProjectFactory
from tickets.models import Sprint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _planner_rows(model) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        return cursor.fetchone()[0]


def _sprints(project, count: int, start: int) -> int:
    Sprint.objects.bulk_create(
        Sprint(organization=project.organization, project=project, name=f"S{n}") for n in range(start, start + count)
    )
    return count


def test_a_table_is_analyzed_once_the_rows_written_double_it():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    project = ProjectFactory()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Sprint._meta.db_table)}")
    before = _planner_rows(Sprint)

    statistics_refresh_if_grown({Sprint: _sprints(project, 40, start=0)})  # under 50 + what is there: left alone
    assert _planner_rows(Sprint) == before

    statistics_refresh_if_grown({Sprint: _sprints(project, 500, start=100)})
    assert _planner_rows(Sprint) == before + 540

    statistics_refresh_if_grown({Sprint: _sprints(project, 300, start=1000)})  # 300 < 50 + 540: left alone
    assert _planner_rows(Sprint) == before + 540
