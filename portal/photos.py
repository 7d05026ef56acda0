"""Photos people upload (case photos, work-ID photos, station photos): checked to really be an
image, redrawn without EXIF (no GPS, device or time), upright, at most MAX_PHOTO_SIDE a side,
under a random file name."""

import io
import uuid

from django import forms
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_SIDE = 2560  # px: plenty to see a broken lamp, a fraction of a phone camera's bytes
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def clean_photo(f):
    name = f.name
    if f.size > MAX_PHOTO_BYTES:
        raise forms.ValidationError(
            _("The photo “%(name)s” is larger than 5 MB. Please choose a smaller one.")
            % {"name": name},
            code="too_large",
        )
    try:
        with Image.open(f) as image:
            kind = image.format
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for broken or fake files
        kind = None
    if kind not in PHOTO_FORMATS:
        raise forms.ValidationError(
            _("“%(name)s” is not a photo we can accept: only JPEG, PNG or WebP images.")
            % {"name": name},
            code="not_image",
        )
    f.seek(0)
    try:
        data = redraw(f, kind)
    except Exception:  # noqa: BLE001 - verify() passed but the pixels do not decode
        raise forms.ValidationError(
            _("“%(name)s” is not a photo we can accept: only JPEG, PNG or WebP images.")
            % {"name": name},
            code="not_image",
        ) from None
    # Never keep the resident's file name (it can hold a name or a path): a random one.
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{PHOTO_FORMATS[kind]}")


def redraw(f, kind):
    """The photo's pixels only, upright and at most MAX_PHOTO_SIDE on a side: a phone's
    EXIF block holds where it was taken (often the resident's home), when, and the phone's
    serial number; none of that belongs in a case that staff and the public pages show."""
    with Image.open(f) as original:
        image = ImageOps.exif_transpose(original)
        image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
        if kind == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        # Only what is passed to save() is written: no exif, icc, xmp or text chunks.
        image.save(out, format=kind, **({"quality": 85} if kind != "PNG" else {}))
    return out.getvalue()


def photo_response(image, *, public=False):
    """Serve a stored photo through a view (there is no public /media/): the view decides who
    may see it. Private photos are not kept by shared caches."""
    try:
        response = FileResponse(image.open("rb"))
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=3600"
    return response
