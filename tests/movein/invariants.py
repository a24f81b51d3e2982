"""The booking counts add up (residents/movein/models.py's docstring), checked after tests."""

from django.db.models import Count, Q

from residents.movein.models import BookedDay, BookedSlot

LIVE = ~Q(handovers__status="cancelled")


def assert_booking_invariants() -> None:
    for slot in BookedSlot.objects.annotate(live=Count("handovers", filter=LIVE)):
        assert slot.booked == slot.live, f"slot {slot.pk}: booked {slot.booked} != {slot.live}"
        assert slot.booked <= slot.capacity
    for day in BookedDay.objects.annotate(
        live=Count("slots__handovers", filter=~Q(slots__handovers__status="cancelled"))
    ):
        assert day.booked == day.live, f"day {day.date}: booked {day.booked} != {day.live}"
        assert day.booked <= day.capacity
