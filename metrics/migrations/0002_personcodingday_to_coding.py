from django.db import migrations


class Migration(migrations.Migration):
    """PersonCodingDay now belongs to the coding app; its table keeps its name."""

    dependencies = [("metrics", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PersonCodingDay")], database_operations=[]
        )
    ]
