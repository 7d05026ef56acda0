"""Staff pages (/staff/): the work queue, the case page with its actions, and staff intake.

Thin: a form parses, a service decides, the page renders. Every case comes through
`selectors` (scoped by `for_user`): another node's case is a 404.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grievances import selectors, services
from grievances.filters import CaseFilterSet
from grievances.models import CasePhoto, Level, Status
from grievances.models.cases import OPEN_STATUSES
from grievances.staff_forms import (
    ActionForm,
    AnswerForm,
    ExtensionDecisionForm,
    ExtensionForm,
    MergeForm,
    NoteForm,
    OnTheSpotForm,
    PhoneIntakeForm,
    ReportUpForm,
    ResolveForm,
    SummonForm,
    SuperviseForm,
)
from portal.auth import staff_required
from portal.boundaries import outlines_for_user
from portal.models import User
from security.audit import audit_personal_read

PAGE_SIZE = 20


def duration_text(delta):
    """How long a case is overdue, short enough for a phone: 2天3小时, 5小时10分, 12分钟."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": max(minutes, 1)}


def _overdue_text(case, now):
    late = selectors.overdue_by(case, now)
    return duration_text(late) if late else ""


# The work queue ---------------------------------------------------------------------------------


@staff_required
def queue(request, tab="mine"):
    """我的待办 (tab "mine") and 辖区全部 (tab "all"), with the shared case filters."""
    user, now = request.user, timezone.now()
    base = selectors.cases_to_handle(user) if tab == "mine" else selectors.cases_visible_to(user)
    filterset = CaseFilterSet(request.GET or None, queryset=base)
    cases = filterset.qs
    cases = selectors.order_by_urgency(cases) if tab == "mine" else cases.order_by("-created_at")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    doubles = selectors.duplicate_counts(page.object_list, user)
    rows = [
        (case, _overdue_text(case, now), case.card(now), doubles.get(case.pk, 0)) for case in page
    ]
    return render(
        request,
        "grievances/staff/queue.html",
        {
            "tab": tab,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "filtered": bool(request.GET.dict().keys() - {"page"}),
            "is_grid_worker": user.role == User.Role.GRID_WORKER,
        },
    )


# The case page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    label: Any
    form_class: Any
    run: Any  # (case, user, cleaned_data) -> None; calls one service
    done: Any


def _answer(case, user, data):
    summons = selectors.case_summonses(case).filter(department_id=user.department_id).first()
    if summons is None:
        raise PermissionDenied(_("Only the summoned department may answer."))
    services.summons_answer(summons=summons, by=user, answer=data["answer"])


ACTIONS = {
    "accept": Action(
        gettext_lazy("Accept"),
        ActionForm,
        lambda c, u, d: services.case_accept(case=c, by=u),
        gettext_lazy("Accepted."),
    ),
    "start": Action(
        gettext_lazy("Start work"),
        NoteForm,
        lambda c, u, d: services.case_start(case=c, by=u, note=d["note"]),
        gettext_lazy("Marked as in progress."),
    ),
    "resolve": Action(
        gettext_lazy("Resolve"),
        ResolveForm,
        lambda c, u, d: services.case_resolve(case=c, by=u, note=d["note"]),
        gettext_lazy("Resolved. The resident will be asked to rate it."),
    ),
    "report-up": Action(
        gettext_lazy("Report up"),
        ReportUpForm,
        lambda c, u, d: services.case_report_up(case=c, by=u, reason=d["reason"]),
        gettext_lazy("Reported to the next level."),
    ),
    "summon": Action(
        gettext_lazy("Summon departments"),
        SummonForm,
        lambda c, u, d: services.case_summon(
            case=c, by=u, departments=list(d["departments"]), note=d["note"]
        ),
        gettext_lazy("The departments were summoned."),
    ),
    "supervise": Action(
        gettext_lazy("Supervise / assign a leading official"),
        SuperviseForm,
        lambda c, u, d: services.case_supervise(
            case=c, by=u, lead_official=d["lead_official"], note=d["note"]
        ),
        gettext_lazy("The case is under supervision."),
    ),
    "answer": Action(
        gettext_lazy("Answer the summons"),
        AnswerForm,
        _answer,
        gettext_lazy("The answer was recorded."),
    ),
}


def _merge(case, user, data):
    into = selectors.cases_visible_to(user).filter(code=data["into"]).first()
    if into is None:
        raise ValidationError(_("No case in your area has this tracking code."))
    services.case_merge(case=case, into=into, by=user, note=data["note"])


ACTIONS["merge"] = Action(
    gettext_lazy("Merge as a duplicate"),
    MergeForm,
    _merge,
    gettext_lazy("Merged: the reporter now follows the other case."),
)


def _decide_extension(case, user, data):
    request = selectors.pending_extension(case)
    if request is None:
        raise ValidationError(_("No extension request is waiting for a decision."))
    services.case_extension_decide(
        request=request, by=user, approve=data["decision"] == "approve", note=data["note"]
    )


ACTIONS["extend"] = Action(
    gettext_lazy("Ask for more time"),
    ExtensionForm,
    lambda c, u, d: services.case_extension_ask(
        case=c, by=u, amount=d["amount"], reason=d["reason"]
    ),
    gettext_lazy("More time was asked for: the level above decides."),
)
ACTIONS["extend-decide"] = Action(
    gettext_lazy("Decide on more time"),
    ExtensionDecisionForm,
    _decide_extension,
    gettext_lazy("The decision on more time was recorded."),
)


def available_actions(user, case, summonses, pending=None):
    """Which action forms the page offers. Only a hint for the page: the services decide."""
    names = []
    if case.status in OPEN_STATUSES:
        if services.can_handle(user, case):
            if case.status == Status.ASSIGNED:
                names.append("accept")
            if case.status == Status.ACCEPTED:
                names.append("start")
            names.append("resolve")
            if case.level != Level.DISTRICT:
                names.append("report-up")
            if case.level in (Level.STREET, Level.DISTRICT):
                names.append("summon")
            if pending is None and case.deadline_basis:
                names.append("extend")
            names.append("merge")
        if (
            pending is not None
            and pending.asked_by_id != user.pk
            and services.can_decide_extension(user, case, pending.level)
        ):
            names.append("extend-decide")
        if user.is_superuser or user.role in (User.Role.STREET_STAFF, User.Role.DISTRICT_OFFICIAL):
            names.append("supervise")
    if user.department_id and any(
        s.department_id == user.department_id and not s.answered_at for s in summonses
    ):
        names.append("answer")
    return names


def _render_case(request, case, bound=None, status=200):
    user = request.user
    summonses = list(selectors.case_summonses(case))
    extensions = list(selectors.case_extensions(case))
    pending = next((e for e in extensions if e.state == e.State.PENDING), None)
    forms = []
    for name in available_actions(user, case, summonses, pending):
        action = ACTIONS[name]
        if bound and bound[0] == name:
            form = bound[1]
        else:
            form = action.form_class(user=user, case=case, prefix=name)
        forms.append((name, action.label, form))
    handler = services.can_handle(user, case)
    if handler and status == 200:
        shown = [
            f for f in ("reporter_name", "reporter_phone", "reporter_email") if getattr(case, f)
        ]
        if shown:
            audit_personal_read(request=request, obj=case, fields=shown, via="staff case page")
    return render(
        request,
        "grievances/staff/case.html",
        {
            "case": case,
            "events": selectors.case_timeline(case),
            "summonses": summonses,
            "photos": case.photos.all(),
            "forms": forms,
            "is_handler": handler,
            "reporter_name": case.reporter_name if handler else case.masked_name(),
            "reporter_phone": case.reporter_phone if handler else case.masked_phone(),
            "reporter_email": case.reporter_email if handler else "",
            "overdue": _overdue_text(case, timezone.now()),
            "card": case.card(timezone.now()),
            "extensions": extensions,
            "duplicates": selectors.duplicate_candidates(case, user) if case.is_open else [],
            "merged": list(case.duplicates.all()) if not case.parent_id else [],
        },
        status=status,
    )


@staff_required
def case_detail(request, code):
    case = selectors.case_for_staff(request.user, code)
    return _render_case(request, case)


@staff_required
def case_photo(request, code, photo_id):
    """A resident's photo, only to staff who may open its case (there is no public /media/):
    photos show homes and faces. Served by Django, so the production stack needs no extra
    web server for them; they are small (redrawn at intake, at most 2560 px)."""
    case = selectors.case_for_staff(request.user, code)
    photo = get_object_or_404(CasePhoto, case=case, pk=photo_id)
    try:
        response = FileResponse(photo.image.open("rb"))
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required
@require_POST
def case_action(request, code, action):
    """Run one action on a case through its service; a refusal becomes a message, not a 500."""
    if action not in ACTIONS:
        raise Http404
    case = selectors.case_for_staff(request.user, code)
    spec = ACTIONS[action]
    form = spec.form_class(request.POST, user=request.user, case=case, prefix=action)
    if not form.is_valid():
        return _render_case(request, case, bound=(action, form))
    try:
        spec.run(case, request.user, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
    else:
        messages.success(request, spec.done)
    try:
        # After reporting up, the case may have left the user's node: go back to the queue.
        selectors.case_for_staff(request.user, code)
    except Http404:
        return redirect("grievances_staff:queue")
    return redirect("grievances_staff:case", code=code)


def _messages_of(exc):
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or _("You may not do that.")]


# Intake by staff --------------------------------------------------------------------------------


@staff_required
def log_case(request):
    """民意直通车: staff type in a phone call, a window visit or a patrol volunteer's report."""
    form = PhoneIntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_submit(
                category=d["category"],
                description=d["description"],
                channel=d["channel"],
                community=d["community"],
                compound=d["compound"],
                address=d["address"],
                reporter_name=d["reporter_name"],
                reporter_phone=d["reporter_phone"],
                may_contact=d["may_contact"],
                lat=d["lat"],
                long=d["long"],
                reported_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Logged. Tracking code %(code)s: give it to the resident.") % {"code": case.code},
            )
            doubles = selectors.duplicate_candidates(case, request.user)
            if doubles:
                messages.warning(
                    request,
                    _("It may be the same problem as %(codes)s: open the case to merge it if so.")
                    % {"codes": "、".join(d.code for d in doubles)},
                )
            return redirect("grievances_staff:all")
    return render(
        request, "grievances/staff/log_case.html", {"form": form, "map": _pick_map(request.user)}
    )


@staff_required
def on_the_spot(request):
    """随手办: a grid worker logs what they found in their grid and, usually, fixes it at once."""
    if request.user.role != User.Role.GRID_WORKER:
        messages.error(request, _("Only a grid worker logs on-the-spot cases in their grid."))
        return redirect("grievances_staff:queue")
    form = OnTheSpotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_log_on_the_spot(
                by=request.user,
                category=d["category"],
                description=d["description"],
                note=d["note"],
                resolve_now=d["resolve_now"],
                address=d["address"],
                lat=d["lat"],
                long=d["long"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # the service's field errors go under their fields
        except PermissionDenied as exc:
            form.add_error(None, _messages_of(exc))
        else:
            done = _("Logged and resolved.") if d["resolve_now"] else _("Logged.")
            messages.success(request, f"{done} {case.code}")
            return redirect("grievances_staff:case", code=case.code)
    return render(
        request, "grievances/staff/on_the_spot.html", {"form": form, "map": _pick_map(request.user)}
    )


def _pick_map(user):
    """The staff intake forms' map: the user's grid and community outlines to pick a point on."""
    lat, long = settings.MAP_CENTRE
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "lat": lat,
        "long": long,
        "outlines": outlines_for_user(user),
    }
