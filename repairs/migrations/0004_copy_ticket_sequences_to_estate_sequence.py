"""Ticket counters move to the one sequence table (estate.Sequence), named
``repairs:<prefix>-<yymm>``, so numbering carries on from where it was."""

from django.db import migrations


def forwards(apps, schema_editor):
    TicketSequence = apps.get_model("repairs", "TicketSequence")
    Sequence = apps.get_model("estate", "Sequence")
    Sequence.objects.bulk_create(
        [
            Sequence(
                estate_id=row.estate_id, name=f"repairs:{row.prefix}-{row.month}", value=row.last
            )
            for row in TicketSequence.objects.all()
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    TicketSequence = apps.get_model("repairs", "TicketSequence")
    Sequence = apps.get_model("estate", "Sequence")
    rows = Sequence.objects.filter(name__startswith="repairs:")
    TicketSequence.objects.bulk_create(
        [
            TicketSequence(
                estate_id=row.estate_id,
                prefix=row.name[8:].split("-")[0],
                month=row.name[8:].split("-")[1],
                last=row.value,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("estate", "0002_sequence"),
        ("repairs", "0003_rates_covering_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
