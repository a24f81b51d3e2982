"""Ticket photos: images only, at most 5 MB, re-encoded so no EXIF (GPS location) survives."""

import io
import re
import secrets
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from estate.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 3
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "HEIC", "MPO"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    width: int
    height: int


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise DomainError("invalid", _("A photo may be at most 5 MB."), field="photos")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_BYTES:
        raise DomainError("invalid", _("A photo may be at most 5 MB."), field="photos")
    return data


def clean_photo(upload) -> CleanPhoto:
    """Check that the upload is an image within the limits and re-encode it without metadata
    (JPEG, or PNG where it has transparency). Raises DomainError on ``photos``."""
    data = _read(upload)
    not_image = DomainError("invalid", _("This file is not a photo (JPEG or PNG)."), field="photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise not_image
                if probe.width * probe.height > MAX_PIXELS:
                    raise DomainError("invalid", _("This photo is too large."), field="photos")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise not_image from None
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext = "jpg"
    name = f"{secrets.token_hex(8)}.{ext}"
    return CleanPhoto(ContentFile(out.getvalue(), name=name), image.width, image.height)


def clean_photos(uploads) -> list[CleanPhoto]:
    """Every upload checked before anything is saved: one bad file refuses them all."""
    uploads = [u for u in (uploads or ()) if u]
    if len(uploads) > MAX_PHOTOS:
        raise DomainError("invalid", _("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    return [clean_photo(u) for u in uploads]


# The token under which a refused report's photos are kept (repairs/services/pending.py).
_PENDING_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def pending_token_new() -> str:
    return secrets.token_urlsafe(24)


def pending_token_valid(token: str | None) -> bool:
    return bool(token) and bool(_PENDING_TOKEN.fullmatch(token))
