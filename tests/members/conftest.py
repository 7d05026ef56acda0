import re

import pytest
from django.core.cache import cache

from members import services
from portal.notify import MemoryBackend


@pytest.fixture(autouse=True)
def sms(settings):
    """Messages go to an outbox (the configured backend, like Django's locmem mail backend)."""
    settings.NOTIFY_BACKEND = "portal.notify.MemoryBackend"
    MemoryBackend.outbox = []
    cache.clear()
    return MemoryBackend.outbox


def last_code(outbox, phone):
    """The 6-digit code of the newest SMS to `phone`."""
    texts = [text for to, text in outbox if to == phone]
    assert texts, f"no SMS to {phone}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


@pytest.fixture
def member(two_streets, sms):
    """A member of community A1 who signed up with a code."""
    services.signin_code_request(phone="13911112222")
    return services.signin_code_confirm(
        phone="13911112222", code=last_code(sms, "13911112222"), agreed=True
    )


def sign_in(client, phone, outbox):
    """The way a person does it: the phone page, then the code page."""
    response = client.post("/accounts/login/", {"phone": phone, "agree": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post("/accounts/login/code/", {"code": last_code(outbox, phone)})
    assert response.status_code == 302
    return response
