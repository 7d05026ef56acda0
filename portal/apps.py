from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _record_data_key(sender, using, **kwargs):
    # After migrate (which may have sealed existing rows): the current key is the one in use.
    from portal.crypto import verify_data_keys

    verify_data_keys(using)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Administrative hierarchy and staff")

    def ready(self):
        post_migrate.connect(_record_data_key, sender=self)
