"""Receipt and reversal counters move to the one sequence table (estate.Sequence), named
``fees:<prefix><year>``, so numbering carries on from where it was."""

from django.db import migrations


def forwards(apps, schema_editor):
    NumberSequence = apps.get_model("fees", "NumberSequence")
    Sequence = apps.get_model("estate", "Sequence")
    Sequence.objects.bulk_create(
        [
            Sequence(estate_id=row.estate_id, name=f"fees:{row.name}", value=row.value)
            for row in NumberSequence.objects.all()
        ],
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    NumberSequence = apps.get_model("fees", "NumberSequence")
    Sequence = apps.get_model("estate", "Sequence")
    NumberSequence.objects.bulk_create(
        [
            NumberSequence(estate_id=row.estate_id, name=row.name[5:], value=row.value)
            for row in Sequence.objects.filter(name__startswith="fees:")
        ],
        batch_size=1000,
    )
    Sequence.objects.filter(name__startswith="fees:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("estate", "0002_sequence"),
        ("fees", "0002_bill_fewer_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
