"""Records that must outlive the people and places they mention.

Money and audit records (bills, payments, allocations, reversals, unit accounts, access logs,
ticket history, return visits, document counters) point to estates, units and tickets with
``PROTECT``: deleting an estate or a unit that has any is refused (``ProtectedError``; the admin
names the records that block it) and nothing is deleted. Where such a record points to a *user*
the key is ``SET_NULL`` and a text column ``<field>_name`` beside it keeps who it was: before a
user is deleted, :func:`keep_user_names` writes the user's name into every such column.
"""

from django.conf import settings
from django.db import models


def user_display_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:150]


def name_columns() -> list[tuple[type[models.Model], str, str]]:
    """(model, foreign key, name column) for every user key that is emptied on delete."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.remote_field.model._meta.label == settings.AUTH_USER_MODEL
                and field.remote_field.on_delete is models.SET_NULL
                and f"{field.name}_name" in names
            ):
                found.append((model, field.name, f"{field.name}_name"))
    return found


def keep_user_names(sender, instance, using=None, **kwargs) -> None:
    """pre_delete of the user model: copy the name into the records before the keys empty."""
    name = user_display_name(instance)
    for model, fk, column in name_columns():
        model._base_manager.using(using).filter(**{fk: instance}, **{column: ""}).update(
            **{column: name}
        )
