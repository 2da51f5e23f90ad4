"""What the checks of a bundle share: its format and sections, the error that carries every
problem, and the index of the ids each section declares."""

from dataclasses import dataclass, field

from formulas.tickets import MappedStatus
from imports.validation.repeats import HashSet

BUNDLE_FORMAT = "tally.bundle/1"
SECTIONS = (
    "teams", "people", "projects", "sprints", "tickets", "repositories", "commits", "pull_requests", "deployments",
)  # fmt: skip
STATES = ("not_started", "active", "done")
JITTER_WEIGHT_KEYS = ("comment", "description_edit", "assignee_change")


class BundleInvalid(Exception):
    """A bundle that cannot be imported; `problems` lists every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the bundle")
        self.problems = problems


@dataclass
class ProjectRef:
    """What the rest of the bundle needs to know about one project."""

    key: str | None
    kind: str
    statuses: dict[int, MappedStatus] = field(default_factory=dict)
    default_status: int | None = None


@dataclass
class BundleIndex:
    """The ids each section declares, so references between sections can be checked."""

    slug: str | None = None
    team_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    stored_person_ids: dict[int, str] = field(default_factory=dict)
    """Ids of `stored_people` (people already stored, referenced but not restated) -> JSON location."""
    projects: dict[int, ProjectRef] = field(default_factory=dict)
    sprint_ids: set[int] = field(default_factory=set)
    repository_ids: set[int] = field(default_factory=set)
    commit_shas: HashSet = field(default_factory=HashSet)
    """The shas of the bundle's commits (lower case)."""
    deployment_shas: list[tuple[str, str]] = field(default_factory=list)
    """(JSON location, sha) of deployment commits not among the bundle's commits."""
