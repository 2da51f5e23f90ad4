"""Writes of the Ticketing API: tickets created, updated, moved and commented on through an
instance. Every change of status, assignee or description and every comment goes through
`tickets.services.history.ticket_event_append`, the one write path of history, so the ticket log,
the ticket metrics and the help-desk stats follow, exactly as for imported history. The requestor,
assignee and acting user of a request are Ticketing users (`{id, name, email}`) resolved to people
through their aliases.

Callers validate first (the API's serializers); these functions take validated values. They run in
the caller's transaction (the request's), so a failure leaves nothing half-written."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.models import Organization, Person, PersonAlias
from tickets.models import Project, Status, Tag, TagCategory, Ticket, TicketEvent, TicketTag
from tickets.services.history import ticket_event_append
from tickets.signals import history_changed

Kind = TicketEvent.Kind
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
DONE = Status.State.DONE


@dataclass(frozen=True)
class TicketingUser:
    """A Ticketing user (IUser): the Microsoft 365 object id (or an email, for email-to-ticket), the
    display name and the email. The API does not check that the three agree (as documented)."""

    id: str
    name: str
    email: str


class PeopleResolver:
    """Resolves Ticketing users to people of one organization, once per user per request.

    A user matches the person that holds its id as an alias, else the one holding its email as an
    alias, else the person with that email. The missing aliases (id, email) are added to the
    person found; a user that matches nobody becomes a new person (flagged `needs_review`, as
    other automatically created people are) with both aliases. Aliases are stored lower-cased."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self._cache: dict[tuple[str, str], Person] = {}

    def person(self, user: TicketingUser | None) -> Person | None:
        if user is None:
            return None
        key = (user.id.strip().lower(), user.email.strip().lower())
        if key not in self._cache:
            self._cache[key] = self._resolve(*key, name=user.name.strip())
        return self._cache[key]

    def _resolve(self, user_id: str, email: str, *, name: str) -> Person:
        values = [value for value in dict.fromkeys((user_id, email)) if value]
        held = {
            alias.value: alias.person
            for alias in PersonAlias.objects.filter(organization=self.organization, value__in=values).select_related(
                "person"
            )
        }
        person = held.get(user_id) or held.get(email)
        if person is None and email:
            person = Person.objects.filter(organization=self.organization, email__iexact=email).order_by("id").first()
        created = person is None
        if created:
            person = Person.objects.create(
                organization=self.organization, name=name or email or user_id, email=email, needs_review=True
            )
        for value in values:
            if value in held:
                continue
            try:
                with transaction.atomic():
                    PersonAlias.objects.create(organization=self.organization, person=person, value=value)
            except IntegrityError:
                # Another request added this alias meanwhile: the person it names is the one.
                owner = PersonAlias.objects.select_related("person").get(organization=self.organization, value=value)
                if created and value == values[0]:
                    person.delete()
                    return owner.person
        return person


def external_user_id(person: Person, alias_values: list[str]) -> str:
    """The id a Ticketing client knows a person by: its Microsoft 365 object id (a UUID-shaped
    alias), else its email, else its Tally id."""
    for value in sorted(alias_values):
        if UUID_RE.match(value):
            return value
    return person.email or next((v for v in sorted(alias_values) if "@" in v), "") or str(person.id)


@dataclass
class TicketDraft:
    """A validated new ticket. `status` is the workflow status it should end up in (None: stay in
    the initial status); `tags` are (category, text) pairs of existing categories."""

    title: str
    requestor: TicketingUser
    description: str = ""
    priority: str = ""
    assignee: TicketingUser | None = None
    expected_at: datetime | None = None
    custom_fields: dict = field(default_factory=dict)
    tags: list[tuple[TagCategory, str]] = field(default_factory=list)
    status: Status | None = None
    resolution: str = ""


def _next_number(project: Project) -> tuple[int, str]:
    """The next ticket number of the instance and its key (`KEY-number`), skipping keys that
    imported tickets already use. The caller holds the project row lock."""
    number = (Ticket.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
    taken = set(
        Ticket.objects.filter(project=project, key__startswith=f"{project.key}-").values_list("key", flat=True)
    )
    while f"{project.key}-{number}" in taken:
        number += 1
    return number, f"{project.key}-{number}"


def ticket_tags_set(*, ticket: Ticket, tags: list[tuple[TagCategory, str]]) -> bool:
    """Make the ticket's tags exactly `tags`, creating tag texts new to their category. Returns
    whether anything changed."""
    wanted = []
    for category, text in tags:
        tag, _ = Tag.objects.get_or_create(organization_id=ticket.organization_id, category=category, text=text)
        wanted.append(tag.id)
    wanted_ids = set(wanted)
    current = set(TicketTag.objects.filter(ticket=ticket).values_list("tag_id", flat=True))
    removed = current - wanted_ids
    if removed:
        TicketTag.objects.filter(ticket=ticket, tag_id__in=removed).delete()
    TicketTag.objects.bulk_create(
        [
            TicketTag(organization_id=ticket.organization_id, ticket=ticket, tag_id=tag_id)
            for tag_id in dict.fromkeys(wanted)
            if tag_id not in current
        ]
    )
    return bool(removed or (wanted_ids - current))


def ticketing_ticket_create(
    *,
    project: Project,
    draft: TicketDraft,
    initial_status: Status,
    actor: Person | None,
    at: datetime,
    people: PeopleResolver,
) -> Ticket:
    """Create a ticket in the instance with the next number, in `initial_status`, then record its
    assignment and its move to `draft.status` (when another) as history at `at`. The acting person
    (the creator) defaults to the requestor. The new ticket's derived values (its metrics row)
    are computed after commit, whether or not it has any history yet."""
    Project.objects.select_for_update().filter(pk=project.pk).first()  # numbers are allocated one at a time
    requestor = people.person(draft.requestor)
    creator = actor or requestor
    assignee = people.person(draft.assignee)
    number, key = _next_number(project)
    ticket = Ticket.objects.create(
        organization_id=project.organization_id, project=project, number=number, key=key, title=draft.title,
        description=draft.description, priority=draft.priority, status=initial_status,
        state=initial_status.mapped.display_state, reporter=requestor, created_by=creator,
        custom_fields=draft.custom_fields, expected_at=draft.expected_at, created_at=at, updated_at=at,
    )  # fmt: skip
    ticket_tags_set(ticket=ticket, tags=draft.tags)
    if assignee is not None:
        ticket_event_append(ticket=ticket, kind=Kind.ASSIGNEE, at=at, actor=creator, to_person=assignee)
    if draft.status is not None and draft.status.id != initial_status.id:
        ticket_event_append(
            ticket=ticket, kind=Kind.STATUS, at=at, actor=creator, to_status=draft.status, resolution=draft.resolution
        )
    history_changed.send(sender=Ticket, ticket_id=ticket.id)  # a new ticket: its derived values, even without history
    ticket.refresh_from_db()
    return ticket


UNSET = object()


@dataclass
class TicketChanges:
    """A validated update: only the fields given change. `assignee=None` unassigns;
    `custom_fields` is merged into the stored values (a None value removes the field)."""

    title: str | None = None
    description: str | None = None
    priority: str | None = None
    requestor: TicketingUser | None = None
    assignee: object = UNSET
    expected_at: object = UNSET
    custom_fields: dict | None = None
    tags: list[tuple[TagCategory, str]] | None = None
    status: Status | None = None
    resolution: str = ""


def ticketing_ticket_update(
    *, ticket: Ticket, changes: TicketChanges, actor: Person | None, at: datetime, people: PeopleResolver
) -> Ticket:
    """Apply an update. Plain fields are saved together; a description edit, a new assignee and a
    new status are each recorded as history (in that order, all at `at`)."""
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("status").get(pk=ticket.pk)
    person = actor
    update_fields = []
    for name in ("title", "priority"):
        value = getattr(changes, name)
        if value is not None and value != getattr(locked, name):
            setattr(locked, name, value)
            update_fields.append(name)
    if changes.requestor is not None:
        requestor = people.person(changes.requestor)
        if requestor.id != locked.reporter_id:
            locked.reporter = requestor
            update_fields.append("reporter")
    if changes.expected_at is not UNSET and changes.expected_at != locked.expected_at:
        locked.expected_at = changes.expected_at
        update_fields.append("expected_at")
    if changes.custom_fields:
        merged = {**locked.custom_fields, **changes.custom_fields}
        merged = {key: value for key, value in merged.items() if value is not None}
        if merged != locked.custom_fields:
            locked.custom_fields = merged
            update_fields.append("custom_fields")
    description_edited = changes.description is not None and changes.description != locked.description
    if description_edited:
        locked.description = changes.description
        update_fields.append("description")
    tags_changed = changes.tags is not None and ticket_tags_set(ticket=locked, tags=changes.tags)
    if update_fields or tags_changed:
        locked.updated_at = max(locked.updated_at, at)
        locked.save(update_fields=[*update_fields, "updated_at"])
    if description_edited:
        ticket_event_append(ticket=locked, kind=Kind.DESCRIPTION_EDIT, at=at, actor=person)
    if changes.assignee is not UNSET:
        assignee = people.person(changes.assignee)
        if (assignee.id if assignee else None) != locked.assignee_id:
            ticket_event_append(ticket=locked, kind=Kind.ASSIGNEE, at=at, actor=person, to_person=assignee)
    if changes.status is not None:
        ticketing_status_change(
            ticket=locked, to_status=changes.status, resolution=changes.resolution, comment="", actor=person, at=at
        )
    locked.refresh_from_db()
    return locked


def ticketing_status_change(
    *, ticket: Ticket, to_status: Status, resolution: str, comment: str, actor: Person | None, at: datetime
) -> Ticket:
    """Move the ticket to `to_status`, recording the resolution and the comment with the status
    change. Moving out of a done state (a reopen) clears the stored resolution. A "move" to the
    status the ticket is already in records no status change: its comment (if any) is recorded as
    a comment and its resolution (if any) replaces the stored one."""
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("status").get(pk=ticket.pk)
    if to_status.id != locked.status_id:
        reopening = locked.status.state == DONE and to_status.state != DONE
        ticket_event_append(
            ticket=locked, kind=Kind.STATUS, at=at, actor=actor, to_status=to_status, resolution=resolution,
            body=comment,
        )  # fmt: skip
        if reopening and locked.resolution:
            Ticket.objects.filter(pk=locked.pk).update(resolution="", import_digest="")
    else:
        if resolution and resolution != locked.resolution:
            Ticket.objects.filter(pk=locked.pk).update(
                resolution=resolution, updated_at=max(locked.updated_at, at), import_digest=""
            )
        if comment:
            ticket_event_append(ticket=locked, kind=Kind.COMMENT, at=at, actor=actor, body=comment)
    ticket.refresh_from_db()
    return ticket


def ticketing_comment_add(
    *, ticket: Ticket, body: str, is_private: bool, actor: Person | None, at: datetime
) -> TicketEvent:
    """Add a comment (public unless `is_private`). A comment by a helper of the instance is a
    helper response: the first one sets the ticket's first helper response time."""
    return ticket_event_append(
        ticket=ticket, kind=Kind.COMMENT, at=at, actor=actor, body=body, is_public=not is_private
    )
