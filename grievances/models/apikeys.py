import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


def hash_key(raw_key):
    """Keys are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_raw_key():
    return secrets.token_urlsafe(30)


class ApiKey(models.Model):
    """A key that lets an Open311 client file cases (POST requests). Only its hash is stored:
    the key itself is shown once, when it is issued; the prefix identifies it afterwards."""

    name = models.CharField(_("name"), max_length=80)
    organisation = models.CharField(_("owner organisation"), max_length=120, blank=True)
    prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    # Written at most once per LAST_USED_EVERY (see grievances.open311.keys), not per request.
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def set_new_key(self):
        """Draw a fresh random key for this row; return it (the only time it is seen)."""
        raw = new_raw_key()
        self.prefix, self.key_hash = raw[:KEY_PREFIX_LENGTH], hash_key(raw)
        return raw
