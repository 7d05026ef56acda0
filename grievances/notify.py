"""Notifications to the assignee and the resident, through a pluggable backend.

The default backend writes to the log; an SMS gateway is a class with `send(to, text)` named in
the NOTIFY_BACKEND setting.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("grievances.notify")


class LogBackend:
    def send(self, to, text):
        log.info("notify %s: %s", to, text)


def backend():
    return import_string(settings.NOTIFY_BACKEND)()


def deliver(event_ids):
    """Send the messages for these case steps (idempotent enough: a resend is harmless)."""
    from grievances.models import CaseEvent

    events = CaseEvent.objects.filter(pk__in=event_ids).select_related("case", "case__assignee")
    sender = backend()
    for event in events:
        case = event.case
        text = f"[{case.code}] {event.get_kind_display()}"
        if case.assignee and case.assignee.phone and event.kind in ("assigned", "escalated"):
            sender.send(case.assignee.phone, text)
        if (
            case.may_contact
            and case.reporter_phone
            and event.kind
            in (
                "assigned",
                "escalated",
                "resolved",
            )
        ):
            sender.send(case.reporter_phone, text)
