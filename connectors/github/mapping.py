"""GitHub records → facts Tally stores: pure functions over the REST API's JSON, no database.

Definitions (docs/connectors-github.md):
- a bot is a login ending in `[bot]` or a user of `type: Bot`; bots are never people;
- a pull request's first commit time is the earliest author date of its commits; its first review
  time the earliest submitted review by someone other than its author and not a bot;
- ticket keys (`CORE-123`) are read from the title, the head branch and the body;
- a workflow run is a deployment when its workflow name matches the pattern, its branch is one of
  the branches (or any when none are given), it was not triggered by a pull request, and it
  concluded `success` (a successful deployment) or `failure` / `timed_out` / `startup_failure`
  (a failed one); other conclusions and unfinished runs are not deployments."""

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import datetime

TICKET_KEY = re.compile(r"(?<![A-Z0-9_])([A-Z][A-Z0-9_]{1,49}-[1-9][0-9]{0,9})(?![0-9])")
RUN_SUCCESS = frozenset({"success"})
RUN_FAILURE = frozenset({"failure", "timed_out", "startup_failure"})
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review"})
DEPLOYMENT_SUCCESS = frozenset({"success"})
DEPLOYMENT_FAILURE = frozenset({"failure", "error"})


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def is_bot(user: dict | None) -> bool:
    if not user:
        return False
    return str(user.get("login") or "").lower().endswith("[bot]") or user.get("type") == "Bot"


def login_of(user: dict | None) -> str:
    return str((user or {}).get("login") or "")


def ticket_keys(*texts: str | None) -> list[str]:
    """Ticket keys named in the texts, in order of first mention, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for match in TICKET_KEY.finditer(text or ""):
            found[match.group(1)] = None
    return list(found)


@dataclass(frozen=True)
class CommitFacts:
    sha: str
    login: str
    bot: bool
    email: str
    name: str
    authored_at: str
    committed_at: str | None
    message: str


def commit_facts(record: dict) -> CommitFacts:
    """A commit as the pull request commits and compare endpoints list it."""
    commit = record.get("commit") or {}
    author = commit.get("author") or {}
    committer = commit.get("committer") or {}
    user = record.get("author")
    bot = is_bot(user) or "[bot]" in (author.get("email") or "") or (author.get("name") or "").endswith("[bot]")
    return CommitFacts(
        sha=str(record.get("sha") or "").lower(), login=login_of(user), bot=bot,
        email=(author.get("email") or "").strip(), name=(author.get("name") or "").strip(),
        authored_at=author.get("date") or committer.get("date") or "", committed_at=committer.get("date"),
        message=commit.get("message") or "",
    )  # fmt: skip


@dataclass(frozen=True)
class ReviewFacts:
    login: str
    bot: bool
    state: str
    submitted_at: str


@dataclass
class PullRequestFacts:
    """One pull request with its reviews and commits, as Tally stores it."""

    github_id: str
    number: int
    title: str
    author_login: str
    author_bot: bool
    state: str
    draft: bool
    base_branch: str
    head_branch: str
    created_at: str
    updated_at: str
    merged_at: str | None
    closed_at: str | None
    additions: int
    deletions: int
    changed_files: int
    commits_count: int
    first_commit_at: str | None
    first_review_at: str | None
    reviews: list[ReviewFacts] = field(default_factory=list)
    commits: list[CommitFacts] = field(default_factory=list)
    ticket_keys: list[str] = field(default_factory=list)

    def logins(self) -> set[str]:
        people = {self.author_login} if self.author_login and not self.author_bot else set()
        people |= {review.login for review in self.reviews if review.login and not review.bot}
        people |= {commit.login for commit in self.commits if commit.login and not commit.bot}
        return people


def pull_request_facts(pull: dict, *, reviews: list[dict], commits: list[dict]) -> PullRequestFacts:
    """`pull` from the list or the single pull request endpoint (sizes only come with the latter,
    and with webhooks); `reviews` and `commits` from the pull request's own lists."""
    author = pull.get("user")
    author_login = login_of(author)
    review_facts = [
        ReviewFacts(login=login_of(r.get("user")), bot=is_bot(r.get("user")), state=str(r.get("state") or ""),
                    submitted_at=r["submitted_at"])
        for r in reviews
        if r.get("submitted_at") and r.get("state") != "PENDING"
    ]  # fmt: skip
    by_others = [parse_time(r.submitted_at) for r in review_facts if not r.bot and r.login and r.login != author_login]
    commit_list = [commit_facts(record) for record in commits]
    authored = [parse_time(c.authored_at) for c in commit_list if c.authored_at]
    head, base = pull.get("head") or {}, pull.get("base") or {}
    return PullRequestFacts(
        github_id=str(pull["id"]), number=int(pull["number"]), title=str(pull.get("title") or "")[:500],
        author_login=author_login, author_bot=is_bot(author), state=str(pull.get("state") or ""),
        draft=bool(pull.get("draft")), base_branch=str(base.get("ref") or "")[:255],
        head_branch=str(head.get("ref") or "")[:255], created_at=pull["created_at"],
        updated_at=pull.get("updated_at") or pull["created_at"], merged_at=pull.get("merged_at"),
        closed_at=pull.get("closed_at"), additions=int(pull.get("additions") or 0),
        deletions=int(pull.get("deletions") or 0), changed_files=int(pull.get("changed_files") or 0),
        commits_count=int(pull.get("commits") or len(commit_list)),
        first_commit_at=iso(min(authored)) if authored else None,
        first_review_at=iso(min(by_others)) if by_others else None,
        reviews=review_facts, commits=commit_list,
        ticket_keys=ticket_keys(pull.get("title"), head.get("ref"), pull.get("body")),
    )  # fmt: skip


def has_sizes(pull: dict) -> bool:
    return "additions" in pull and "deletions" in pull


@dataclass
class DeploymentFacts:
    """A deployment: `external_id` is the run's or the deployment's id; `head` its commit."""

    external_id: str
    environment: str
    deployed_at: str
    status: str
    head_sha: str
    head: CommitFacts | None = None
    shipped: list[CommitFacts] = field(default_factory=list)


def run_outcome(run: dict) -> str | None:
    conclusion = str(run.get("conclusion") or "").lower()
    if conclusion in RUN_SUCCESS:
        return "success"
    if conclusion in RUN_FAILURE:
        return "failure"
    return None


def run_deploys(run: dict, *, pattern: str, branches: list[str]) -> bool:
    name = str(run.get("name") or "").lower()
    if not fnmatch.fnmatchcase(name, (pattern or "*").lower()):
        return False
    if branches and run.get("head_branch") not in branches:
        return False
    return run.get("event") not in PULL_REQUEST_EVENTS and run_outcome(run) is not None


def run_deployment(run: dict, *, environment: str) -> DeploymentFacts:
    head = run.get("head_commit") or {}
    author = head.get("author") or {}
    sha = str(run.get("head_sha") or head.get("id") or "").lower()
    commit = None
    if head.get("timestamp"):
        email = (author.get("email") or "").strip()
        bot = "[bot]" in email or (author.get("name") or "").endswith("[bot]")
        commit = CommitFacts(
            sha=sha, login="", bot=bot, email=email, name=(author.get("name") or "").strip(),
            authored_at=head["timestamp"], committed_at=None, message=head.get("message") or "",
        )  # fmt: skip
    return DeploymentFacts(
        external_id=f"run:{run['id']}", environment=environment,
        deployed_at=run.get("updated_at") or run.get("run_started_at") or run["created_at"],
        status=run_outcome(run) or "failure", head_sha=sha, head=commit,
    )  # fmt: skip


def deployment_outcome(statuses: list[dict]) -> tuple[str, str] | None:
    """(status, time) of a GitHub Deployment from its statuses (newest first): the latest final one
    (`inactive`, a later deployment's doing, is skipped so the success behind it counts)."""
    for status in statuses:
        state = str(status.get("state") or "").lower()
        if state in DEPLOYMENT_SUCCESS:
            return "success", status["created_at"]
        if state in DEPLOYMENT_FAILURE:
            return "failure", status["created_at"]
    return None
