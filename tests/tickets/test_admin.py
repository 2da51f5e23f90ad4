"""The admin of ticketing instance keys: a new key is shown once, belongs to its instance's
organization, and rotates the previous key of its kind."""

import pytest

from tests.support.factories import ProjectFactory, UserFactory
from tickets.models import InstanceApiKey
from tickets.services.instance_keys import instance_key_create

pytestmark = pytest.mark.django_db


def _add(client, project, *, read_only: bool):
    data = {"name": "k", "project": project.id, "expiry_date_0": "", "expiry_date_1": ""}
    if read_only:
        data["read_only"] = "on"
    return client.post("/admin/tickets/instanceapikey/add/", data, follow=True)


@pytest.mark.parametrize("superuser", [False, True])
def test_adding_a_key_in_the_admin_rotates_the_previous_one_of_its_kind(client, organization, superuser):
    project = ProjectFactory(organization=organization, kind="helpdesk")
    user = UserFactory(
        organization=None if superuser else organization, is_staff=True, roles=[] if superuser else ["Admin"]
    )
    if superuser:
        user.is_superuser = True
        user.save()
    old_primary = instance_key_create(project=project, read_only=False)[0]
    secondary = instance_key_create(project=project, read_only=True)[0]
    client.force_login(user)

    response = _add(client, project, read_only=False)

    assert response.status_code == 200
    new = InstanceApiKey.objects.exclude(pk__in=[old_primary.pk, secondary.pk]).get()
    assert new.organization == organization and not new.read_only and not new.revoked
    assert any(new.prefix in str(m) for m in response.context["messages"])  # shown once
    old_primary.refresh_from_db()
    secondary.refresh_from_db()
    assert old_primary.revoked and not secondary.revoked
    assert InstanceApiKey.objects.filter(project=project, revoked=False).count() == 2


def test_only_manage_user_permissions_holders_manage_instance_keys(client, organization):
    project = ProjectFactory(organization=organization, kind="helpdesk")
    key = instance_key_create(project=project, read_only=False)[0]
    client.force_login(UserFactory(organization=organization, is_staff=True, roles=[]))
    assert client.get("/admin/tickets/instanceapikey/").status_code == 403
    assert _add(client, project, read_only=False).status_code == 403
    assert InstanceApiKey.objects.get().pk == key.pk and not InstanceApiKey.objects.get().revoked


def test_an_admin_cannot_make_a_key_for_another_organizations_instance(client, organization):
    foreign = ProjectFactory(kind="helpdesk")
    client.force_login(UserFactory(organization=organization, is_staff=True, roles=["Admin"]))
    response = _add(client, foreign, read_only=False)
    assert response.status_code == 200 and response.context["adminform"].form.errors["project"]
    assert not InstanceApiKey.objects.exists()
