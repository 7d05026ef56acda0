"""`{% load portal_extras %}{% extras "<app>.<page>" obj %}`: what other apps registered for
this place of the page (portal.extras), rendered in their order."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join

from portal import extras as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def extras(context, slot, obj):
    request = context.get("request")
    parts = []
    for extra in registry.for_slot(slot):
        data = extra.context(request, obj)
        if data is not None:
            parts.append((render_to_string(extra.template, data, request),))
    return format_html_join("", "{}", parts)
