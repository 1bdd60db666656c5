"""ExportFile, moved here from the registry (registry 0014 renamed its table); no database change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("registry", "0014_move_imports_and_exports")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportFile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=20, unique=True, verbose_name="format")),
                        ("filename", models.CharField(max_length=100, verbose_name="file name")),
                        ("generated_at", models.DateTimeField(verbose_name="generated")),
                        ("size", models.PositiveBigIntegerField(verbose_name="size, bytes")),
                        ("rows", models.PositiveIntegerField(verbose_name="records")),
                        ("seconds", models.FloatField(verbose_name="took, seconds")),
                    ],
                    options={"verbose_name": "download", "verbose_name_plural": "downloads", "ordering": ["kind"]},
                ),
            ]
        )
    ]
