"""Notifications to staff and residents about case steps, sent from Celery (never in a request).

Who hears what (messages in Chinese, the site's language):
- assigned: the assignee (or, with none, the staff of the level that got the case); the resident;
- moved up (reported up or escalated) and reopened: the staff of the level the case is now at;
  the resident (moved up only);
- resolved: the resident;
- more time asked: the staff of the level above; approved or refused: the staff of the level
  that asked;
- yellow card (the time limit is near): the handler (the assignee, or the staff of the level) and
  the staff of the level above; red card (the limit ran out): the staff of the level that held it
  (the level above hears as the case comes up to it).
Residents only when they agreed to be contacted (`may_contact`), by SMS to their phone and/or by
e-mail through Django's mail backend. Nobody is told about their own action.

Sending goes through the portal's one backend (portal/notify.py), once per (step, recipient).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grievances import selectors
from grievances.models import AnswerTemplate, CaseEvent, Level
from grievances.routing import next_level
from portal import notify
from portal.notify import LogBackend, SmsGatewayBackend  # noqa: F401 - old NOTIFY_BACKEND paths

log = logging.getLogger("grievances.notify")

Kind = CaseEvent.Kind
MOVED_UP = (Kind.ESCALATED, Kind.REPORTED_UP)
CARDS = (Kind.YELLOW_CARD, Kind.RED_CARD)
EXTENSIONS = (Kind.EXT_ASKED, Kind.EXT_APPROVED, Kind.EXT_REFUSED)


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
        return notify.marker_key(self.event.pk, stamp, to=self.to)


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
    if event.kind == Kind.EXT_ASKED:
        return (
            _("Case %(code)s (%(category)s, %(place)s): the %(level)s asks for more time.") % facts
        )
    if event.kind == Kind.EXT_APPROVED:
        return _("Case %(code)s: more time was approved. New time limit: %(deadline)s.") % facts
    if event.kind == Kind.EXT_REFUSED:
        return _("Case %(code)s: more time was refused. Time limit: %(deadline)s.") % facts
    if event.kind == Kind.YELLOW_CARD:
        return (
            _(
                "Yellow card: case %(code)s (%(category)s, %(place)s) at the %(level)s is due by "
                "%(deadline)s."
            )
            % facts
        )
    if event.kind == Kind.RED_CARD:
        return (
            _(
                "Red card: case %(code)s (%(category)s, %(place)s) ran past its time limit at the "
                "%(level)s."
            )
            % facts
        )
    return ""


def _staff_places(event):
    """Where the staff to tell about this step work: [(level, node id)]."""
    case = event.case
    if event.kind == Kind.EXT_ASKED:  # the level above decides
        up = next_level(event.from_level, case.category.wall)
        return [selectors.place_of(case, up or event.from_level)]
    if event.kind in (Kind.EXT_APPROVED, Kind.EXT_REFUSED):  # the level that asked
        return [selectors.place_of(case, event.from_level)]
    if event.kind in (Kind.YELLOW_CARD, Kind.RED_CARD):
        places = [selectors.place_of(case, event.from_level)]
        up = next_level(event.from_level, case.category.wall)
        if event.kind == Kind.YELLOW_CARD and up is not None:
            places.append(selectors.place_of(case, up))
        return places
    return [selectors.place_of(case, event.to_level or None)]


def _resident_text(event, facts):
    if event.kind == Kind.MERGED:
        return (
            _(
                "Your request %(code)s is the same problem as one already being handled; it was "
                "merged into it, and you will hear when it is resolved."
            )
            % facts
        )
    if event.kind == Kind.ASSIGNED:
        return _("Your request %(code)s was received and passed to %(place)s.") % facts
    if event.kind in MOVED_UP:
        return _("Your request %(code)s was passed up to the %(level)s.") % facts
    if event.kind == Kind.RESOLVED:
        template = AnswerTemplate.for_case(event.case, AnswerTemplate.Kind.RESIDENT).first()
        text = template and template.try_render(event.case, resolution=facts["resolution"])
        if text:  # a template that cannot be filled in: the standard message instead
            return text
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
    staff_steps = (Kind.ASSIGNED, Kind.REOPENED, *MOVED_UP, *CARDS, *EXTENSIONS)
    places = {
        place
        for e in events
        if e.kind in staff_steps and not (e.kind == Kind.ASSIGNED and e.case.assignee_id)
        for place in _staff_places(e)
    }
    handlers = selectors.handlers_at(places)
    duplicates = _duplicates_of([e.case_id for e in events if e.kind == Kind.RESOLVED])
    out = []
    for event in events:
        case = event.case
        facts = _facts(case, event.to_level or event.from_level or None)
        if text := _staff_text(event, facts):
            if event.kind == Kind.ASSIGNED and case.assignee_id:
                staff = [case.assignee]
            elif event.kind == Kind.YELLOW_CARD and case.assignee_id:
                above = _staff_places(event)[1:]  # the holder is the assignee, not the level
                staff = [case.assignee, *(u for place in above for u in handlers.get(place, []))]
            else:
                staff = [u for place in _staff_places(event) for u in handlers.get(place, [])]
            for user in dict.fromkeys(staff):
                if user.pk == event.actor_id:
                    continue  # nobody is told about their own action
                if user.phone:
                    out.append(Message(event, user.phone, text))
                elif user.email:
                    out.append(Message(event, user.email, text, subject=_("Case %(code)s") % facts))
        # The reporters of duplicates merged into a resolved case hear it under their own code.
        reporters = [(case, facts)]
        if event.kind == Kind.RESOLVED:
            reporters += [(d, {**facts, "code": d.code}) for d in duplicates.get(case.pk, [])]
        for reporter, their_facts in reporters:
            if reporter.may_contact and (text := _resident_text(event, their_facts)):
                if reporter.reporter_phone:
                    out.append(Message(event, reporter.reporter_phone, text))
                if reporter.reporter_email:
                    subject = _("Your request %(code)s") % their_facts
                    out.append(Message(event, reporter.reporter_email, text, subject=subject))
    return out


def _duplicates_of(case_ids):
    """{parent id: [merged duplicates]} for these cases, in one query (none when no ids)."""
    from grievances.models import Case

    found = {}
    if case_ids:
        for case in Case.objects.filter(parent_id__in=case_ids):
            found.setdefault(case.parent_id, []).append(case)
    return found


def deliver(event_ids):
    """Send the messages for these case steps once each; return how many were sent now."""
    events = list(
        CaseEvent.objects.filter(pk__in=event_ids)
        .select_related(
            "case__category", "case__assignee", "case__grid", "case__community", "case__street"
        )
        .order_by("id")
    )
    sender = notify.backend()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for message in messages_for(events):
            sent += notify.send_once(
                message.key, message.to, message.text, subject=message.subject, sender=sender
            )
    return sent
