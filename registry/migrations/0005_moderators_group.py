from django.db import migrations

MODERATORS = "moderators"


def create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=MODERATORS)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_accounts"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
