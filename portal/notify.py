"""The one way the portal sends a text message or an e-mail, whichever app asks.

settings.NOTIFY_BACKEND names a class with `send(to, text)` for SMS; e-mail goes through Django's
mail backend. The default backend writes to the log, so the embedded site (and a newcomer) reads
sign-in codes and case messages in the console. `SmsGatewayBackend` is an example of a real
gateway. Apps compose their own messages (grievances/notify.py for case steps, members for
sign-in codes) and send them here, from Celery, never inside a web request's transaction.

`send_once` makes a send idempotent per key: before sending, a marker is claimed with an atomic
cache `add` (Redis in production), so a redelivered task (acks_late) does not send twice. The
claim first lives only CLAIM_TTL and becomes "sent" for SENT_TTL once the message is out: a
worker killed between claim and send leaves a claim that expires, so the redelivered task sends
the message after all (at worst twice, if the kill fell right after the send; never lost). A
message whose send fails releases its marker, so a later delivery may try again.
"""

import contextlib
import hashlib
import hmac
import json
import logging
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("portal.notify")

SENT_TTL = 14 * 24 * 3600  # a redelivery comes within minutes; two weeks is plenty
CLAIM_TTL = 120  # seconds a message may take to send (the gateway's timeout is 5 s)


class LogBackend:
    """Development and default: the message goes to the log (the console of `make run`)."""

    def send(self, to, text):
        log.info("notify %s: %s", to, text)


class MemoryBackend:
    """Keeps what was sent in `MemoryBackend.outbox`, like Django's locmem mail backend (tests)."""

    outbox = []

    def send(self, to, text):
        self.outbox.append((to, text))


class SmsGatewayBackend:
    """An example SMS gateway client (set NOTIFY_BACKEND to use one like it).

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


def send(to, text, subject="", sender=None):
    """Send now: SMS to a phone number, or e-mail when a subject is given."""
    if subject:
        send_mail(subject, text, None, [to])
    else:
        (sender or backend()).send(to, text)


def marker_key(*parts, to):
    """A cache key for one message; the address is hashed (no phone numbers in Redis)."""
    digest = hashlib.sha256(to.encode()).hexdigest()[:16]
    return ":".join(["notify", *map(str, parts), digest])


def _claim(key):
    try:
        return cache.add(key, "sending", CLAIM_TTL)
    except Exception as exc:  # noqa: BLE001 - no cache: better a rare duplicate than silence
        log.warning("notification marker unavailable, sending anyway: %s", exc)
        return True


def _release(key):
    with contextlib.suppress(Exception):  # if the cache is gone, the marker expires anyway
        cache.delete(key)


def _mark_sent(key):
    with contextlib.suppress(Exception):  # if the cache is gone, a redelivery may send again
        cache.set(key, "sent", SENT_TTL)


def send_once(key, to, text, subject="", sender=None):
    """Send unless a delivery with this key already did; True if sent now."""
    if not _claim(key):
        return False
    try:
        send(to, text, subject=subject, sender=sender)
    except Exception:
        _release(key)
        log.exception("message %s failed", key)
        return False
    _mark_sent(key)
    return True


def queue_text(key, to, text):
    """Send an SMS from the notify queue, once per key; if the broker is unreachable, send it
    from here (a person is waiting for it and no sweeper would retry it)."""
    from portal.tasks import send_text

    try:
        send_text.delay(key, to, text)
    except Exception as exc:  # noqa: BLE001 - broker down: send in the request instead
        log.warning("broker unavailable, sending message %s directly: %s", key, exc)
        send_once(key, to, text)
