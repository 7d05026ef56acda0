"""Open311 GeoReport v2 endpoints. Thin: parse (serializers), call the service, render.

GETs are public and never show personal data; POST needs an api_key. Every answer is JSON or
XML as the URL's extension asks, errors included (the spec's <errors> body, 400/403/404).
"""

import json
from datetime import timedelta
from functools import wraps

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from grievances.models import Channel
from grievances.models.cases import DONE_STATUSES, OPEN_STATUSES
from grievances.open311 import renderers
from grievances.open311 import serializers as s
from grievances.open311.keys import api_key_check
from grievances.services import case_submit

MAX_RESULTS = 1000  # the spec's default limit
MAX_SPAN = timedelta(days=90)  # the spec's default (and largest) date span


def endpoint(*methods):
    """CSRF-exempt (clients post with an api_key, not a session), method-checked (HEAD wherever
    GET is), and any Open311Error rendered in the spec's error format."""
    if "GET" in methods:
        methods = (*methods, "HEAD")

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt="json", **kwargs):
            try:
                if request.method not in methods:
                    raise s.Open311Error(
                        405, _("Method %(m)s is not allowed here.") % {"m": request.method}
                    )
                return view(request, *args, fmt=fmt, **kwargs)
            except s.Open311Error as error:
                response = renderers.errors(fmt, error.status, *error.descriptions)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapper

    return decorate


def _endpoint_url(request):
    services = reverse("open311:services", kwargs={"fmt": "xml"})
    return request.build_absolute_uri(services.rsplit("/", 1)[0])


@endpoint("GET")
def discovery(request, fmt):
    changeset = s.changeset()
    data = {
        "changeset": changeset,
        "contact": _("The district's community service portal office."),
        "key_service": _(
            "Ask the portal office for an api_key; staff issue keys in the staff console "
            "(Open311 API keys)."
        ),
        "endpoints": [
            {
                "specification": s.SPECIFICATION,
                "url": _endpoint_url(request),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return renderers.render(data, fmt, "discovery")


@endpoint("GET")
def services(request, fmt):
    s.jurisdiction(request.GET.get("jurisdiction_id"))
    categories = sorted(s.active_categories().values(), key=lambda c: (c.order, c.code))
    return renderers.render([s.service(c) for c in categories], fmt, "services")


@endpoint("GET")
def service_definition(request, fmt, code):
    s.jurisdiction(request.GET.get("jurisdiction_id"))
    category = s.active_categories().get(code)
    if category is None:
        raise s.Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return renderers.render(s.service_definition(category), fmt, "service_definition")


@endpoint("GET", "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    district_id = s.jurisdiction(request.GET.get("jurisdiction_id"))
    cases = _search(s.public_cases(), request.GET, district_id)
    details = _key_holder(request)
    return renderers.render([s.service_request(c, details) for c in cases], fmt, "service_requests")


@endpoint("GET")
def service_request(request, fmt, code):
    case = _one(request, code)
    return renderers.render(
        [s.service_request(case, _key_holder(request))], fmt, "service_requests"
    )


@endpoint("GET")
def token(request, fmt, code):
    # Requests are created in real time, so a request's token is its service_request_id.
    case = _one(request, code, token=True)
    return renderers.render(
        [{"service_request_id": case.code, "token": case.code}], fmt, "service_requests"
    )


@csrf_exempt  # a POST to an unknown format gets the error body too, not the CSRF page
def not_found(request, rest):
    fmt = "xml" if rest.endswith(".xml") else "json"
    return renderers.errors(fmt, 404, _("There is no Open311 resource at this address."))


# Helpers --------------------------------------------------------------------------------------


def _one(request, code, token=False):
    district_id = s.jurisdiction(request.GET.get("jurisdiction_id"))
    cases = s.public_cases().filter(code=code.upper())
    if district_id:
        cases = cases.filter(district_id=district_id)
    case = cases.first()
    if case is None:
        what = "token" if token else "service_request_id"
        raise s.Open311Error(404, _("%(what)s %(id)s was not found.") % {"what": what, "id": code})
    return case


def _key_holder(request):
    """A GET with a valid api_key (query or X-Api-Key header) sees every request's details."""
    raw_key = request.GET.get("api_key") or request.headers.get("X-Api-Key")
    return bool(raw_key) and api_key_check(raw_key) is not None


def _comma(value):
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _search(cases, params, district_id):
    """GET requests: service_request_id overrides every other filter; otherwise service_code,
    status and a date span of at most 90 days (default: the last 90), newest first, ≤ 1000."""
    if district_id:
        cases = cases.filter(district_id=district_id)
    ids = _comma(params.get("service_request_id"))
    if ids:
        return cases.filter(code__in=[i.upper() for i in ids[:MAX_RESULTS]]).order_by(
            "-created_at"
        )[:MAX_RESULTS]
    codes = _comma(params.get("service_code"))
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = {status.lower() for status in _comma(params.get("status"))}
    if statuses - {"open", "closed"}:
        raise s.Open311Error(400, _("status must be open or closed."))
    if statuses == {"open"}:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=DONE_STATUSES)
    start = s.parse_w3(params["start_date"], "start_date") if params.get("start_date") else None
    end = s.parse_w3(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end:
        if end < start:
            raise s.Open311Error(400, _("end_date is before start_date."))
        if end - start > MAX_SPAN:
            raise s.Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    elif start:
        end = start + MAX_SPAN
    else:
        end = end or timezone.now()
        start = end - MAX_SPAN
    cases = cases.filter(created_at__gte=start, created_at__lte=end)
    return cases.order_by("-created_at")[:MAX_RESULTS]


def _post_data(request):
    """The POSTed arguments: form-encoded as the spec says, or a JSON object."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise s.Open311Error(400, _("The request body is not valid JSON.")) from None
        if not isinstance(body, dict):
            raise s.Open311Error(400, _("The request body must be a JSON object."))
        data = MultiValueDict()
        for name, value in body.items():
            if name == "attribute" and isinstance(value, dict):
                for code, answer in value.items():
                    answers = answer if isinstance(answer, list) else [answer]
                    data.setlist(f"attribute[{code}]", [str(a) for a in answers])
            elif isinstance(value, list):
                data.setlist(name, [str(v) for v in value])
            elif value is not None:
                data[name] = str(value)
    else:
        data = request.POST
    if any("\x00" in v for values in data.lists() for v in values[1]):
        raise s.Open311Error(400, _("Text may not contain NUL characters."))
    return data


def _create(request, fmt):
    data = _post_data(request)
    district_id = s.jurisdiction(data.get("jurisdiction_id") or request.GET.get("jurisdiction_id"))
    raw_key = data.get("api_key") or request.GET.get("api_key") or request.headers.get("X-Api-Key")
    if api_key_check(raw_key) is None:
        raise s.Open311Error(403, _("api_key was not provided or is invalid."))
    arguments = s.parse_request(data, district_id)
    try:
        case = case_submit(channel=Channel.OPEN311, **arguments)
    except ValidationError as error:
        raise s.Open311Error(400, *error.messages) from None
    # 200, not 201: reference clients (GeoReporter) take any other status as a failed POST.
    return renderers.render(
        s.created(case, data.get("account_id", "").strip()), fmt, "service_requests"
    )
