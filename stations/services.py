"""Every change in the stations app goes through one function here."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members.services import member_mark_served
from portal import notify
from portal.scoping import Scope
from stations.models import (
    Activity,
    ActivitySignup,
    CheckIn,
    Courier,
    PartyRegistration,
    ProgrammeEnrolment,
    Station,
)
from stations.models.stations import CHECKIN_WINDOW_SECONDS, SCOPE_LOOKUPS
from stations.selectors import open_at


def _place_of(row):
    """The node ids a station or an activity carries, for members.services.member_mark_served."""
    return {
        "community_id": row.community_id,
        "street_id": row.street_id,
        "district_id": row.district_id,
    }


class AlreadyCheckedIn(Exception):
    def __init__(self, checkin):
        super().__init__("already checked in")
        self.checkin = checkin


# Stations -----------------------------------------------------------------------------------------


def station_save(*, station, by):
    """Create or change a station inside the user's area; ancestors copied, hours validated."""
    if not Scope.of(by).covers(station.community, SCOPE_LOOKUPS | {"community": "id"}):
        raise PermissionDenied(_("You can only keep stations in your own area."))
    if station.pk:
        old_code = Station.objects.filter(pk=station.pk).values_list("code", flat=True).first()
        if old_code and old_code != station.code:
            raise ValidationError(
                {"code": _("The station code is on printed posters: it cannot change.")}
            )
    station.copy_ancestors()
    station.full_clean()
    station.save()
    return station


# Check-ins ----------------------------------------------------------------------------------------


def checkin_record(*, station, member, purpose, now=None):
    """报到: one check-in per courier per station per two-hour window counts (the database's
    unique constraint decides, so two taps at once record one). A check-in while the station
    is closed is kept but flagged. Raises AlreadyCheckedIn with the earlier one."""
    if not station.is_active:
        raise ValidationError(_("This station is closed for good."))
    if purpose not in CheckIn.Purpose.values:
        raise ValidationError({"purpose": _("Choose what you came for.")})
    now = now or timezone.now()
    checkin = CheckIn(
        station=station,
        member=member,
        purpose=purpose,
        created_at=now,
        window=int(now.timestamp()) // CHECKIN_WINDOW_SECONDS,
        while_closed=not open_at(station.opening_hours, now),
        community_id=station.community_id,
        street_id=station.street_id,
        district_id=station.district_id,
    )
    if not checkin.insert_once():
        earlier = CheckIn.objects.filter(
            member=member, station=station, window=checkin.window
        ).first()
        earlier.station = station
        raise AlreadyCheckedIn(earlier)
    member_mark_served(member=member, **_place_of(station))
    return checkin


# Couriers -----------------------------------------------------------------------------------------


def _work_id_hash(number):
    key = hashlib.sha256(f"stations.work-id:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def courier_save_profile(*, member, platform, real_name, work_id="", photo=None):
    """A member says they are a courier; a new work ID (number or photo) goes back to staff."""
    real_name = (real_name or "").strip()
    if not real_name:
        raise ValidationError({"real_name": _("Enter your name as on your work ID.")})
    work_id = "".join(work_id.split()).upper()
    courier = Courier.objects.select_for_update(no_key=True).filter(member=member).first()
    new = courier is None
    courier = courier or Courier(member=member)
    changed_id = bool(photo) or (work_id and _work_id_hash(work_id) != courier.work_id_hash)
    courier.platform = platform
    courier.real_name = real_name
    if work_id:
        courier.work_id_last4 = work_id[-4:]
        courier.work_id_hash = _work_id_hash(work_id)
    if photo:
        courier.work_id_photo = photo
    if changed_id or (new and (work_id or photo)):
        courier.status = Courier.Status.PENDING
        courier.valid_until = None
        courier.reviewed_by = None
        courier.reviewed_at = None
    courier.full_clean(exclude=["member"])
    courier.save()
    return courier


def _may_review(by, courier):
    from members.models import Member

    return Member.objects.for_user(by).filter(pk=courier.member_id).exists()


@transaction.atomic
def courier_verify(*, courier, by, valid_until, note=""):
    """Staff saw the work ID: verified until a date (the courier price checks it)."""
    if not _may_review(by, courier):
        raise PermissionDenied(_("This courier is not in your area."))
    if valid_until is None or valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("Give a date that has not passed.")})
    if courier.status == Courier.Status.NONE:
        raise ValidationError(_("The courier has not sent a work ID yet."))
    Courier.objects.filter(pk=courier.pk).update(
        status=Courier.Status.VERIFIED,
        valid_until=valid_until,
        reviewed_by=by,
        reviewed_at=timezone.now(),
        review_note=note,
    )
    courier.refresh_from_db()
    return courier


@transaction.atomic
def courier_reject(*, courier, by, note):
    if not _may_review(by, courier):
        raise PermissionDenied(_("This courier is not in your area."))
    if not (note or "").strip():
        raise ValidationError({"review_note": _("Say why, so the courier can fix it.")})
    Courier.objects.filter(pk=courier.pk).update(
        status=Courier.Status.REJECTED,
        valid_until=None,
        reviewed_by=by,
        reviewed_at=timezone.now(),
        review_note=note.strip(),
    )
    courier.refresh_from_db()
    return courier


def party_register(*, member, station, organisation, member_since):
    organisation = (organisation or "").strip()
    if not organisation:
        raise ValidationError({"organisation": _("Enter your party organisation.")})
    year = timezone.localdate().year
    if not (1921 <= int(member_since) <= year):
        raise ValidationError({"member_since": _("Enter the year you joined.")})
    registration, _created = PartyRegistration.objects.update_or_create(
        member=member,
        station=station,
        defaults={"organisation": organisation, "member_since": member_since},
    )
    member_mark_served(member=member, **_place_of(station))
    return registration


def programme_enrol(*, programme, courier, by, enrolled_on, note=""):
    return ProgrammeEnrolment.objects.get_or_create(
        programme=programme,
        courier=courier,
        defaults={"enrolled_on": enrolled_on, "note": note, "enrolled_by": by},
    )[0]


# Activities ---------------------------------------------------------------------------------------


def activity_save(*, activity, by):
    if not Scope.of(by).covers(activity.station, SCOPE_LOOKUPS):
        raise PermissionDenied(_("You can only post activities at stations in your area."))
    if activity.pk:
        taken = Activity.objects.filter(pk=activity.pk).values_list("taken", flat=True).first()
        if taken and activity.capacity < taken:
            raise ValidationError({"capacity": _("%(n)d places are taken already.") % {"n": taken}})
    activity.copy_ancestors()
    activity.full_clean(exclude=["taken"])
    activity.save()
    return activity


def _take_place(activity_id):
    """One conditional UPDATE: a place if one is left, never one more than the capacity."""
    return Activity.objects.filter(pk=activity_id, taken__lt=F("capacity")).update(
        taken=F("taken") + 1
    )


@transaction.atomic
def activity_sign_up(*, activity, member):
    """Sign up: a place while there is one, else the waiting list. Signing up twice returns the
    existing sign-up."""
    if activity.starts_at <= timezone.now():
        raise ValidationError(_("This activity has started; sign-up is closed."))
    signup = (
        ActivitySignup.objects.select_for_update(no_key=True)
        .filter(activity=activity, member=member)
        .first()
    )
    if signup and signup.status != ActivitySignup.Status.CANCELLED:
        return signup
    status = (
        ActivitySignup.Status.CONFIRMED
        if _take_place(activity.pk)
        else ActivitySignup.Status.WAITING
    )
    if signup:
        signup.status = status
        signup.created_at = timezone.now()  # back of the queue
        signup.save(update_fields=["status", "created_at"])
    else:
        signup = ActivitySignup.objects.create(activity=activity, member=member, status=status)
    member_mark_served(member=member, **_place_of(activity))
    return signup


@transaction.atomic
def activity_cancel(*, signup):
    """Cancel a sign-up; a freed place goes to the first on the waiting list, who is told."""
    signup = ActivitySignup.objects.select_for_update(no_key=True).get(pk=signup.pk)
    if signup.status == ActivitySignup.Status.CANCELLED:
        return None
    was_confirmed = signup.status == ActivitySignup.Status.CONFIRMED
    signup.status = ActivitySignup.Status.CANCELLED
    signup.save(update_fields=["status"])
    if not was_confirmed:
        return None
    # Lock the activity so two cancellations promote two different people.
    Activity.objects.select_for_update(no_key=True).get(pk=signup.activity_id)
    promoted = (
        ActivitySignup.objects.select_for_update(no_key=True)
        .filter(activity_id=signup.activity_id, status=ActivitySignup.Status.WAITING)
        .order_by("created_at", "id")
        .first()
    )
    if promoted is None:
        Activity.objects.filter(pk=signup.activity_id, taken__gt=0).update(taken=F("taken") - 1)
        return None
    promoted.status = ActivitySignup.Status.CONFIRMED
    promoted.save(update_fields=["status"])
    activity = promoted.activity
    phone = promoted.member.phone
    if phone:
        text = _("A place came free: you are in for “%(title)s” on %(when)s.") % {
            "title": activity.title,
            "when": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M"),
        }
        key = notify.marker_key("activity-promoted", promoted.pk, to=phone)
        transaction.on_commit(lambda: notify.queue_text(key, phone, text))
    return promoted


def activity_attend(*, activity, member, now=None):
    """Attendance at the door (the organiser scanned the member code, or the member scanned the
    activity's QR): recorded once; a walk-in with a free place gets one."""
    now = now or timezone.now()
    if not (activity.starts_at - timedelta(hours=1) <= now <= activity.ends_at):
        raise ValidationError(_("Attendance opens an hour before the start and ends with it."))
    with transaction.atomic():
        signup = (
            ActivitySignup.objects.select_for_update(no_key=True)
            .filter(activity=activity, member=member)
            .first()
        )
        if signup is None or signup.status != ActivitySignup.Status.CONFIRMED:
            if not _take_place(activity.pk):
                raise ValidationError(_("The activity is full."))
            if signup is None:
                signup = ActivitySignup(activity=activity, member=member)
            signup.status = ActivitySignup.Status.CONFIRMED
        if signup.attended_at is None:
            signup.attended_at = now
        signup.save()
    member_mark_served(member=member, **_place_of(activity))
    return signup


def activities_remind(*, now=None, ahead=timedelta(hours=2)):
    """Tell those with a place about activities starting within `ahead`, once per activity."""
    now = now or timezone.now()
    due = list(
        Activity.objects.filter(
            starts_at__gt=now, starts_at__lte=now + ahead, reminded_at__isnull=True
        ).select_related("station")
    )
    sent = 0
    for activity in due:
        if not Activity.objects.filter(pk=activity.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue  # another sweep took it
        signups = ActivitySignup.objects.filter(
            activity=activity, status=ActivitySignup.Status.CONFIRMED
        ).select_related("member")
        text = _("Reminder: “%(title)s” at %(station)s starts at %(time)s.") % {
            "title": activity.title,
            "station": activity.station.name,
            "time": timezone.localtime(activity.starts_at).strftime("%H:%M"),
        }
        for signup in signups:
            if signup.member.phone:
                key = notify.marker_key("activity-reminder", signup.pk, to=signup.member.phone)
                notify.queue_text(key, signup.member.phone, text)
                sent += 1
    return sent
