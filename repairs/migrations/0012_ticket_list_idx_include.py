"""``ticket_list_idx`` carries ``kind`` and ``status`` (PostgreSQL's ``INCLUDE``): the ticket
list's page and count filtered by kind or status read the index alone (an index-only scan),
not an estate's scattered rows. PostgreSQL only, under the same name: the index Django knows
(``Ticket.Meta.indexes``) is unchanged, so SQLite, which has no non-key index columns, keeps
its plain index and ``check`` stays clean there."""

from django.db import migrations

PLAIN = "CREATE INDEX ticket_list_idx ON repairs_ticket (estate_id, reported_at DESC, id DESC)"


def include(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_list_idx")
    schema_editor.execute(PLAIN + " INCLUDE (kind, status)")


def plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS ticket_list_idx")
    schema_editor.execute(PLAIN)


class Migration(migrations.Migration):
    dependencies = [("repairs", "0011_desk_restored_event")]

    operations = [migrations.RunPython(include, plain, elidable=False)]
