"""Only holders of "Manage User Permissions" manage keys and roles; admins see their organization only."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

from accounts.models import ApiKey
from tests.support.factories import ApiKeyFactory, OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin(organization):
    return UserFactory(organization=organization, is_staff=True, roles=["Admin"])


@pytest.fixture
def staff_without_manage(organization):
    user = UserFactory(organization=organization, is_staff=True, roles=[])
    user.user_permissions.add(*Group.objects.get(name="Admin").permissions.exclude(codename="manage_user_permissions"))
    return user


def test_org_admin_creates_a_key_and_sees_it_once(client, org_admin, organization):
    client.force_login(org_admin)
    holder = UserFactory(organization=organization)
    response = client.post(
        "/admin/accounts/apikey/add/", {"name": "BI", "user": holder.id, "expiry_date_0": "", "expiry_date_1": ""},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    key = ApiKey.objects.get(name="BI")
    assert key.organization == organization
    messages = [str(m) for m in response.context["messages"]]
    assert any(key.prefix in m and "will not be able to see it again" in m for m in messages)


def test_staff_without_manage_user_permissions_cannot_touch_keys_or_roles(client, staff_without_manage):
    client.force_login(staff_without_manage)
    assert client.get("/admin/accounts/apikey/").status_code == 403
    assert client.get("/admin/accounts/apikey/add/").status_code == 403
    user = UserFactory(organization=staff_without_manage.organization)
    response = client.post(f"/admin/accounts/user/{user.id}/change/", {"groups": [Group.objects.get(name="Admin").id]})
    assert response.status_code == 403
    assert not user.groups.filter(name="Admin").exists()


def test_org_admin_sees_only_their_organization(client, org_admin, organization):
    other = OrganizationFactory()
    foreign_key = ApiKeyFactory(user__organization=other)
    own_key = ApiKeyFactory(user__organization=organization)
    PersonFactory(organization=other, name="Stranger")
    client.force_login(org_admin)
    page = client.get("/admin/accounts/apikey/").content.decode()
    assert own_key.prefix in page and foreign_key.prefix not in page
    assert "Stranger" not in client.get("/admin/accounts/person/").content.decode()
    assert client.get(f"/admin/accounts/apikey/{foreign_key.pk}/change/").status_code == 302


def test_the_organization_list_shows_the_last_metrics_rebuild(client, organization):
    from metrics.services import organization_metrics_rebuild

    client.force_login(UserFactory(organization=organization, is_staff=True, is_superuser=True))

    def shown() -> str:
        body = client.get("/admin/accounts/organization/").content.decode()
        return body.split('class="field-metrics_computed_at nowrap">')[1].split("<")[0]

    assert shown() == "-"  # never rebuilt
    organization_metrics_rebuild(organization_id=organization.id, now=datetime(2024, 6, 1, 10, tzinfo=UTC))
    assert shown() == "June 1, 2024, 10 a.m."
