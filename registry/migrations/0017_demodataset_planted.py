from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0016_same_limits_on_every_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="demodataset",
            name="planted",
            field=models.JSONField(blank=True, default=dict, verbose_name="planted cases"),
        ),
    ]
