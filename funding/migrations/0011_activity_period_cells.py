"""The explorer's cells keep the years of their awards' activity (funding.rollups.ACTIVITY_PERIOD), so the
active_from/active_to filters on whole years are sums of cells too.

The cells counted before have no such years: they are emptied and the rollup marked as never built, so the
explorer counts the awards themselves (the same figures, slower) until the next rebuild: the nightly summaries
run, seed_demo or `manage.py rebuild_funding_rollups`."""

from django.db import migrations, models


def forget_the_cells(apps, schema_editor):
    for name in ("AwardCell", "RecipientCell"):
        apps.get_model("funding", name).objects.all().delete()
    apps.get_model("funding", "RecipientTotal").objects.all().delete()
    apps.get_model("funding", "RollupState").objects.update(awards_through=None, built_at=None, longest_activity=0)


class Migration(migrations.Migration):
    dependencies = [("funding", "0010_recipient_totals")]

    operations = [
        migrations.AddField(
            model_name="awardcell",
            name="start_year",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="awardcell",
            name="end_year",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="recipientcell",
            name="start_year",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="recipientcell",
            name="end_year",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rollupstate",
            name="longest_activity",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="awardcell",
            index=models.Index(fields=["end_year", "start_year"], name="award_cell_period"),
        ),
        migrations.AddIndex(
            model_name="recipientcell",
            index=models.Index(
                fields=["end_year", "start_year", "year", "recipient", "amount", "awards"],
                name="recipient_cell_period",
            ),
        ),
        # after the schema's changes: PostgreSQL alters no table with deletions pending in the transaction
        migrations.RunPython(forget_the_cells, migrations.RunPython.noop),
    ]
