"""Bundle writes of a pull request's optional details: its reviews and its links to the tickets
its `ticket_keys` name. A key a bundle leaves out keeps what is stored; a key it gives makes the
stored rows exactly what it says (reviews compared by reviewer, login, state and time)."""

from accounts.models import Organization
from coding.models import PullRequest, PullRequestReview
from imports.parsing import batched, parse_timestamp_utc
from imports.sync import QUERY_CHUNK, WRITE_BATCH, Counts, links_sync
from tickets.models import Ticket


def pull_request_detail_row(pr: dict) -> dict:
    """The pull request columns the optional keys fill (defaults when absent)."""
    return {
        "state": pr.get("state") or "",
        "is_draft": bool(pr.get("draft")),
        "base_branch": pr.get("base_branch") or "",
        "head_branch": pr.get("head_branch") or "",
        "changed_files": pr.get("changed_files") or 0,
        "author_login": pr.get("author_login") or "",
        "author_is_bot": bool(pr.get("author_is_bot")),
        "ticket_keys": list(pr.get("ticket_keys") or []),
    }


def pull_request_details_sync(*, organization: Organization, pull_requests: list[dict]) -> dict[str, Counts]:
    with_reviews = [pr for pr in pull_requests if "reviews" in pr]
    with_keys = [pr for pr in pull_requests if "ticket_keys" in pr]
    return {
        "pull request reviews": _reviews_sync(organization=organization, pull_requests=with_reviews),
        "pull request tickets": _ticket_links_sync(organization=organization, pull_requests=with_keys),
    }


def _review_key(pull_request_id: int, reviewer_id, login: str, state: str, submitted_at) -> tuple:
    return (pull_request_id, reviewer_id, login, state, submitted_at)


def _reviews_sync(*, organization: Organization, pull_requests: list[dict]) -> Counts:
    counts = Counts()
    desired: dict[tuple, int] = {}
    for pr in pull_requests:
        for review in pr["reviews"]:
            key = _review_key(
                pr["id"], review.get("reviewer"), review.get("login") or "", review["state"],
                parse_timestamp_utc(review["submitted_at"]),
            )  # fmt: skip
            desired[key] = desired.get(key, 0) + 1
    stored: dict[tuple, list[int]] = {}
    for chunk in batched(sorted(pr["id"] for pr in pull_requests), QUERY_CHUNK):
        rows = PullRequestReview.objects.filter(pull_request_id__in=chunk).values_list(
            "id", "pull_request_id", "reviewer_id", "reviewer_login", "state", "submitted_at"
        )
        for row_id, *key in rows:
            stored.setdefault(_review_key(*key), []).append(row_id)
    obsolete, new = [], []
    for key, ids in stored.items():
        keep = desired.get(key, 0)
        counts.unchanged += min(keep, len(ids))
        obsolete += ids[keep:]
    for key, wanted in desired.items():
        missing = wanted - len(stored.get(key, []))
        pull_request_id, reviewer_id, login, state, submitted_at = key
        new += [
            PullRequestReview(
                organization=organization, pull_request_id=pull_request_id, reviewer_id=reviewer_id,
                reviewer_login=login, state=state, submitted_at=submitted_at,
            )
            for _ in range(max(missing, 0))
        ]  # fmt: skip
    for chunk in batched(obsolete, QUERY_CHUNK):
        PullRequestReview.objects.filter(id__in=chunk).delete()
    PullRequestReview.objects.bulk_create(new, batch_size=WRITE_BATCH)
    counts.created, counts.deleted = len(new), len(obsolete)
    return counts


def _ticket_links_sync(*, organization: Organization, pull_requests: list[dict]) -> Counts:
    """Link each pull request to the organization's tickets whose key it names (unknown keys link
    nothing; the next import links them once the tickets exist)."""
    keys = sorted({key for pr in pull_requests for key in pr["ticket_keys"]})
    tickets: dict[str, int] = {}
    for chunk in batched(keys, QUERY_CHUNK):
        rows = Ticket.objects.filter(organization=organization, key__in=chunk).order_by("id")
        for key, ticket_id in rows.values_list("key", "id"):
            tickets.setdefault(key, ticket_id)
    desired = {pr["id"]: {tickets[key] for key in pr["ticket_keys"] if key in tickets} for pr in pull_requests}
    return links_sync(
        model=PullRequest.tickets.through, owner_field="pullrequest_id", other_field="ticket_id", desired=desired
    )
