"""The stations' dashboard panel: check-ins, distinct couriers, busiest hours, the busiest
stations, activities and attendance, couriers by platform. Figures are counted from the
check-in and sign-up tables over indexes on (node, time); see bench/ for their cost."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from portal.workdays import SHANGHAI
from stations.models import Activity, CheckIn, Courier


def _span(f):
    start = datetime.combine(f.start, time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(f.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def figures(ctx):
    f = ctx["filter"]
    start, end = _span(f)
    node = {f"{f.level}_id": f.node_id}
    checkins = CheckIn.objects.filter(**node, created_at__gte=start, created_at__lt=end)
    totals = checkins.aggregate(
        n=Count("id"),
        couriers=Count("member", distinct=True),
        closed=Count("id", filter=Q(while_closed=True)),
    )
    by_hour = dict(
        checkins.annotate(hour=ExtractHour("created_at", tzinfo=SHANGHAI))
        .values_list("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    busiest = list(
        checkins.values("station__code", "station__name")
        .annotate(n=Count("id"), couriers=Count("member", distinct=True))
        .order_by("-n", "station__code")[:10]
    )
    activities = Activity.objects.filter(**node, starts_at__gte=start, starts_at__lt=end)
    held = activities.aggregate(
        n=Count("id", distinct=True),
        places=Count("signups", filter=Q(signups__status="confirmed")),
        attended=Count("signups", filter=Q(signups__attended_at__isnull=False)),
    )
    platforms = list(
        Courier.objects.filter(member__in=checkins.values("member"))
        .values("platform")
        .annotate(
            n=Count("member"),
            verified=Count("member", filter=Q(status="verified", valid_until__gte=f.end)),
        )
        .order_by("-n")
    )
    labels = dict(Courier.Platform.choices)
    for row in platforms:
        row["name"] = labels.get(row["platform"], row["platform"])
    return {
        "checkins": totals["n"],
        "couriers": totals["couriers"],
        "while_closed": totals["closed"],
        "hours": [{"hour": h, "n": by_hour.get(h, 0)} for h in range(24)],
        "peak": max(range(24), key=lambda h: by_hour.get(h, 0)) if by_hour else None,
        "busiest": busiest,
        "activities": held["n"],
        "places_taken": held["places"],
        "attended": held["attended"],
        "platforms": platforms,
    }


def tables(ctx):
    d = ctx.get("stations_data") or figures(ctx)
    return [
        Table(
            _("Rest stations"),
            [Column(_("figure"), "text"), Column(_("value"), "int")],
            [
                [_("check-ins"), d["checkins"]],
                [_("distinct couriers"), d["couriers"]],
                [_("check-ins outside opening hours"), d["while_closed"]],
                [_("activities held"), d["activities"]],
                [_("places taken"), d["places_taken"]],
                [_("attendance"), d["attended"]],
            ],
        ),
        Table(
            _("Check-ins by hour"),
            [Column(_("hour"), "int"), Column(_("check-ins"), "int")],
            [[r["hour"], r["n"]] for r in d["hours"]],
        ),
        Table(
            _("Busiest stations"),
            [
                Column(_("station"), "text"),
                Column(_("check-ins"), "int"),
                Column(_("distinct couriers"), "int"),
            ],
            [[r["station__name"], r["n"], r["couriers"]] for r in d["busiest"]],
        ),
        Table(
            _("Couriers by platform"),
            [
                Column(_("platform"), "text"),
                Column(_("couriers"), "int"),
                Column(_("verified"), "int"),
            ],
            [[r["name"], r["n"], r["verified"]] for r in d["platforms"]],
        ),
    ]


PANEL = Panel(
    "stations",
    _("Rest stations"),
    "stations/dashboard_panel.html",
    tables,
    wide=True,
    levels=("district", "street", "community"),
    data=figures,
)
