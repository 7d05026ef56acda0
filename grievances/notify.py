"""Notifications to staff and residents about case steps, sent from Celery (never in a request).

Who hears what (messages in Chinese, the site's language):
- assigned: the assignee (or, with none, the staff of the level that got the case); the resident;
- moved up (reported up or escalated) and reopened: the staff of the level the case is now at;
  the resident (moved up only);
- resolved: the resident.
Residents only when they agreed to be contacted (`may_contact`), by SMS to their phone and/or by
e-mail through Django's mail backend. Nobody is told about their own action.

The SMS side is pluggable: settings.NOTIFY_BACKEND names a class with `send(to, text)`; the
default writes to the log. `SmsGatewayBackend` below is an example of a real gateway, not wired.

Idempotent per (step, recipient): before sending, a marker is claimed with an atomic cache
`add` (Redis in production), so a redelivered task (acks_late) does not send twice. The claim
first lives only CLAIM_TTL, and becomes "sent" for SENT_TTL once the message is out: a worker
killed between claim and send leaves a claim that expires, so the redelivered task sends the
message after all (at worst twice, if the kill fell right after the send; never lost). A
message whose send fails releases its marker, so a later delivery may try again.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from grievances import selectors
from grievances.models import CaseEvent, Level

log = logging.getLogger("grievances.notify")

SENT_TTL = 14 * 24 * 3600  # a redelivery comes within minutes; two weeks is plenty
CLAIM_TTL = 120  # seconds a message may take to send (the gateway's timeout is 5 s)
Kind = CaseEvent.Kind
MOVED_UP = (Kind.ESCALATED, Kind.REPORTED_UP)


class LogBackend:
    """Development and default: the message goes to the log."""

    def send(self, to, text):
        log.info("notify %s: %s", to, text)


class SmsGatewayBackend:
    """An example SMS gateway client (not wired; set NOTIFY_BACKEND to use one like it).

    Shaped like the common Chinese SMS APIs: a JSON POST with the signature name (签名) the
    carrier requires, signed with an HMAC of the body. Settings: SMS_GATEWAY_URL,
    SMS_GATEWAY_KEY, SMS_GATEWAY_SECRET, SMS_SIGN_NAME.
    """

    timeout = 5

    def __init__(self):
        missing = [
            name
            for name in ("SMS_GATEWAY_URL", "SMS_GATEWAY_KEY", "SMS_GATEWAY_SECRET")
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(f"SmsGatewayBackend needs {', '.join(missing)}")
        self.url = settings.SMS_GATEWAY_URL
        self.key = settings.SMS_GATEWAY_KEY
        self.secret = settings.SMS_GATEWAY_SECRET.encode()
        self.sign_name = getattr(settings, "SMS_SIGN_NAME", "社区服务")

    def build_request(self, to, text):
        body = json.dumps(
            {"phone": to, "sign_name": self.sign_name, "content": text}, ensure_ascii=False
        ).encode()
        signature = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return urllib.request.Request(  # noqa: S310 - the URL comes from settings, https
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Api-Key": self.key,
                "X-Signature": signature,
            },
        )

    def send(self, to, text):
        with urllib.request.urlopen(self.build_request(to, text), timeout=self.timeout) as r:  # noqa: S310
            if r.status >= 300:
                raise RuntimeError(f"SMS gateway answered {r.status}")


def backend():
    return import_string(settings.NOTIFY_BACKEND)()


@dataclass(frozen=True)
class Message:
    event: CaseEvent
    to: str  # a phone number or an e-mail address
    text: str
    subject: str = ""  # set for e-mail

    @property
    def key(self):
        # The step's time is part of the key, so a reused id (a test database) is a new step.
        stamp = int(self.event.created_at.timestamp() * 1_000_000)
        digest = hashlib.sha256(self.to.encode()).hexdigest()[:16]  # no phone numbers in Redis
        return f"notify:{self.event.pk}:{stamp}:{digest}"


def _when(moment):
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment else ""


def _facts(case, level=None):
    place = case.grid or case.community or case.street
    return {
        "code": case.code,
        "category": case.category.name,
        "place": place.name if place else "",
        "level": Level(level or case.level).label,
        "accept_by": _when(case.accept_deadline),
        "deadline": _when(case.deadline),
        "resolution": case.resolution,
    }


def _staff_text(event, facts):
    if event.kind == Kind.ASSIGNED:
        return (
            _(
                "Case %(code)s (%(category)s, %(place)s) is assigned to you. Accept it by "
                "%(accept_by)s."
            )
            % facts
        )
    if event.kind in MOVED_UP:
        return (
            _(
                "Case %(code)s (%(category)s, %(place)s) has come up to the %(level)s. Time limit: "
                "%(deadline)s."
            )
            % facts
        )
    if event.kind == Kind.REOPENED:
        return _("Case %(code)s (%(category)s) was rated unsatisfied and is back with you.") % facts
    return ""


def _resident_text(event, facts):
    if event.kind == Kind.ASSIGNED:
        return _("Your request %(code)s was received and passed to %(place)s.") % facts
    if event.kind in MOVED_UP:
        return _("Your request %(code)s was passed up to the %(level)s.") % facts
    if event.kind == Kind.RESOLVED:
        return (
            _(
                "Your request %(code)s was resolved: %(resolution)s Please rate the result with "
                "your tracking code."
            )
            % facts
        )
    return ""


def messages_for(events):
    """The messages these steps call for (no sending, no marker)."""
    staff_steps = (Kind.ASSIGNED, Kind.REOPENED, *MOVED_UP)
    places = {
        selectors.place_of(e.case, e.to_level or None)
        for e in events
        if e.kind in staff_steps and not (e.kind == Kind.ASSIGNED and e.case.assignee_id)
    }
    handlers = selectors.handlers_at(places)
    out = []
    for event in events:
        case = event.case
        facts = _facts(case, event.to_level or None)
        if text := _staff_text(event, facts):
            if event.kind == Kind.ASSIGNED and case.assignee_id:
                staff = [case.assignee]
            else:
                staff = handlers.get(selectors.place_of(case, event.to_level or None), [])
            for user in staff:
                if user.pk == event.actor_id:
                    continue  # nobody is told about their own action
                if user.phone:
                    out.append(Message(event, user.phone, text))
                elif user.email:
                    out.append(Message(event, user.email, text, subject=_("Case %(code)s") % facts))
        if case.may_contact and (text := _resident_text(event, facts)):
            if case.reporter_phone:
                out.append(Message(event, case.reporter_phone, text))
            if case.reporter_email:
                subject = _("Your request %(code)s") % facts
                out.append(Message(event, case.reporter_email, text, subject=subject))
    return out


def _claim(message):
    try:
        return cache.add(message.key, "sending", CLAIM_TTL)
    except Exception as exc:  # noqa: BLE001 - no cache: better a rare duplicate than silence
        log.warning("notification marker unavailable, sending anyway: %s", exc)
        return True


def _release(message):
    with contextlib.suppress(Exception):  # if the cache is gone, the marker expires anyway
        cache.delete(message.key)


def _mark_sent(message):
    with contextlib.suppress(Exception):  # if the cache is gone, a redelivery may send again
        cache.set(message.key, "sent", SENT_TTL)


def deliver(event_ids):
    """Send the messages for these case steps once each; return how many were sent now."""
    events = list(
        CaseEvent.objects.filter(pk__in=event_ids)
        .select_related(
            "case__category", "case__assignee", "case__grid", "case__community", "case__street"
        )
        .order_by("id")
    )
    sender = backend()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for message in messages_for(events):
            if not _claim(message):
                continue  # already sent by an earlier delivery of this task
            try:
                if message.subject:
                    send_mail(message.subject, message.text, None, [message.to])
                else:
                    sender.send(message.to, message.text)
            except Exception:
                _release(message)
                log.exception("notification for step %s failed", message.event.pk)
                continue
            _mark_sent(message)
            sent += 1
    return sent
