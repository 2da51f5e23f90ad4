"""Print a new API key as the last line of output."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from accounts.services import api_key_create
from tickets.models import Project
from tickets.services.instance_keys import instance_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for a user of an organization (--org, --email; the user is created if needed; "
        'roles default to "Metrics API"), or a ticketing instance key (--project; primary, or secondary '
        "with --read-only). The key is printed as the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Organization slug.")
        parser.add_argument("--email", help="The user's email (also the username of a new user).")
        parser.add_argument("--role", action="append", dest="roles", help="Role (group) to grant; repeatable.")
        parser.add_argument("--read-only", action="store_true", help="A key that cannot write.")
        parser.add_argument("--name", default="", help="A name for the key.")
        parser.add_argument("--project", type=int, help="Ticketing instance (project) id: make an instance key.")

    def handle(self, *args, org, email, roles, read_only, name, project, **options):
        if project is not None:
            if org or email or roles:
                raise CommandError("--project makes an instance key; it takes no --org, --email or --role.")
            instance = Project.objects.filter(id=project).first()
            if instance is None:
                raise CommandError(f"No project with id {project}.")
            _, plaintext = instance_key_create(project=instance, read_only=read_only, name=name)
            kind = "secondary (read-only)" if read_only else "primary (read/write)"
            self.stdout.write(f"Ticketing instance key, {kind}, for project {instance.id} ({instance.key}):")
            self.stdout.write(plaintext)
            return
        if not org or not email:
            raise CommandError("Give --org and --email (or --project for an instance key).")
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org!r}.")
        try:
            key, plaintext = api_key_create(
                organization=organization, email=email, roles=roles, read_only=read_only, name=name or "API key"
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"API key {key.prefix} for {email} in {organization.slug} (shown once):")
        self.stdout.write(plaintext)
