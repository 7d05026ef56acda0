"""Mainland mobile numbers: one way to read what people type."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHONE_RE = re.compile(r"1[3-9]\d{9}")


def normalize_phone(raw):
    """'+86 138-1234-5678' → '13812345678'; anything else is a ValidationError on `phone`."""
    phone = re.sub(r"[\s\-()]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not PHONE_RE.fullmatch(phone):
        raise ValidationError(
            {"phone": _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")},
            code="invalid",
        )
    return phone
