import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """PersonCodingDay moves here from the metrics app; its table keeps its name."""

    dependencies = [
        ("accounts", "0001_initial"),
        ("coding", "0002_git_import"),
        ("metrics", "0002_personcodingday_to_coding"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PersonCodingDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("commits", models.PositiveIntegerField(default=0)),
                        ("additions", models.PositiveIntegerField(default=0)),
                        ("deletions", models.PositiveIntegerField(default=0)),
                        ("haloc", models.PositiveIntegerField(default=0)),
                        ("new_work_lines", models.PositiveIntegerField(default=0)),
                        ("rework_lines", models.PositiveIntegerField(default=0)),
                        ("help_others_lines", models.PositiveIntegerField(default=0)),
                        ("legacy_refactor_lines", models.PositiveIntegerField(default=0)),
                        ("impact", models.FloatField(default=0)),
                        (
                            "organization",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="accounts.organization"),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.person"
                            ),
                        ),
                        (
                            "repository",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="coding.repository"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "metrics_personcodingday",
                        "ordering": ["day", "person_id", "repository_id", "id"],
                        "indexes": [models.Index(fields=["organization", "day"], name="coding_day_org_day")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organization", "person", "repository", "day"), name="coding_day_unique"
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
