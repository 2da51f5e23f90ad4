"""Validation of a pull request's optional details (bundle format `pull_requests[]`): state,
draft, branches, changed files, the author's login and bot flag, ticket keys and reviews."""

from imports.parsing import Problems, Reader, objects
from imports.validation.index import BundleIndex

PULL_REQUEST_STATES = ("open", "closed")


def check_pull_request_details(reader: Reader, index: BundleIndex, problems: Problems) -> None:
    reader.choice("state", PULL_REQUEST_STATES)
    reader.boolean("draft")
    reader.string("base_branch", max_length=255)
    reader.string("head_branch", max_length=255)
    reader.integer("changed_files")
    reader.string("author_login", max_length=255)
    reader.boolean("author_is_bot")
    for position, key in enumerate(reader.strings("ticket_keys")):
        if not key.strip() or len(key) > 60:
            problems.add(f"{reader.path}.ticket_keys[{position}]", f"not a ticket key: {key!r}")
    for _position, review in objects(reader.items("reviews"), f"{reader.path}.reviews", problems):
        review.reference("reviewer", index.person_ids, "person")
        review.string("login", max_length=255)
        review.string("state", required=True, nullable=False, max_length=32)
        review.timestamp("submitted_at", required=True, nullable=False)
