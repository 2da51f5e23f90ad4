"""The admin confines an organization's staff to their organization on every ModelAdmin: the
changelists, the change pages, every choice of a form (inlines, many-to-many and raw id fields
included) and the list filters. Roles are shared by every organization: only superusers change them."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission

from accounts.models import Organization, Person, User
from tests.support.factories import UserFactory
from tests.support.organizations import build
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _has_organization(model) -> bool:
    return model is Organization or any(f.name == "organization" for f in model._meta.fields)


SCOPED = sorted(
    (model for model in admin.site._registry if _has_organization(model)), key=lambda m: m._meta.label_lower
)


def _url(model, *parts) -> str:
    return "/admin/{}/{}/{}".format(model._meta.app_label, model._meta.model_name, "".join(f"{p}/" for p in parts))


def _rows_of(model, organization):
    if model is Organization:
        return Organization.objects.filter(id=organization.id)
    rows = model._default_manager.filter(organization=organization)
    return rows.filter(is_superuser=False) if model is User else rows


@pytest.fixture
def orgs():
    return build("alpha"), build("beta")


@pytest.fixture
def staff(orgs, client):
    """A staff user of alpha holding every permission of every model (not a superuser)."""
    alpha, _ = orgs
    user = UserFactory(organization=alpha.organization, is_staff=True, roles=["Admin"])
    user.user_permissions.add(*Permission.objects.all())
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label_lower)
def test_the_changelist_shows_only_the_organizations_rows(client, orgs, staff, model):
    alpha, beta = orgs
    assert _rows_of(model, beta.organization).exists(), "nothing of B's to hide: extend tests/organizations.py"
    response = client.get(_url(model), {"all": ""})
    assert response.status_code == 200
    changelist = response.context["cl"]
    shown = changelist.queryset
    assert sorted(shown.values_list("pk", flat=True)) == sorted(
        _rows_of(model, alpha.organization).values_list("pk", flat=True)
    )
    for spec in changelist.filter_specs:
        choices = getattr(spec, "lookup_choices", None)
        related = getattr(getattr(spec, "field", None), "related_model", None)
        if choices and related is not None and _has_organization(related):
            assert {str(pk) for pk, _ in choices} <= {
                str(pk) for pk in _rows_of(related, alpha.organization).values_list("pk", flat=True)
            }, spec.title


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label_lower)
def test_another_organizations_object_cannot_be_opened(client, orgs, staff, model):
    _, beta = orgs
    foreign = _rows_of(model, beta.organization).first()
    if foreign is None:
        pytest.fail(f"the demo organization has no {model._meta.verbose_name}: extend tests/organizations.py")
    for view in ("change", "delete", "history"):
        response = client.get(_url(model, foreign.pk, view))
        assert response.status_code == 302, (view, response.status_code)
        assert response.url == "/admin/"
    response = client.post(_url(model, foreign.pk, "delete"), {"post": "yes"})
    assert model._default_manager.filter(pk=foreign.pk).exists()


def _choice_fields(response):
    """The choice fields of the page's form and of each inline's new-row form (less the inline
    row's own hidden id, which Django never reads on a new row)."""
    forms = [(response.context["adminform"].form, None)]
    forms += [
        (inline.formset.empty_form, inline.formset.model._meta.pk.name)
        for inline in response.context["inline_admin_formsets"]
    ]
    for form, own_pk in forms:
        for name, field in form.fields.items():
            if hasattr(field, "queryset") and name != own_pk:
                yield name, field.queryset


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label_lower)
def test_every_choice_of_a_form_is_the_organizations_own(client, orgs, staff, model):
    alpha, beta = orgs
    own = _rows_of(model, alpha.organization).first()
    pages = [_url(model, own.pk, "change")]
    if model._meta.model_name not in ("ticketmetrics", "ticket"):  # not added in the admin
        pages.append(_url(model, "add"))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for name, queryset in _choice_fields(response):
            if _has_organization(queryset.model):
                assert not queryset.filter(pk__in=_rows_of(queryset.model, beta.organization)).exists(), (page, name)


def test_a_foreign_id_in_a_raw_id_field_is_refused_and_not_named(client, orgs, staff):
    alpha, beta = orgs
    ticket = alpha.ticket
    page = client.get(_url(Ticket, ticket.pk, "change"))
    form = page.context["adminform"].form
    payload = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        payload[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        payload.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
    payload["assignee"] = str(beta.person.pk)
    response = client.post(_url(Ticket, ticket.pk, "change"), payload)
    assert response.status_code == 200
    assert "assignee" in response.context["adminform"].form.errors
    assert f"/admin/accounts/person/{beta.person.pk}/change/" not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee_id != beta.person.pk


def test_org_staff_never_see_nor_change_a_superuser_of_their_organization(client, orgs, staff):
    alpha, _ = orgs
    operator = UserFactory(organization=alpha.organization, is_staff=True, is_superuser=True, roles=[])
    assert operator.pk not in client.get("/admin/accounts/user/").context["cl"].queryset.values_list("pk", flat=True)
    assert client.get(f"/admin/accounts/user/{operator.pk}/password/").status_code == 404
    response = client.post(
        f"/admin/accounts/user/{operator.pk}/password/", {"password1": "Takeover-123", "password2": "Takeover-123"}
    )
    operator.refresh_from_db()
    assert not operator.check_password("Takeover-123")
    assert response.status_code == 404


def test_org_staff_cannot_make_anyone_a_superuser(client, orgs, staff):
    alpha, _ = orgs
    colleague = UserFactory(organization=alpha.organization)
    page = client.get(f"/admin/accounts/user/{colleague.pk}/change/")
    assert "is_superuser" not in page.context["adminform"].form.fields
    assert "user_permissions" not in page.context["adminform"].form.fields
    client.post(
        f"/admin/accounts/user/{colleague.pk}/change/",
        {"username": colleague.username, "is_superuser": "on", "is_active": "on", "date_joined_0": "2024-01-01",
         "date_joined_1": "00:00:00"},
    )  # fmt: skip
    colleague.refresh_from_db()
    assert not colleague.is_superuser


def test_roles_are_shared_so_only_superusers_change_them(client, orgs, staff):
    metrics_role = Group.objects.get(name="Metrics API")
    permissions = set(metrics_role.permissions.values_list("pk", flat=True))
    assert client.get("/admin/auth/group/").status_code == 200  # roles are visible, to assign them
    assert client.get("/admin/auth/group/add/").status_code == 403
    response = client.post(f"/admin/auth/group/{metrics_role.pk}/change/", {"name": "Metrics API", "permissions": []})
    assert response.status_code == 403
    assert set(metrics_role.permissions.values_list("pk", flat=True)) == permissions
    assert client.post(f"/admin/auth/group/{metrics_role.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Group.objects.filter(pk=metrics_role.pk).exists()


def test_non_staff_cannot_reach_the_admin(client, orgs):
    alpha, _ = orgs
    client.force_login(UserFactory(organization=alpha.organization, roles=["Admin"]))
    for url in ("/admin/", "/admin/tickets/ticket/", f"/admin/accounts/person/{alpha.person.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    assert Person.objects.filter(pk=alpha.person.pk).exists()
