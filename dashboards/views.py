"""Dashboard pages: thin views over `dashboards.figures` (via the panels) and the scoping rule."""

from django.contrib.auth.decorators import login_required as _login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from dashboards import export as xlsx
from dashboards.figures import Overdue
from dashboards.forms import RangeForm
from dashboards.panels import chart_data, level_rows, panels_for
from dashboards.selectors import (
    breadcrumbs,
    dashboard_node,
    figures_for,
    home_node,
    may_see_dashboards,
)

SCREEN_REFRESH_SECONDS = 120
# Officials sign in on the staff login, not the members' phone login (settings.LOGIN_URL).
staff_login_required = _login_required(login_url="admin:login")


def _context(request, level, node_id):
    if not may_see_dashboards(request.user):
        raise PermissionDenied
    node = dashboard_node(request.user, level, node_id)
    now = timezone.now()
    form = RangeForm(request.GET or None, today=timezone.localdate(now))
    kind, start, end = form.period()
    figures = figures_for(level, node.pk, start, end)
    ctx = {
        "node": node,
        "level": level,
        "crumbs": breadcrumbs(node, level, request.user),
        "form": form,
        "range": kind,
        "start": start,
        "end": end,
        "figures": figures,
        "overdue": Overdue(figures.f, now),
        "filter": figures.f,
        "panels": panels_for(level),
        "now": now,
        "query": request.GET.urlencode(),
    }
    for panel in ctx["panels"]:
        if panel.data:
            ctx[f"{panel.key}_data"] = panel.data(ctx)
    return ctx


@staff_login_required
def index(request):
    target = home_node(request.user) if may_see_dashboards(request.user) else None
    if target is None:
        raise PermissionDenied
    return redirect("dashboards:page", *target)


@staff_login_required
def dashboard(request, level, node_id):
    ctx = _context(request, level, node_id)
    ctx["charts"] = chart_data(ctx)
    ctx["level_rows"] = level_rows(ctx["figures"].summary)
    return render(request, "dashboards/page.html", ctx)


@staff_login_required
def screen(request, level, node_id):
    """大屏模式: the same figures full-screen, dark, for the duty room; reloads itself."""
    ctx = _context(request, level, node_id)
    ctx["charts"] = chart_data(ctx)
    ctx["level_rows"] = level_rows(ctx["figures"].summary)
    ctx["refresh"] = SCREEN_REFRESH_SECONDS
    return render(request, "dashboards/screen.html", ctx)


@staff_login_required
def export(request, level, node_id):
    ctx = _context(request, level, node_id)
    name = ctx["node"].name
    body = xlsx.workbook(
        ctx["panels"],
        ctx,
        node_name=name,
        start=ctx["start"],
        end=ctx["end"],
        generated_at=timezone.localtime(ctx["now"]),
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, xlsx.file_name(name, ctx["start"], ctx["end"])
    )
    return response


@staff_login_required
def overdue_list(request, level, node_id):
    """The cases behind the 超期未办 number, oldest deadline first."""
    if not may_see_dashboards(request.user):
        raise PermissionDenied
    node = dashboard_node(request.user, level, node_id)
    from dashboards.figures import NodeFilter

    today = timezone.localdate()
    overdue = Overdue(NodeFilter(level, node.pk, today, today), timezone.now())
    page = Paginator(
        overdue.cases.select_related(
            "category", "assignee", "community", "grid", "street"
        ).order_by("deadline", "id"),
        25,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/overdue.html",
        {
            "node": node,
            "level": level,
            "crumbs": breadcrumbs(node, level, request.user),
            "page": page,
            "now": timezone.now(),
        },
    )
