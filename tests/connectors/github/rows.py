"""Comparable dumps of what a GitHub import wrote, without ids."""

from accounts.models import Person, PersonAlias
from coding.models import Commit, Deployment, PullRequest, PullRequestReview, Repository

PULL_COLUMNS = (
    "number", "title", "state", "is_draft", "base_branch", "head_branch", "created_at", "merged_at", "closed_at",
    "first_commit_at", "first_review_at", "additions", "deletions", "changed_files", "commits_count",
    "author_login", "author_is_bot", "author__name",
)  # fmt: skip


def written_rows(organization) -> dict:
    scope = {"organization": organization}
    return {
        "repositories": sorted(Repository.objects.filter(**scope).values_list("name", "url")),
        "people": sorted(Person.objects.filter(**scope).values_list("name", "email", "needs_review")),
        "aliases": sorted(PersonAlias.objects.filter(**scope).values_list("value", "person__name")),
        "pull_requests": sorted(PullRequest.objects.filter(**scope).values_list(*PULL_COLUMNS), key=str),
        "reviews": sorted(
            PullRequestReview.objects.filter(**scope).values_list(
                "pull_request__number", "reviewer__name", "reviewer_login", "state", "submitted_at"
            ),
            key=str,
        ),
        "commits": sorted(
            Commit.objects.filter(**scope).values_list("sha", "author__name", "author_email", "authored_at"), key=str
        ),
        "deployments": sorted(
            Deployment.objects.filter(**scope).values_list("environment", "deployed_at", "status"), key=str
        ),
    }
