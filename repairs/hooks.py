"""Hooks higher layers register to act on repairs' events without repairs importing them.

A function registered with ``register_ticket_created`` is called with the new ticket at the
end of ``repairs.services.ticket_create``, inside its transaction (an exception it raises
undoes the ticket too, so a hook that must never block a report catches its own errors)."""

from __future__ import annotations

from collections.abc import Callable

_ticket_created: list[Callable] = []


def register_ticket_created(fn: Callable) -> Callable:
    """Add ``fn(ticket)`` to the functions called when a ticket is created (once per fn)."""
    if fn not in _ticket_created:
        _ticket_created.append(fn)
    return fn


def ticket_created(ticket) -> None:
    for fn in list(_ticket_created):
        fn(ticket)
