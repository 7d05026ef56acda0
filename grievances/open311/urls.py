from django.urls import path, re_path, register_converter

from grievances.open311 import views


class FormatConverter:
    """The response format, from the resource's extension (services.json, services.xml)."""

    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"

FMT = "<open311fmt:fmt>"

urlpatterns = [
    path(f"discovery.{FMT}", views.discovery, name="discovery"),
    path(f"v2/services.{FMT}", views.services, name="services"),
    path(f"v2/services/<slug:code>.{FMT}", views.service_definition, name="service"),
    path(f"v2/requests.{FMT}", views.service_requests, name="requests"),
    path(f"v2/requests/<slug:code>.{FMT}", views.service_request, name="request"),
    path(f"v2/tokens/<slug:code>.{FMT}", views.token, name="token"),
    # Anything else under /open311/ answers in the spec's error format, not an HTML page.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
