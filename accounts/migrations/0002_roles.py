"""Creates the roles "Metrics API" and "Admin" (docs/running.md, "The admin and organizations")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

METRICS_API_ROLE = "Metrics API"
ADMIN_ROLE = "Admin"
ADMIN_ROLE_PERMISSIONS = [
    ("accounts", "use_metrics_api"),
    ("accounts", "manage_user_permissions"),
    ("accounts", "view_user"),
    ("accounts", "change_user"),
    ("accounts", "add_user"),
    ("accounts", "add_apikey"),
    ("accounts", "change_apikey"),
    ("accounts", "view_apikey"),
    ("accounts", "delete_apikey"),
    ("auth", "view_group"),
]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    metrics_role, _ = Group.objects.get_or_create(name=METRICS_API_ROLE)
    metrics_role.permissions.add(permission("accounts", "use_metrics_api"))
    admin_role, _ = Group.objects.get_or_create(name=ADMIN_ROLE)
    admin_role.permissions.add(*(permission(app, codename) for app, codename in ADMIN_ROLE_PERMISSIONS))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[METRICS_API_ROLE, ADMIN_ROLE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
