"""Per-person-per-day coding rollups: what they sum, partial refreshes, and the Celery tasks that
keep them fresh (after an import and nightly)."""

from datetime import date

import pytest
from django.conf import settings

from coding import tasks
from coding.models import PersonCodingDay
from coding.services.rollups import coding_days_refresh
from tests.support.coding_rows import commit, repository
from tests.support.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db
DAY1, DAY2 = date(2024, 6, 3), date(2024, 6, 4)


def _rollups(organization) -> dict:
    rows = PersonCodingDay.objects.filter(organization=organization)
    return {
        (r.person_id, r.repository_id, r.day): (r.commits, r.haloc, r.rework_lines, r.new_work_lines, r.impact)
        for r in rows
    }


def test_rollups_sum_included_commits_per_person_repository_and_local_day(organization):
    ada, bob = PersonFactory(organization=organization), PersonFactory(organization=organization)
    core, web = repository(organization, "core"), repository(organization, "web")
    commit(ada, core, DAY1, haloc=10, rework=2, impact=1.5)
    commit(ada, core, DAY1, haloc=5, rework=0, impact=2.0)
    commit(ada, web, DAY1, haloc=3)
    commit(ada, core, DAY1, merge=True, haloc=50)  # merges are not included commits
    commit(bob, core, DAY2, haloc=4, rework=4)
    commit(None, core, DAY2)  # no author: nobody to credit

    assert coding_days_refresh(organization_id=organization.id) == 3
    assert _rollups(organization) == {
        (ada.id, core.id, DAY1): (2, 15, 2, 13, 3.5),
        (ada.id, web.id, DAY1): (1, 3, 0, 3, 1.0),
        (bob.id, core.id, DAY2): (1, 4, 4, 0, 1.0),
    }
    coding_days_refresh(organization_id=organization.id)  # idempotent
    assert len(_rollups(organization)) == 3


def test_a_partial_refresh_rewrites_only_its_repositories_and_days(organization):
    ada = PersonFactory(organization=organization)
    core, web = repository(organization, "core"), repository(organization, "web")
    commit(ada, core, DAY1)
    commit(ada, web, DAY1)
    commit(ada, core, DAY2)
    coding_days_refresh(organization_id=organization.id)
    PersonCodingDay.objects.update(commits=99)  # stale values, to see what gets rewritten

    coding_days_refresh(organization_id=organization.id, repository_ids=[core.id], days=(DAY1, DAY1))
    commits = {(r[0], r[1]): r[2] for r in PersonCodingDay.objects.values_list("repository_id", "day", "commits")}
    assert commits == {(core.id, DAY1): 1, (web.id, DAY1): 99, (core.id, DAY2): 99}


def test_hidden_people_are_kept_in_rollups(organization):
    hidden = PersonFactory(organization=organization, hidden_from_reports=True)
    commit(hidden, repository(organization), DAY1)
    coding_days_refresh(organization_id=organization.id)
    assert PersonCodingDay.objects.filter(person=hidden).exists()  # left out when read


def test_tasks_refresh_one_organization_and_fan_out_nightly(organization):
    other = OrganizationFactory()
    commit(PersonFactory(organization=organization), repository(organization), DAY1)
    commit(PersonFactory(organization=other), repository(other), DAY1)

    assert tasks.refresh_coding_days.delay(organization.id).get() == 1
    assert not PersonCodingDay.objects.filter(organization=other).exists()
    assert tasks.rebuild_all_coding_days.delay().get() == 2
    assert PersonCodingDay.objects.filter(organization=other).count() == 1


def test_the_nightly_rebuild_is_scheduled():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].startswith("coding.")]
    assert [entry["task"] for entry in entries] == ["coding.tasks.rebuild_all_coding_days"]
