"""The one hook other apps hang on: hours confirmed (or corrected) for a service record.

Sent inside the confirming transaction, so what a receiver writes (the points of these hours)
commits or rolls back with the confirmation itself; a receiver's error undoes the confirmation.
`record` is the confirmed record (a correction carries `corrects_id`)."""

from django.dispatch import Signal

hours_confirmed = Signal()
