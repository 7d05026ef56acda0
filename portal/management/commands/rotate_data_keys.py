"""Move every encrypted personal-data value to the current key (the first of PERSONAL_DATA_KEYS).

Key rotation, step by step (README, "Personal data keys"):
1. `manage.py rotate_data_keys --new-key` prints a fresh key.
2. Put it first in PERSONAL_DATA_KEYS, keeping the old key after it; restart web and workers
   (new values are sealed with the new key, old ones still open with the old key).
3. `manage.py rotate_data_keys` re-seals every value under the new key (in batches, with a
   progress bar; it may be stopped and run again) and retires the old key's record.
4. Remove the old key from PERSONAL_DATA_KEYS and restart.

The keyed hashes are recomputed on the way, so a changed PERSONAL_DATA_LOOKUP_KEY is applied by
the same run (exact lookups miss until it has finished).
"""

import base64
import os

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from portal import crypto
from portal.crypto import LOOKUP
from portal.models import DataKey


class Command(BaseCommand):
    help = "Re-encrypt all personal data under the current key and retire the old keys."

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key", action="store_true", help="print a fresh key for PERSONAL_DATA_KEYS"
        )
        parser.add_argument("--cipher", choices=["aes", "sm4"], default="aes")
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, new_key, cipher, batch, no_progress, **options):
        if new_key:
            size = 16 if cipher == "sm4" else 32
            self.stdout.write(f"{cipher}:{base64.b64encode(os.urandom(size)).decode()}")
            return
        crypto.verify_data_keys()  # refuses when a key still in use is missing
        current = crypto.keyring().current
        models = [m for m in apps.get_models() if crypto.encrypted_fields(m)]
        total = sum(m._base_manager.count() for m in models)
        bar = tqdm(
            total=total, unit="rows", disable=no_progress, file=self.stderr, desc="re-sealing"
        )
        done = 0
        for model in models:
            done += crypto.reseal(model, batch=batch, progress=bar.update)
        bar.close()
        active = DataKey.objects.filter(retired_at=None).exclude(cipher=LOOKUP)
        retired = active.exclude(key_id=current.id)
        old = list(retired.values_list("key_id", flat=True))
        retired.update(retired_at=timezone.now())
        self.stdout.write(
            f"{done} rows sealed with key {current.id} ({current.cipher}); "
            f"retired: {', '.join(old) or 'none'}"
        )
