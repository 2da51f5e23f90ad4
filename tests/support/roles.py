"""The roles the accounts migration creates ("Metrics API", "Admin"), brought back where a
transactional test emptied the database before: the flush keeps no migration's rows, and post_migrate
restores the permissions but not the roles."""

from importlib import import_module

from django.contrib.auth.models import Group, Permission

_roles_migration = import_module("accounts.migrations.0002_roles")


def role(name: str) -> Group:
    """The role called `name`, created with its migration's permissions when it is missing."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        _restore_roles()
        group = Group.objects.get(name=name)
    return group


def _restore_roles() -> None:
    def permission(app_label: str, codename: str) -> Permission:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    metrics_role, _ = Group.objects.get_or_create(name=_roles_migration.METRICS_API_ROLE)
    metrics_role.permissions.add(permission("accounts", "use_metrics_api"))
    admin_role, _ = Group.objects.get_or_create(name=_roles_migration.ADMIN_ROLE)
    admin_role.permissions.add(*(permission(app, code) for app, code in _roles_migration.ADMIN_ROLE_PERMISSIONS))
