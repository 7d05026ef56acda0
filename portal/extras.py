"""What an app adds to another app's page, registered here so the page's app never imports it
(as the dashboards' panels and the /me/ parts are registered).

A page names a slot ("volunteers.activity") and renders `{% load portal_extras %}{% extras
"volunteers.activity" activity %}`; an app calls `register(Extra(...))` from its
AppConfig.ready() to show something there. Adding one touches no file of the page's app.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Extra:
    slot: str  # the page and place: "<app>.<page>"
    key: str
    template: str  # rendered with the dict `context` returns
    context: Callable  # (request, obj) -> dict for the template, or None to show nothing
    order: int = 100


EXTRAS = {}


def register(extra):
    slot = EXTRAS.setdefault(extra.slot, [])
    if any(e.key == extra.key for e in slot):
        raise ValueError(f"an extra {extra.key!r} is already registered for {extra.slot!r}")
    slot.append(extra)
    slot.sort(key=lambda e: (e.order, e.key))
    return extra


def for_slot(slot):
    return list(EXTRAS.get(slot, ()))
