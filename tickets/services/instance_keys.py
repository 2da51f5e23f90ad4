"""Ticketing instance keys: the primary (read/write) and secondary (read-only) keys of a project
used as a Ticketing as a Service instance."""

from django.db import transaction

from tickets.models import InstanceApiKey, Project


@transaction.atomic
def instance_keys_revoke(*, project: Project, read_only: bool) -> int:
    """Revoke the instance's live keys of one kind (primary or secondary); returns how many."""
    return InstanceApiKey.objects.filter(project=project, read_only=read_only, revoked=False).update(revoked=True)


def instance_key_create(*, project: Project, read_only: bool, name: str = "") -> tuple[InstanceApiKey, str]:
    """Generate a ticketing instance key: primary (read/write) or secondary (read-only). Creating a
    new key of a kind revokes the previous keys of that kind (rotation). Returns the row and its
    plaintext, shown once."""
    instance_keys_revoke(project=project, read_only=read_only)
    return InstanceApiKey.objects.create_key(
        organization=project.organization,
        project=project,
        read_only=read_only,
        name=name or ("secondary (read-only)" if read_only else "primary (read/write)"),
    )
