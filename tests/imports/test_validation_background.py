"""Validation alongside the writes (imports.validation.background): on PostgreSQL, a child process
validates while the import writes in its transaction; the outcome is the validate-first outcome."""

import json
from datetime import date

import pytest
from django.db import connection

from accounts.models import Organization
from imports import services
from imports.demo.bundle import DEMO_ID_BLOCK, demo_bundle
from imports.reading import bundle_read
from imports.services import bundle_import
from imports.validation import background
from imports.validation.bundle import bundle_validate
from imports.validation.index import BundleInvalid
from tests.conftest import require_service
from tickets.models import Ticket

TODAY = date(2025, 3, 12)
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")


@pytest.fixture
def forks(monkeypatch) -> list:
    """The BackgroundValidation objects the import makes."""
    made = []

    class Recorded(background.BackgroundValidation):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            made.append(self)

    monkeypatch.setattr(services, "BackgroundValidation", Recorded)
    return made


def bundle_file(tmp_path, bundle: dict):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return path


def demo() -> dict:
    return demo_bundle(tickets=120, seed=7, slug="alongside", today=TODAY)


@pytest.mark.postgres
@transactional
def test_a_valid_bundle_is_written_while_a_child_validates_it(postgresql, forks, tmp_path):
    path = bundle_file(tmp_path, demo())
    summary = bundle_import(data=bundle_read(path), validate_alongside=True)
    assert len(forks) == 1
    assert summary.counts["tickets"].created == 120
    assert Ticket.objects.filter(organization__slug="alongside").count() == 120
    again = bundle_import(data=bundle_read(path), validate_alongside=False)  # validated first, in-process
    assert not again.changed


@pytest.mark.postgres
@transactional
def test_an_invalid_bundle_is_rejected_with_every_problem_and_nothing_is_written(postgresql, forks, tmp_path):
    bundle = demo()
    bundle["tickets"][-1]["reporter"] = 987_654_321
    bundle["commits"][-1]["sha"] = "not a sha"
    path = bundle_file(tmp_path, bundle)
    with pytest.raises(BundleInvalid) as validated_first:
        bundle_validate(data=bundle_read(path))
    with pytest.raises(BundleInvalid) as alongside:
        bundle_import(data=bundle_read(path), validate_alongside=True)
    assert len(forks) == 1
    assert alongside.value.problems == validated_first.value.problems
    assert len(alongside.value.problems) == 2
    assert not Organization.objects.filter(slug="alongside").exists()


@pytest.mark.postgres
@transactional
def test_a_bundle_the_writes_trip_over_is_reported_by_its_problems(postgresql, forks, tmp_path):
    bundle = demo()
    del bundle["people"][0]["id"]  # the writes fail on it (KeyError) before the child's verdict
    path = bundle_file(tmp_path, bundle)
    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=bundle_read(path), validate_alongside=True)
    assert len(forks) == 1
    assert "people[0].id: required" in rejected.value.problems
    assert not Organization.objects.filter(slug="alongside").exists()


@pytest.mark.postgres
@transactional
def test_a_validation_that_ends_without_a_verdict_fails_the_import_and_nothing_is_written(
    postgresql, forks, tmp_path, monkeypatch
):
    def crash(*, data):
        raise RuntimeError("the validator broke")

    monkeypatch.setattr(background, "bundle_validate", crash)  # the forked child inherits the patch
    path = bundle_file(tmp_path, demo())
    with pytest.raises(background.ValidationFailed, match="the validator broke"):
        bundle_import(data=bundle_read(path), validate_alongside=True)
    assert not Organization.objects.filter(slug="alongside").exists()


@pytest.mark.django_db
def test_inside_a_transaction_the_bundle_is_validated_first(forks, tmp_path):
    assert connection.in_atomic_block  # the test's transaction: a child could not see its rows
    assert not background.validation_alongside_possible()
    summary = bundle_import(data=bundle_read(bundle_file(tmp_path, demo())), validate_alongside=True)
    assert forks == []
    assert summary.counts["tickets"].created == 120


@pytest.mark.postgres
@transactional
def test_ids_of_another_organization_stop_the_writes_before_they_start(postgresql, forks, tmp_path, monkeypatch):
    other = demo_bundle(tickets=20, seed=8, slug="other", today=TODAY, id_offset=DEMO_ID_BLOCK)
    bundle_import(data=bundle_read(bundle_file(tmp_path, other)))
    bundle = demo()
    bundle["tickets"][-1]["id"] = other["tickets"][0]["id"]
    writes = []
    monkeypatch.setattr(services, "_bundle_write", lambda *args, **kwargs: writes.append(args))
    path = tmp_path / "taken.json"
    path.write_text(json.dumps(bundle))
    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=bundle_read(path), validate_alongside=True)
    assert len(forks) == 1
    assert writes == []  # nothing of the other organization was locked or updated, even for a while
    taken = other["tickets"][0]["id"]
    assert f"tickets[119].id: ticket id {taken} is already used by another organization" in rejected.value.problems
    assert not Organization.objects.filter(slug="alongside").exists()
