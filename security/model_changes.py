"""Changes of personal and case data made by staff into the audit trail: which account created,
changed or deleted a case, a member, a staff account, a household or resident of the register,
a volunteer, a courier, a wish or a meal eligibility, from which IP, and which fields
(personal values are never copied here, only their names). Model signals are the one place
every save passes, admin, staff pages and services alike.

Recorded only inside a signed-in staff request: a resident filing a case, a member editing
their profile and the Celery sweeps are not staff access, and the case keeps its own step log
(grievances.CaseEvent); so the public intake stays one INSERT. Bulk `update()` calls bypass
signals."""

from contextvars import ContextVar

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_save

from security.audit import audit_record
from security.models import AuditEvent

AUDITED_MODELS = (
    "grievances.Case",
    "members.Member",
    "portal.User",
    "gridwork.Household",  # the register: colour (who needs care), address, one-off dates
    "gridwork.Person",  # residents: names, phones, care tags (低保, 残疾, 独居)
    "volunteers.Volunteer",
    "stations.Courier",
    "points.Wish",  # who a micro-wish is for
    "canteens.Eligibility",  # age and 低保/特困 status verified by staff
)
# Personal fields of models that do not name their own (PERSONAL_FIELDS): masked in the trail.
PERSONAL_FIELDS = {
    "portal.User": ("email", "phone"),
    "gridwork.Household": ("unit", "door", "address", "colour_reason", "one_off_reason"),
    "canteens.Eligibility": ("birth_year", "need", "note"),
}
# Bookkeeping that changes on every sign-in or save: not a change of the person's data.
IGNORED_FIELDS = {"password", "last_login", "last_sign_in_at", "updated_at"}
MASK = "***"

# The request being served, so a save deep inside a service knows who and from where.
current_request = ContextVar("current_request", default=None)


def _fields(model, only=None):
    names = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in IGNORED_FIELDS and not f.primary_key
    ]
    return [n for n in names if only is None or n in only or n.removesuffix("_id") in only]


def _shown(model, name, value):
    personal = getattr(model, "PERSONAL_FIELDS", None) or PERSONAL_FIELDS.get(model._meta.label, ())
    if name in personal or name.endswith("_hash"):
        return MASK if value not in (None, "") else ""
    return value


def _staff_request():
    from security.receivers import is_staff_account, signed_in_user

    request = current_request.get()
    if request is not None and is_staff_account(signed_in_user(request)):
        return request
    return None


def remember_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None or _staff_request() is None:
        return
    names = _fields(sender, update_fields)
    if names:
        instance._audit_before = (
            sender._base_manager.filter(pk=instance.pk).values(*names).first() or {}
        )


def record_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    request = _staff_request()
    if raw or request is None:
        return
    if created:
        filled = [n for n in _fields(sender) if getattr(instance, n) not in (None, "")]
        changes = {"fields": filled}
        kind = AuditEvent.Kind.CREATE
    else:
        before = instance.__dict__.pop("_audit_before", None)
        if before is None:
            return
        changed = {
            n: [_shown(sender, n, old), _shown(sender, n, getattr(instance, n))]
            for n, old in before.items()
            if getattr(instance, n) != old
        }
        if not changed:
            return
        changes, kind = {"changed": changed}, AuditEvent.Kind.UPDATE
    audit_record(kind=kind, request=request, obj=instance, changes=changes)


def record_delete(sender, instance, **kwargs):
    if request := _staff_request():
        audit_record(kind=AuditEvent.Kind.DELETE, request=request, obj=instance)


def connect():
    for label in AUDITED_MODELS:
        model = apps.get_model(label)
        uid = f"security.audit.{label}"
        pre_save.connect(remember_before, sender=model, dispatch_uid=uid)
        post_save.connect(record_save, sender=model, dispatch_uid=uid)
        post_delete.connect(record_delete, sender=model, dispatch_uid=uid)
