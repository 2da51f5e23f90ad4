"""Ticketing instance keys: the primary (read/write) and secondary (read-only) keys of a project
used as a Ticketing as a Service instance."""

from django.db import transaction

from tickets.models import InstanceApiKey, Project
from tickets.signals import instance_keys_revoked


@transaction.atomic
def instance_keys_revoke(*, project: Project, read_only: bool) -> int:
    """Revoke the instance's live keys of one kind (primary or secondary); returns how many. A bulk
    update sends no `post_save`: `instance_keys_revoked` tells the listeners (the Ticketing
    surface's cache of verified keys forgets them at once, in this process)."""
    revoked = InstanceApiKey.objects.filter(project=project, read_only=read_only, revoked=False).update(revoked=True)
    if revoked:
        instance_keys_revoked.send(sender=InstanceApiKey, project_id=project.pk, read_only=read_only)
    return revoked


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
