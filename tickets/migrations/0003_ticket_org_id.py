"""`ticket_org_id` (organization, id): the ticket log's default ordering, its page-id read and its
count, index-only (docs/flow-ticket-log.md, "Paging cost"). It replaces the single-column index of
the organization foreign key, dropped by name after the new one exists: a plain `AlterField` would
drop and re-add (and re-validate) the foreign key constraint, a scan of the table."""

import django.db.models.deletion
from django.db import migrations, models

OLD_INDEX = "tickets_ticket_organization_id_7128da48"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("tickets", "0002_ticketing_api"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["organization", "id"], name="ticket_org_id"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, to="accounts.organization"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{OLD_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{OLD_INDEX}" ON "tickets_ticket" ("organization_id")',
                ),
            ],
        ),
    ]
