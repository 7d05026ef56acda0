"""The grid worker's pages (/staff/visits/): light, phone first, scoped by `for_user`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridwork import import_jobs, imports, people, schedule, selectors, services
from gridwork.forms import ColourForm, ImportForm, LookUpForm, OneOffForm, VisitForm
from gridwork.models import Household, ImportJob
from portal.auth import staff_required
from security.audit import audit_personal_read


def _add_field_errors(form, exc):
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _errors(exc):
    if isinstance(exc, PermissionDenied):
        return [str(exc) or _("You may not do this.")]
    return exc.messages


@never_cache
@require_GET
@staff_required
def day(request):
    """The grid worker's day; anyone else gets the counts of their node."""
    if request.user.scope.level != "grid":
        return redirect("gridwork:overview")
    groups, badges = selectors.day_list(request.user)
    return render(
        request,
        "gridwork/day.html",
        {"groups": groups, "badges": badges, "patrol": selectors.open_patrol(request.user)},
    )


@never_cache
@require_POST
@staff_required
def patrol(request, action):
    """Start or end a patrol walk."""
    if action not in ("start", "end"):
        raise Http404
    service = services.patrol_start if action == "start" else services.patrol_end
    try:
        walk = service(by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for m in _errors(exc):
            messages.error(request, m)
    else:
        if action == "start":
            messages.success(request, _("Patrol started."))
        else:
            messages.success(
                request,
                _("Patrol ended: %(visits)d visits, %(cases)d on-the-spot cases.")
                % {"visits": walk.visits.count(), "cases": walk.cases.count()},
            )
    return redirect("gridwork:day")


@never_cache
@require_GET
@staff_required
def overview(request):
    """Counts for the user's node: per grid (with its workers) for a community, per community
    for a street, per street for the district. No names or phones."""
    user = request.user
    level = user.scope.level
    ctx = {"level": level, "node": user.node}
    if level in ("grid", "community"):
        ctx["grids"] = selectors.community_table(user.community_id)
        ctx["patrol_days"], ctx["patrols"] = selectors.patrols_per_day(user.community_id)
        if level == "grid":
            ctx["grids"] = [g for g in ctx["grids"] if g["grid"].pk == user.grid_id]
            mine = user.get_full_name() or user.get_username()
            ctx["patrols"] = [p for p in ctx["patrols"] if p["worker"] == mine]
    elif level in ("street", "district"):
        ctx["rows"] = selectors.counts_below(level, user.node.pk)
        ctx["overdue"] = selectors.overdue_count(level, user.node.pk)
    else:
        raise PermissionDenied
    return render(request, "gridwork/overview.html", ctx)


def _household(request, pk):
    return get_object_or_404(
        Household.objects.for_user(request.user).select_related("compound", "building", "grid"),
        pk=pk,
    )


def _detail(
    request,
    household,
    *,
    show_people,
    visit_form=None,
    lookup_form=None,
    colour_form=None,
    one_off_form=None,
    status=200,
):
    ctx = {
        "h": household,
        "show_people": show_people,
        "may_visit": people.sees_people(request.user, household)
        and request.user.scope.level in people.PEOPLE_LEVELS,
        "visit_form": visit_form or VisitForm(),
        "colour_form": colour_form or ColourForm(initial={"colour": household.colour}),
        "one_off_form": one_off_form or OneOffForm(),
        "lookup_form": lookup_form or LookUpForm(),
        "overdue": bool(household.next_due_on and household.next_due_on < schedule.today()),
        "visits": household.visits.select_related("case")[:10],
        "history": household.colour_changes.all()[:10],
        "residents": household.people.count(),
    }
    if show_people:
        ctx["people"] = list(household.people.all())
    return render(request, "gridwork/household.html", ctx, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def household(request, pk):
    """A household's file. Its grid worker and community see the residents; a street or
    district official inside the scope sees them after giving a reason (audited)."""
    h = _household(request, pk)
    if people.sees_people(request.user, h):
        # Its own grid worker and community read the residents too: each opening is recorded.
        audit_personal_read(
            request=request,
            obj=h,
            fields=["name", "phone", "birth_year", "care_tags"],
            via="household file",
        )
        return _detail(request, h, show_people=True)
    if request.method == "POST":
        form = LookUpForm(request.POST)
        try:
            services.household_look_up(
                request=request, household=h, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            form.add_error("reason", exc.messages)
            return _detail(request, h, show_people=False, lookup_form=form, status=400)
        return _detail(request, h, show_people=True)
    return _detail(request, h, show_people=False)


@never_cache
@require_POST
@staff_required
def visit(request, pk):
    h = _household(request, pk)
    form = VisitForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            v = services.visit_log(
                by=request.user,
                household=h,
                outcome=d["outcome"],
                mode=d["mode"] or None,
                note=d["note"],
                photo=d["photo"],
                follow_up=d["follow_up"],
                finding_category=d["finding_category"],
                finding=d["finding"],
            )
        except (ValidationError, PermissionDenied) as exc:
            for m in _errors(exc):
                form.add_error(None, m)
        else:
            text = _("Visit logged: %(household)s, %(outcome)s.") % {
                "household": h.number,
                "outcome": v.get_outcome_display(),
            }
            if v.case_id:
                text += " " + _("Case %(code)s raised.") % {"code": v.case.code}
            messages.success(request, text)
            return redirect("gridwork:day")
    return _detail(
        request, h, show_people=people.sees_people(request.user, h), visit_form=form, status=400
    )


def _household_change(request, pk, form_class, change, done, form_name):
    """A POSTed change to a household through one service: on success back to its page with
    `done`; otherwise the page again with the form's errors (HTTP 400)."""
    h = _household(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            change(by=request.user, household=h, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, _errors(exc))
        except ValidationError as exc:
            _add_field_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("gridwork:household", pk=h.pk)
    return _detail(
        request, h, show_people=people.sees_people(request.user, h), status=400, **{form_name: form}
    )


@never_cache
@require_POST
@staff_required
def colour(request, pk):
    """A colour change without a reason is a form error on the household's page."""
    return _household_change(
        request, pk, ColourForm, services.household_set_colour, _("Colour changed."), "colour_form"
    )


@never_cache
@require_POST
@staff_required
def one_off(request, pk):
    return _household_change(
        request,
        pk,
        OneOffForm,
        services.household_set_one_off_due,
        _("One-off visit date set."),
        "one_off_form",
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data, name):
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
@staff_required
def import_template(request):
    import io

    out = io.BytesIO()
    imports.template_workbook().save(out)
    return _xlsx(out.getvalue(), "household-register-template.xlsx")


def _may_import(user):
    if user.scope.level != "community" and not user.is_superuser:
        raise PermissionDenied


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def import_register(request):
    """The community's staff upload their register; a worker checks it (and imports it, all or
    nothing) while the job's page shows how far it got."""
    user = request.user
    _may_import(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.import_job_start(
                by=user,
                community=user.community,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except PermissionDenied as exc:
            form.add_error(None, _errors(exc))
        else:
            return redirect("gridwork:import_job", pk=job.pk)
    jobs = ImportJob.objects.for_user(user).select_related("by")[:10]
    return render(
        request,
        "gridwork/import.html",
        {"form": form, "jobs": jobs},
        status=400 if request.method == "POST" else 200,
    )


def _job(request, pk):
    return get_object_or_404(
        ImportJob.objects.for_user(request.user).select_related("by", "checked_by"), pk=pk
    )


@never_cache
@require_GET
@staff_required
def import_job(request, pk):
    """A job's page: the progress bar (refreshed by a small script; a reload link without one),
    then the result: the row errors of a dry run, or what was imported."""
    job = _job(request, pk)
    user = request.user
    keeper = user.is_superuser or (
        user.scope.level == "community" and user.community_id == job.community_id
    )
    return render(
        request,
        "gridwork/import_job.html",
        {"job": job, "may_confirm": keeper and job.dry_run and job.ok},
    )


@never_cache
@require_GET
@staff_required
def import_job_progress(request, pk):
    """What the job page's script polls: state, rows and percent (one indexed row)."""
    job = _job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_display": job.get_state_display(),
            "rows_total": job.rows_total,
            "rows_checked": job.rows_checked,
            "rows_written": job.rows_written,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


@never_cache
@require_POST
@staff_required
def import_job_confirm(request, pk):
    """Import for real the file a clean dry run checked (no second upload)."""
    job = _job(request, pk)
    try:
        real = import_jobs.import_job_confirm(by=request.user, job=job)
    except (PermissionDenied, ValidationError) as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("gridwork:import_job", pk=job.pk)
    return redirect("gridwork:import_job", pk=real.pk)


@never_cache
@require_GET
@staff_required
def export(request):
    """The register as Excel: in full for the community and its grids (audited), de-identified
    above it."""
    from security.audit import audit_record
    from security.models import AuditEvent

    user = request.user
    if user.scope.level is None and not user.is_superuser:
        raise PermissionDenied
    data = imports.export_workbook(user)
    full = user.is_superuser or user.scope.level in people.PEOPLE_LEVELS
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        object_type="gridwork.household",
        object_repr="household register",
        changes={"personal": full},
    )
    return _xlsx(data, "household-register.xlsx")


def _period(request):
    from gridwork.forms import PeriodForm

    today = schedule.today()
    first, last = schedule.period_bounds("month", today)
    form = PeriodForm(request.GET or {"start": first, "end": last})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, first, last


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def lists(request):
    """问题清单 → 任务清单 → 效果清单 of the user's street or community, by period; printable."""
    from gridwork.forms import EffectForm, ProblemForm, TaskForm
    from gridwork.models import Problem, Task

    user = request.user
    if user.scope.level not in ("street", "community", "district") and not user.is_superuser:
        raise PermissionDenied
    period, start, end = _period(request)
    forms_ = {"problem": ProblemForm(), "task": TaskForm(), "effect": EffectForm()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = request.POST.get("target") or "0"
        try:
            if action == "problem":
                form = forms_["problem"] = ProblemForm(request.POST)
                if form.is_valid():
                    services.problem_take(by=user, **form.cleaned_data)
            elif action in ("task", "effect", "task_done"):
                if action == "task_done":
                    task = get_object_or_404(
                        Task.objects.filter(problem__in=Problem.objects.for_user(user)),
                        pk=target if target.isdigit() else 0,
                    )
                    services.task_done(by=user, task=task)
                    form = None
                else:
                    problem = get_object_or_404(
                        Problem.objects.for_user(user), pk=target if target.isdigit() else 0
                    )
                    form = forms_[action] = (TaskForm if action == "task" else EffectForm)(
                        request.POST
                    )
                    if form.is_valid() and action == "task":
                        services.task_add(by=user, problem=problem, **form.cleaned_data)
                    elif form.is_valid():
                        services.problem_done(by=user, problem=problem, **form.cleaned_data)
            else:
                raise Http404
        except PermissionDenied as exc:
            messages.error(request, " ".join(_errors(exc)))
            form = None
            status = 403
        except ValidationError as exc:
            _add_field_errors(form, exc)
        if status == 200 and (form is None or not form.errors):
            return redirect(f"{request.path}?{request.GET.urlencode()}")
        if status == 200:
            status = 400
    problems, summary = selectors.problem_lists(user, start, end)
    return render(
        request,
        "gridwork/lists.html",
        {
            "period": period,
            "start": start,
            "end": end,
            "problems": problems,
            "summary": summary,
            "forms": forms_,
            "keeps": user.scope.level in ("street", "community"),
        },
        status=status,
    )
