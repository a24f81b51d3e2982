"""Resident files for tests: a complete file by default, each test states what differs."""

import datetime as dt
import itertools

from residents.services import FileData, resident_file_create

_seq = itertools.count(1)
# Valid GB 11643 numbers (check digit right).
ID_1 = "11010519491231002X"
ID_2 = "110101199003071233"


def phone_n(n: int | None = None) -> str:
    return f"139{(n if n is not None else next(_seq)):08d}"


def make_resident(estate, *, units=(), primary=True, by=None, **fields):
    data = {
        "name": "王伟",
        "phone": phone_n(),
        "move_in_date": dt.date(2025, 3, 1),
        "emergency_contact": "王芳",
        "emergency_phone": phone_n(),
    } | fields
    return resident_file_create(
        estate=estate, data=FileData(**data), units=list(units), primary=primary, by=by
    )
