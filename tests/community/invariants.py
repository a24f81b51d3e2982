"""Event invariants that span rows (see community/models/__init__.py)."""

from django.db.models import Sum

from community.models import Event, SignUp


def assert_event_invariants() -> None:
    for event in Event.objects.all():
        confirmed = (
            SignUp.objects.filter(event=event, status=SignUp.Status.CONFIRMED).aggregate(
                s=Sum("people")
            )["s"]
            or 0
        )
        assert event.confirmed_places == confirmed, event
        assert 0 <= event.confirmed_places <= event.capacity, event
        first_waiting = (
            SignUp.objects.filter(event=event, status=SignUp.Status.WAITLISTED)
            .order_by("created_at", "id")
            .first()
        )
        if first_waiting is not None:
            assert event.confirmed_places + first_waiting.people > event.capacity, event
