"""Rate limits per client address, kept in the shared cache (Redis in production), so that a
limit holds across every web worker."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited


def client_ip(request) -> str:
    """The client's address. Behind our reverse proxy (BEHIND_PROXY=1) it is the last
    X-Forwarded-For entry, the one the proxy itself added; anything before it is client-made."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _ip_key(group, request) -> str:
    return client_ip(request)


def over_limit(request, *, group: str, rate: str, increment: bool = True) -> bool:
    """True when this client has used up ``rate`` (e.g. ``"20/h"``) for ``group``."""
    if not settings.RATELIMIT_ENABLE:
        return False
    return is_ratelimited(
        request, group=group, key=_ip_key, rate=rate, method=is_ratelimited.ALL, increment=increment
    )
