"""Validation of bundles: every kind of problem is reported with its JSON location, and
nothing is written."""

import copy
import json
from pathlib import Path

import orjson
import pytest

from imports.reading import bundle_read
from imports.services import bundle_import
from imports.validation.bundle import bundle_validate
from imports.validation.index import BundleInvalid

pytestmark = pytest.mark.django_db

EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "example-bundle.json"


def spec_bundle() -> dict:
    return json.loads(EXAMPLE_BUNDLE.read_text())


@pytest.fixture(params=["in memory", "streamed from a file"])
def source(request, tmp_path):
    """The bundle as a connector passes it (a dict) or as `import_bundle` reads a file (large
    sections streamed): validation must find the same problems in both."""

    def as_source(bundle: object) -> object:
        if request.param == "in memory":
            return bundle
        path = tmp_path / "bundle.json"
        path.write_bytes(orjson.dumps(bundle))
        return bundle_read(path)

    return as_source


def test_the_spec_example_is_valid(source):
    index = bundle_validate(data=source(spec_bundle()))

    assert index.slug == "acme"
    assert index.projects[500].default_status == 1


def test_a_bundle_that_is_not_an_object_is_rejected(source):
    with pytest.raises(BundleInvalid) as rejected:
        bundle_validate(data=source([]))

    assert rejected.value.problems == ["(root): expected a JSON object, got list"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b.update(format="tally.bundle/2"), "format: must be 'tally.bundle/1', got 'tally.bundle/2'"),
        (lambda b: b["teams"].append({"id": 100, "name": "Again"}), "teams[2].id: duplicate team id 100"),
        (lambda b: b["teams"][0].update(parent=110), "teams[0].parent: team 100 is its own ancestor"),
        (
            lambda b: b["projects"][0]["statuses"][0].pop("state"),
            "projects[0].statuses[0]: lane and state must be given together (or neither, for an unmapped status)",
        ),
        (
            lambda b: b["projects"][0]["statuses"][0].update(waiting=True),
            "projects[0].statuses[0].waiting: only an active status can be waiting",
        ),
        (
            lambda b: b["projects"][0]["statuses"][1].update(canceled=True),
            "projects[0].statuses[1].canceled: only a done status can be canceled",
        ),
        (lambda b: b["tickets"][0].pop("created_at"), "tickets[0].created_at: required"),
        (
            lambda b: b["tickets"][0].update(created_at="0001-01-01T00:00:00+14:00"),
            "tickets[0].created_at: '0001-01-01T00:00:00+14:00' is out of range "
            "(offsets up to ±14:00, years 1 to 9999 in UTC)",
        ),
        (lambda b: b["tickets"][0].update(project=501), "tickets[0].project: unknown project 501"),
        (lambda b: b["tickets"][0]["events"][0].update(to=4242), "tickets[0].events[0].to: unknown person 4242"),
        (lambda b: b["tickets"][0]["events"][5].update(sprint=78), "tickets[0].events[5].sprint: unknown sprint 78"),
        (
            lambda b: b["tickets"][0]["events"][2].update(type="vote"),
            "tickets[0].events[2].type: expected one of status, assignee, comment, description_edit, story_points, "
            "sprint, got 'vote'",
        ),
        (lambda b: b["commits"][0].update(repository=301), "commits[0].repository: unknown repository 301"),
        (lambda b: b["people"][0].update(id="1001"), "people[0].id: expected an integer, got '1001'"),
        (
            lambda b: b["deployments"][0].update(commits=["abcdef1234"]),
            "deployments[0].commits[0]: unknown commit abcdef1234 (neither in the bundle nor stored for this "
            "organization)",
        ),
    ],
)
def test_each_kind_of_problem_is_named_by_its_location(change, problem, source):
    bundle = spec_bundle()
    change(bundle)

    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=source(bundle))

    assert problem in rejected.value.problems


def test_alias_shared_by_two_people_is_a_problem(source):
    bundle = spec_bundle()
    bundle["people"].append({"id": 1002, "name": "Imposter", "email": "ADA@acme.test"})

    with pytest.raises(BundleInvalid) as rejected:
        bundle_validate(data=source(bundle))

    assert rejected.value.problems == ["people[1].email: ada@acme.test is also an alias of person 1001"]


def test_missing_sections_are_empty_but_a_section_of_the_wrong_type_is_a_problem(source):
    bundle = {"format": "tally.bundle/1", "organization": {"slug": "tiny", "name": "Tiny"}, "teams": {}}

    with pytest.raises(BundleInvalid) as rejected:
        bundle_validate(data=source(bundle))

    assert rejected.value.problems == ["teams: expected a list, got dict"]


def test_help_desk_ticket_numbers_must_be_unique_within_the_project(source):
    bundle = spec_bundle()
    bundle["projects"].append(
        {"id": 510, "key": "HELP", "name": "Help", "kind": "helpdesk", "statuses": [{"id": 1, "name": "Open"}]}
    )
    bundle["tickets"] += [
        {"id": 9101, "project": 510, "key": "HELP-7", "title": "A", "created_at": "2024-06-01T10:00:00Z",
         "initial_status": 1},
        {"id": 9102, "project": 510, "key": "HELP-8", "number": 7, "title": "B", "created_at": "2024-06-01T10:00:00Z",
         "initial_status": 1},
    ]  # fmt: skip

    with pytest.raises(BundleInvalid) as rejected:
        bundle_validate(data=source(bundle))

    assert rejected.value.problems == ["tickets[2].number: ticket number 7 is also used by ticket 9101"]


def _again(section: str, **changes):
    """Append a copy of the first item of `section`, with `changes`."""

    def change(bundle: dict) -> None:
        bundle[section].append({**copy.deepcopy(bundle[section][0]), **changes})

    return change


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        (_again("tickets", key="CORE-2"), ["tickets[1].id: duplicate ticket id 9001"]),
        (
            _again("tickets", id=9002),
            [
                "tickets[1].key: duplicate ticket key CORE-1 in project 500",
                "tickets[1].number: ticket number 1 is also used by ticket 9001",
            ],
        ),
        (
            _again("tickets", id=9002, key="CORE-2", number=1),
            ["tickets[1].number: ticket number 1 is also used by ticket 9001"],
        ),
        (
            _again("commits"),
            [f"commits[1].sha: duplicate commit {'9fceb02d0ae598e95dc970b74767f19372d61af8'} in repository 300"],
        ),
        (_again("pull_requests", number=18), ["pull_requests[1].id: duplicate pull request id 4001"]),
        (_again("pull_requests", id=4002), ["pull_requests[1].number: duplicate pull request 17 in repository 300"]),
        (_again("deployments"), ["deployments[1].id: duplicate deployment id 6001"]),
    ],
)
def test_a_repeated_id_key_or_number_is_reported_at_its_later_occurrence(change, problems, source):
    bundle = spec_bundle()
    bundle["tickets"][0]["number"] = 1
    change(bundle)

    with pytest.raises(BundleInvalid) as rejected:
        bundle_validate(data=source(bundle))

    assert rejected.value.problems == problems


def test_a_ticket_key_or_number_held_by_another_stored_ticket_is_a_problem(source):
    bundle = spec_bundle()
    bundle["tickets"][0]["number"] = 1
    bundle_import(data=bundle)
    bundle["tickets"][0]["id"] = 9002

    with pytest.raises(BundleInvalid) as rejected:
        bundle_import(data=source(bundle))

    assert rejected.value.problems == [
        "tickets[0].key: ticket key 'CORE-1' is already used by 9001 in this organization",
        "tickets[0].number: ticket number 1 is already used by 9001 in this organization",
    ]
