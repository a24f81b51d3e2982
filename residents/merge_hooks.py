"""Re-pointers run when two resident files are merged: an app whose records point at a
Resident registers ``fn(from_resident_id, to_resident_id)`` from its AppConfig.ready(), so
residents can move them without importing that app. Each runs inside the merge's
transaction; what it returns (a count) is written in the merge's history."""

from collections.abc import Callable

_HOOKS: dict[str, Callable[[int, int], int | None]] = {}


def register_merge_hook(name: str, fn: Callable[[int, int], int | None]) -> None:
    _HOOKS[name] = fn


def run_merge_hooks(from_resident_id: int, to_resident_id: int) -> dict[str, int]:
    return {
        name: int(fn(from_resident_id, to_resident_id) or 0) for name, fn in sorted(_HOOKS.items())
    }
