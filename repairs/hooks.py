"""Hooks higher layers register to act on repairs' events without repairs importing them.

A function registered with ``register_ticket_created`` is called with the new ticket at the
end of ``repairs.services.ticket_create``, inside its transaction (an exception it raises
undoes the ticket too, so a hook that must never block a report catches its own errors).
One registered with ``register_ticket_resolved`` is called as ``fn(ticket, by=, now=)`` at the
end of ``repairs.services.ticket_resolve`` (every resolution: the ticket page, the API, a
sub-app's own page), under the ticket's row lock and inside its transaction."""

from __future__ import annotations

from collections.abc import Callable

_ticket_created: list[Callable] = []
_ticket_resolved: list[Callable] = []


def register_ticket_created(fn: Callable) -> Callable:
    """Add ``fn(ticket)`` to the functions called when a ticket is created (once per fn)."""
    if fn not in _ticket_created:
        _ticket_created.append(fn)
    return fn


def ticket_created(ticket) -> None:
    for fn in list(_ticket_created):
        fn(ticket)


def register_ticket_resolved(fn: Callable) -> Callable:
    """Add ``fn(ticket, by=, now=)`` to the functions called when a ticket is resolved."""
    if fn not in _ticket_resolved:
        _ticket_resolved.append(fn)
    return fn


def ticket_resolved(ticket, *, by, now) -> None:
    for fn in list(_ticket_resolved):
        fn(ticket, by=by, now=now)
