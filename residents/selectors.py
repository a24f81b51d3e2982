"""Reads of resident files."""

from django.db.models import Q, QuerySet

from estate import privacy
from estate.models import Estate
from residents.models import Resident


def resident_search(*, estate: Estate, q: str) -> QuerySet[Resident]:
    """Residents by name, full mobile number, or its last four digits."""
    q = (q or "").strip()
    qs = Resident.objects.filter(estate=estate)
    if not q:
        return qs.none()
    digits = "".join(ch for ch in q if ch.isdigit())
    cond = Q(name__icontains=q)
    if len(digits) == 11:
        cond |= Q(phone_index=privacy.blind_index(digits))
    elif len(digits) == 4:
        cond |= Q(phone_last4=digits)
    return qs.filter(cond).prefetch_related("occupancies__unit").order_by("name")
