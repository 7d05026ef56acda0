"""The stations' dashboard panel: check-ins, distinct couriers, busiest hours, the busiest
stations, activities and attendance, couriers by platform. Check-in figures come from the daily
rollups (stations.rollups; today live), activities from their own small table."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from dashboards.panels import Column, Panel, Table
from portal.workdays import SHANGHAI
from stations import rollups
from stations.models import Activity, Courier


def figures(ctx):
    f = ctx["filter"]
    node = {f"{f.level}_id": f.node_id}
    checkins = rollups.node_figures(f.level, f.node_id, f.start, f.end)
    start = datetime.combine(f.start, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(f.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    activities = Activity.objects.filter(**node, starts_at__gte=start, starts_at__lt=end)
    held = activities.aggregate(
        n=Count("id", distinct=True),
        places=Count("signups", filter=Q(signups__status="confirmed")),
        attended=Count("signups", filter=Q(signups__attended_at__isnull=False)),
    )
    platforms = []
    if checkins.checkins:
        platforms = list(
            Courier.objects.filter(checkins.courier_members())
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
        "checkins": checkins.checkins,
        "couriers": checkins.couriers,
        "while_closed": checkins.while_closed,
        "hours": [{"hour": h, "n": n} for h, n in enumerate(checkins.by_hour)],
        "peak": checkins.peak,
        "busiest": checkins.busiest,
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
            [[r["name"], r["n"], r["couriers"]] for r in d["busiest"]],
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
