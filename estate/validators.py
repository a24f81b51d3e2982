"""Validators shared by every app: mainland mobile numbers and GB 11643 ID numbers."""

import unicodedata

import phonenumbers
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from estate.errors import DomainError


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
