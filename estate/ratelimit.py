"""Rate limits per client address (and per phone number where a code is sent), kept in the
shared cache (Redis in production) so that a limit holds across every web worker.

When the shared cache cannot be reached, the counters fall back to the database cache (the
``fallback`` cache alias, a table every deployment has), so the residents' pages keep working
with their limits instead of failing. The counter is a fixed window: ``add`` then ``incr``,
both atomic in Redis and in Django's database cache.

The client address is ``REMOTE_ADDR`` unless the request came from a trusted proxy
(``TRUSTED_PROXIES``: addresses or networks): only then is ``X-Forwarded-For`` read, from the
right, skipping the trusted proxies' own entries. A client that talks to gunicorn directly
cannot choose its address by sending the header. django-axes uses the same address."""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger("estatedesk.ratelimit")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@lru_cache(maxsize=8)
def _trusted(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in _trusted(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, when that is a trusted proxy, the right-most
    ``X-Forwarded-For`` entry that is not itself a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.TRUSTED_PROXIES or not _is_trusted(remote):
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for entry in reversed([p for p in forwarded if p]):
        if not _is_trusted(entry):
            try:
                return str(ipaddress.ip_address(entry))
            except ValueError:
                return remote  # a malformed entry: the proxy's own address, not a made-up one
    return remote


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/h"`` → (20, 3600); ``"5/10m"`` → (5, 600)."""
    count, _, per = rate.partition("/")
    number = "".join(ch for ch in per if ch.isdigit()) or "1"
    unit = per[len(per.rstrip("smhd")) :] or "s"
    return int(count), int(number) * _UNITS[unit[-1]]


def _hit(cache, key: str, period: int, increment: bool) -> int:
    if not increment:
        return int(cache.get(key) or 0)
    cache.add(key, 0, period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, period + 1)
        return 1


def over(key: str, *, rate: str, increment: bool = True) -> bool:
    """Count one use of ``key`` (unless ``increment`` is off) and say whether ``rate`` is used
    up in the current window. Shared cache first, the database cache when it is down."""
    if not settings.RATELIMIT_ENABLE:
        return False
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    full_key = f"rl:{key}:{window}"
    try:
        used = _hit(caches["default"], full_key, period, increment)
    except Exception as exc:  # noqa: BLE001 - any cache failure: fall back, never fail open
        log.warning("shared cache unreachable for rate limits (%s); using the database", exc)
        used = _hit(caches["fallback"], full_key, period, increment)
    return used > limit


def over_limit(request, *, group: str, rate: str, increment: bool = True) -> bool:
    """True when this client has used up ``rate`` (e.g. ``"20/h"``) for ``group``."""
    return over(f"{group}:ip:{client_ip(request)}", rate=rate, increment=increment)
