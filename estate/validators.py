"""Validators shared by every app: mainland mobile numbers, GB 11643 ID numbers, text that can be
stored, and the windows dates and moments must fall in."""

import datetime as dt
import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from estate.errors import DomainError
from estate.localtime import local_date


def normalize_mobile(value: str | None, *, field: str = "phone") -> str:
    """An 11-digit mainland China mobile number (``13812345678``), or a DomainError on
    ``field``. Accepts spaces, dashes, a +86 / 0086 prefix and full-width digits (what a
    Chinese input method types)."""
    value = unicodedata.normalize("NFKC", value or "")
    raw = "".join(ch for ch in value if ch.isascii() and (ch.isdigit() or ch == "+"))
    if raw.startswith("0086"):
        raw = "+86" + raw[4:]
    digits = raw.removeprefix("+86")
    if len(digits) != 11 or not digits.isdigit() or not digits.startswith("1"):
        raise DomainError(
            "invalid", _("Enter an 11-digit mainland mobile number, e.g. 13812345678."), field=field
        )
    try:
        parsed = phonenumbers.parse("+86" + digits)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise DomainError(
            "invalid", _("%(n)s is not a mainland mobile number.") % {"n": digits}, field=field
        )
    return digits


def normalize_phone(value: str | None, *, field: str = "phone") -> str:
    """A mainland mobile number (``13812345678``) or a fixed line with its area code, checked
    with ``phonenumbers`` for region CN and stored as the national number with its trunk 0
    (``0571-88886666``, ``571 8888 6666`` and ``+86 571 88886666`` all give ``057188886666``),
    or a DomainError on ``field``. A caller on a landline can be logged; a landline without an
    area code is refused (it could be any city's)."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())
    if (
        digits.startswith("1")
        and len(digits) == 11
        or value.startswith(("+86", "0086"))
        and (digits.removeprefix("86").removeprefix("0086").startswith("1"))
    ):
        return normalize_mobile(value, field=field)
    error = DomainError(
        "invalid",
        _(
            "Enter a mobile number (e.g. 13812345678) or a landline with its area code "
            "(e.g. 0571-88886666)."
        ),
        field=field,
    )
    if not digits or any(ch.isalpha() for ch in value):
        raise error
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise error from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise error
    kind = phonenumbers.number_type(parsed)
    national = phonenumbers.national_significant_number(parsed)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return national
    if kind not in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise error
    return "0" + national


def normalize_id_number(value: str | None, *, field: str = "id_number") -> str:
    """A resident identity card number (GB 11643), check digit verified; '' when empty.
    Full-width characters (１１０…Ｘ) are read as their ASCII forms."""
    value = "".join(unicodedata.normalize("NFKC", value or "").split()).upper()
    if not value:
        return ""
    try:
        return ric.validate(value)
    except StdnumError:
        raise DomainError(
            "invalid", _("This ID number is not valid (check digit or date)."), field=field
        ) from None


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """Trimmed text within a length limit (a 100,000-character paste is refused, not stored)."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError("invalid", _("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(
            "invalid",
            _("At most %(n)d characters (this has %(m)d).") % {"n": max_length, "m": len(value)},
            field=field,
        )
    return value


# Date windows: every date and moment a user or a client sends is checked against a window
# that makes sense for what it means, the same for the pages (forms' validators) and the API
# (estate/schemas.py's types) and again in the services. A value outside is a field error.
FIRST_YEAR, LAST_YEAR = 2000, 2100
VISIT_AHEAD = dt.timedelta(days=366)
VISIT_GRACE = dt.timedelta(hours=1)  # a form filled in slowly still asks for "now"
PAYMENT_FUTURE = dt.timedelta(minutes=10)  # clocks of tills and servers differ a little


def _year_of(value) -> int | None:
    return value.year if isinstance(value, dt.date) else None


def check_in_years(value, *, field: str):
    """A date or moment between the years 2000 and 2100 (periods, calendar days, deadline
    previews, statement periods, every other date); None passes."""
    year = _year_of(value)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(
            "invalid",
            _("Give a date between the years %(a)d and %(b)d.") % {"a": FIRST_YEAR, "b": LAST_YEAR},
            field=field,
        )
    return value


def check_visit_time(value: dt.datetime | None, *, now: dt.datetime, field: str):
    """A visit time from now to a year ahead (None passes)."""
    if value is None:
        return None
    check_in_years(value, field=field)
    if value < now - VISIT_GRACE:
        raise DomainError("invalid", _("The visiting time has passed."), field=field)
    if value > now + VISIT_AHEAD:
        raise DomainError(
            "invalid", _("Choose a visiting time within a year from now."), field=field
        )
    return value


def check_payment_time(
    value: dt.datetime,
    *,
    now: dt.datetime,
    books_open: dt.date | None = None,
    estate=None,
    field: str,
):
    """When money was received: not in the future, not before the estate's books open (its
    first billing period; 2000-01-01 when it has none)."""
    check_in_years(value, field=field)
    if value > now + PAYMENT_FUTURE:
        raise DomainError("invalid", _("A payment cannot be in the future."), field=field)
    if books_open is not None and local_date(value, estate) < books_open:
        raise DomainError(
            "invalid",
            _("The estate's books open on %(day)s; a payment cannot be earlier.")
            % {"day": books_open.isoformat()},
            field=field,
        )
    return value


def sane_date(value) -> None:
    """Django form validator: :func:`check_in_years` as a ValidationError."""
    from django.core.exceptions import ValidationError

    try:
        check_in_years(value, field="")
    except DomainError as exc:
        raise ValidationError(exc.message, code="date_window") from None


def since_1900(value) -> None:
    """Django form validator for a date of a person's history: 1900 to 2100."""
    from django.core.exceptions import ValidationError

    if isinstance(value, dt.date) and not 1900 <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Give a date between the years %(a)d and %(b)d.") % {"a": 1900, "b": LAST_YEAR},
            code="date_window",
        )


def has_bad_characters(value: str) -> bool:
    """True for text with a NUL byte or a lone surrogate (PostgreSQL refuses the first, UTF-8
    cannot encode the second)."""
    return _BAD_CHARACTERS.search(value) is not None


_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def day_param(text: str | None, default: dt.date) -> dt.date:
    """A page's ``?date=YYYY-MM-DD``: the day, or ``default`` when it is missing, malformed or
    outside the years 2000-2100 (a page falls back rather than fails)."""
    try:
        day = dt.date.fromisoformat(text or "")
    except ValueError:
        return default
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else default


def month_param(text: str | None, default: dt.date) -> dt.date:
    """A page's ``?month=YYYY-MM``: its first day, or ``default`` (as :func:`day_param`)."""
    return day_param(f"{text}-01" if text and len(text) == 7 else None, default)
