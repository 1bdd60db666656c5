"""ImportJob, moved here from the registry (registry 0014 renamed its table); no database change."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import imports.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0014_move_imports_and_exports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=20, verbose_name="format")),
                        (
                            "options",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="what the importer is built with, e.g. the administrator",
                                verbose_name="options",
                            ),
                        ),
                        ("file", models.FileField(upload_to=imports.models.import_file_path, verbose_name="file")),
                        ("dry_run", models.BooleanField(default=True, verbose_name="dry run")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "waiting for a worker"),
                                    ("running", "running"),
                                    ("done", "done"),
                                    ("failed", "failed"),
                                ],
                                default="queued",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("rows", models.PositiveIntegerField(default=0)),
                        ("created", models.PositiveIntegerField(default=0)),
                        ("updated", models.PositiveIntegerField(default=0)),
                        ("unchanged", models.PositiveIntegerField(default=0)),
                        (
                            "problems",
                            models.JSONField(default=list, help_text="[[row, column, message], …], the first 1,000"),
                        ),
                        ("problem_count", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "confirms",
                            models.OneToOneField(
                                blank=True,
                                help_text="the dry run this import was confirmed from",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="confirmed_by",
                                to="imports.importjob",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"verbose_name": "import", "verbose_name_plural": "imports", "ordering": ["-created_at", "-id"]},
                ),
            ]
        )
    ]
