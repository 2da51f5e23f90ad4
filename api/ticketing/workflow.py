"""The Ticketing statuses (Open, Reopened, Started, Resolved, Closed) as views of an instance
project's workflow.

Writing, each label names one workflow status (its *target*):

1. `instance_settings["statusMapping"]`, `{"Started": "In Progress", ...}` (a status name or
   its tracker id), when it names a status of the project;
2. else a status with the label's name or a usual synonym (Started: "In Progress"; Open: "New",
   "To Do"; Resolved: "Done"), when its state fits the label;
3. else by state: Open, the first not-started status; Reopened, Open's target; Started, the first
   active status that is not waiting; Resolved, the first done status that is not canceled;
   Closed, the last such status.

Resolved or Closed with the resolution `cancelled` goes to the first canceled status when the
workflow has one. A label without a target is a 400 on writes.

Reading, a ticket's label comes from its current status: the label whose target it is (Open or
Reopened by whether the ticket was ever resolved, when both share it; Resolved before Closed),
else its state: not started or unmapped → Open (Reopened once resolved before), active or
waiting → Started, done → Resolved, canceled → Closed."""

from django.db.models import Q

from tickets.models import Project, Status

OPEN, REOPENED, STARTED, RESOLVED, CLOSED = "Open", "Reopened", "Started", "Resolved", "Closed"
LABELS = (OPEN, REOPENED, STARTED, RESOLVED, CLOSED)
RESOLUTIONS = ("fixed", "cannotResolve", "cancelled")
CANCELLED = "cancelled"
_SYNONYMS = {
    OPEN: ("open", "new", "to do"),
    REOPENED: ("reopened",),
    STARTED: ("started", "in progress"),
    RESOLVED: ("resolved", "done"),
    CLOSED: ("closed",),
}
NOT_STARTED, ACTIVE, DONE = Status.State.NOT_STARTED, Status.State.ACTIVE, Status.State.DONE
WAS_RESOLVED = "first_resolution_at"
"""The annotation (see `tickets.selectors.ticketing`) that is not null once a ticket was resolved."""


def _fits(label: str, status: Status) -> bool:
    if label in (OPEN, REOPENED):
        return status.state == NOT_STARTED
    if label == STARTED:
        return status.state == ACTIVE and not status.is_waiting
    if label == RESOLVED:
        return status.state == DONE and not status.is_canceled
    return status.state == DONE


class WorkflowError(Exception):
    def __init__(self, label: str):
        super().__init__(f"This instance's workflow has no status for '{label}'.")


class InstanceWorkflow:
    """The label ↔ status mapping of one instance (loaded with one query)."""

    def __init__(self, project: Project, statuses: list[Status]):
        self.statuses = statuses
        self.by_id = {status.id: status for status in statuses}
        self.targets = self._targets(project.instance_settings or {})
        self.canceled = next((s for s in statuses if s.state == DONE and s.is_canceled), None)

    @classmethod
    def load(cls, project: Project) -> "InstanceWorkflow":
        return cls(project, list(Status.objects.filter(project=project).order_by("position", "id")))

    def _targets(self, settings: dict) -> dict[str, Status | None]:
        explicit = settings.get("statusMapping") if isinstance(settings.get("statusMapping"), dict) else {}
        mapped = [s for s in self.statuses if s.state is not None]
        targets: dict[str, Status | None] = {}
        for label in LABELS:
            wanted = explicit.get(label)
            target = next(
                (
                    s
                    for s in mapped
                    if wanted is not None and (str(wanted).lower() in (s.name.lower(), str(s.external_id)))
                ),
                None,
            )
            if target is None:
                target = next(
                    (s for name in _SYNONYMS[label] for s in mapped if s.name.lower() == name and _fits(label, s)),
                    None,
                )
            targets[label] = target
        done = [s for s in mapped if s.state == DONE and not s.is_canceled]
        fallbacks = {
            OPEN: next((s for s in mapped if s.state == NOT_STARTED), None),
            STARTED: next((s for s in mapped if s.state == ACTIVE and not s.is_waiting), None)
            or next((s for s in mapped if s.state == ACTIVE), None),
            RESOLVED: done[0] if done else None,
            CLOSED: done[-1] if done else None,
        }
        for label in (OPEN, STARTED, RESOLVED, CLOSED):
            targets[label] = targets[label] or fallbacks[label]
        targets[REOPENED] = targets[REOPENED] or targets[OPEN]
        return targets

    def target(self, label: str, resolution: str = "") -> Status:
        """The status a write of `label` moves a ticket to; WorkflowError when there is none."""
        if label in (RESOLVED, CLOSED) and resolution == CANCELLED and self.canceled is not None:
            return self.canceled
        status = self.targets.get(label)
        if status is None:
            raise WorkflowError(label)
        return status

    def label(self, status_id: int, was_resolved: bool) -> str:
        status = self.by_id.get(status_id)
        explicit = [
            label for label in LABELS if self.targets[label] is not None and self.targets[label].id == status_id
        ]
        if explicit:
            if OPEN in explicit and REOPENED in explicit:
                return REOPENED if was_resolved else OPEN
            return explicit[0]
        state = status.state if status is not None else None
        if state == ACTIVE:
            return STARTED
        if state == DONE:
            return CLOSED if status.is_canceled else RESOLVED
        return REOPENED if was_resolved else OPEN

    def condition(self, labels: list[str]) -> Q:
        """Tickets whose label is one of `labels` (over the WAS_RESOLVED annotation)."""
        condition = Q(pk__in=[])
        for status in self.statuses:
            if self.label(status.id, False) in labels:
                condition |= Q(status_id=status.id, **{f"{WAS_RESOLVED}__isnull": True})
            if self.label(status.id, True) in labels:
                condition |= Q(status_id=status.id, **{f"{WAS_RESOLVED}__isnull": False})
        return condition
