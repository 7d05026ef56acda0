from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A key that has sealed personal data in this database (its id only, never the key).

    The start-up check refuses to run when a key recorded here, and not retired, is missing from
    PERSONAL_DATA_KEYS; ``rotate_data_keys`` retires the keys it has moved every value away from.
    """

    key_id = models.CharField(_("key id"), max_length=8, unique=True)
    cipher = models.CharField(_("cipher"), max_length=3)  # aes | sm4
    first_used_at = models.DateTimeField(_("first used"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data key")
        verbose_name_plural = _("personal data keys")

    def __str__(self):
        return f"{self.key_id} ({self.cipher})"
