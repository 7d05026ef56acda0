from django.urls import path, register_converter

from grievances import views
from grievances.models.cases import CODE_LENGTH

app_name = "grievances"


class CaseCodeConverter:
    """A tracking code in a URL, any letter case (the view normalises it)."""

    regex = f"[0-9A-Za-z]{{{CODE_LENGTH}}}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CaseCodeConverter, "casecode")

urlpatterns = [
    # Resident pages (public, no login).
    path("new/", views.case_new, name="case_new"),
    path("track/", views.case_track, name="case_track"),
    path("outlines.json", views.community_outlines, name="community_outlines"),
    path("mine/attach/", views.case_attach, name="case_attach"),
    path("<casecode:code>/", views.case_detail, name="case_detail"),
    path("<casecode:code>/submitted/", views.case_submitted, name="case_submitted"),
    path("<casecode:code>/rate/", views.case_rate, name="case_rate"),
]
