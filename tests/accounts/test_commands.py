"""create_api_key prints a working key as its last line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiKey, User
from tests.support.factories import bearer_client
from tickets.models import InstanceApiKey

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_creates_the_user_grants_metrics_api_and_prints_a_working_key(organization):
    key = run("--org", "acme", "--email", "bi@acme.test")[-1]
    user = User.objects.get(email="bi@acme.test")
    assert user.organization == organization
    assert list(user.groups.values_list("name", flat=True)) == ["Metrics API"]
    client = bearer_client(key)
    assert client.get("/ticket-delivery/ticket-log").status_code == 200


def test_roles_and_read_only(organization):
    run("--org", "acme", "--email", "boss@acme.test", "--role", "Admin", "--read-only")
    key = ApiKey.objects.get(user__email="boss@acme.test")
    assert key.read_only
    assert list(key.user.groups.values_list("name", flat=True)) == ["Admin"]


def test_second_key_for_the_same_user(organization):
    run("--org", "acme", "--email", "bi@acme.test")
    run("--org", "acme", "--email", "bi@acme.test")
    assert User.objects.filter(email="bi@acme.test").count() == 1
    assert ApiKey.objects.filter(user__email="bi@acme.test").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope", "--email", "a@b.test"], "No organization"),
        (["--org", "acme", "--email", "a@b.test", "--role", "Wizard"], "Unknown role"),
        (["--org", "acme"], "Give --org and --email"),
        (["--project", "999"], "No project"),
    ],
)
def test_bad_arguments_are_clear_errors(organization, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert ApiKey.objects.count() == 0


def test_instance_keys_primary_and_secondary_with_rotation(project):
    primary = run("--project", str(project.id))[-1]
    run("--project", str(project.id), "--read-only")
    rotated = run("--project", str(project.id))[-1]
    assert primary != rotated
    keys = InstanceApiKey.objects.filter(project=project)
    assert keys.filter(read_only=False, revoked=False).count() == 1
    assert keys.filter(read_only=True, revoked=False).count() == 1
    assert InstanceApiKey.objects.get_from_key(rotated).read_only is False
