"""ImportJob moves to the imports app and ExportFile to opendata: the tables are renamed, rows kept."""

from django.db import migrations


def _content_types(apps, schema_editor, moves):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, (old, new) in moves.items():
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _content_types(apps, schema_editor, {"importjob": ("registry", "imports"), "exportfile": ("registry", "opendata")})


def backwards(apps, schema_editor):
    _content_types(apps, schema_editor, {"importjob": ("imports", "registry"), "exportfile": ("opendata", "registry")})


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0013_registered_sort_key"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="importjob", table="imports_importjob"),
        migrations.AlterModelTable(name="exportfile", table="opendata_exportfile"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="importjob"), migrations.DeleteModel(name="exportfile")]
        ),
        migrations.RunPython(forwards, backwards),
    ]
