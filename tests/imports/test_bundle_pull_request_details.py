"""Optional pull request keys of the bundle: state, draft, branches, changed files, the author's
login and bot flag, ticket keys (linked to the organization's tickets) and reviews; a bundle
without them keeps what is stored, and bad values are problems naming their place."""

import pytest

from coding.models import PullRequest, PullRequestReview
from imports.services import bundle_import
from imports.validation.index import BundleInvalid
from tests.support.factories import OrganizationFactory, ProjectFactory, StatusFactory, TicketFactory

pytestmark = pytest.mark.django_db


def bundle(**pull_request) -> dict:
    return {
        "format": "tally.bundle/1",
        "organization": {"slug": "acme", "name": "Acme"},
        "people": [{"id": 701, "name": "Ada"}],
        "repositories": [{"id": 801, "name": "acme/api"}],
        "pull_requests": [
            {"id": 901, "repository": 801, "number": 5, "created_at": "2024-01-01T00:00:00Z", "author": 701,
             **pull_request}
        ],
    }  # fmt: skip


DETAILS = {
    "state": "closed", "draft": False, "base_branch": "main", "head_branch": "CORE-1-fix", "changed_files": 3,
    "author_login": "ada", "author_is_bot": False, "ticket_keys": ["CORE-1", "CORE-404"],
    "reviews": [
        {"reviewer": 701, "login": "ada", "state": "APPROVED", "submitted_at": "2024-01-02T00:00:00Z"},
        {"reviewer": None, "login": "ci[bot]", "state": "COMMENTED", "submitted_at": "2024-01-02T00:00:00Z"},
        {"reviewer": None, "login": "ci[bot]", "state": "COMMENTED", "submitted_at": "2024-01-02T00:00:00Z"},
    ],
}  # fmt: skip


def test_details_reviews_and_ticket_links_are_written_and_a_second_import_changes_nothing():
    organization = OrganizationFactory(slug="acme", name="Acme")
    project = ProjectFactory(organization=organization, key="CORE")
    ticket = TicketFactory(project=project, key="CORE-1", status=StatusFactory(project=project))

    summary = bundle_import(data=bundle(**DETAILS))

    pull = PullRequest.objects.get(id=901)
    assert (pull.state, pull.head_branch, pull.changed_files, pull.author_login) == ("closed", "CORE-1-fix", 3, "ada")
    assert list(pull.tickets.all()) == [ticket] and pull.ticket_keys == ["CORE-1", "CORE-404"]
    assert PullRequestReview.objects.filter(pull_request=pull).count() == 3
    assert summary.counts["pull request reviews"].created == 3
    again = bundle_import(data=bundle(**DETAILS))
    assert not again.changed

    fewer = {**DETAILS, "reviews": DETAILS["reviews"][:1], "ticket_keys": []}
    summary = bundle_import(data=bundle(**fewer))
    assert summary.counts["pull request reviews"].deleted == 2 and not pull.tickets.exists()

    bundle_import(data=bundle())  # without the keys: reviews and links are kept
    assert PullRequestReview.objects.filter(pull_request=pull).count() == 1


def test_bad_details_are_problems_naming_their_place():
    bad = {"state": "merged", "draft": "no", "reviews": [{"reviewer": 999, "state": "APPROVED"}], "ticket_keys": [""]}
    with pytest.raises(BundleInvalid) as invalid:
        bundle_import(data=bundle(**bad))
    text = "\n".join(invalid.value.problems)
    for path in ("pull_requests[0].state", "pull_requests[0].draft", "pull_requests[0].reviews[0].reviewer",
                 "pull_requests[0].reviews[0].submitted_at", "pull_requests[0].ticket_keys[0]"):  # fmt: skip
        assert path in text, text
    assert not PullRequest.objects.exists()
