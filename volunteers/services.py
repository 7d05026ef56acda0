"""Every change in the volunteers app goes through one function here."""

import hashlib
import hmac
from datetime import datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members.services import member_mark_served, member_register_by_proxy
from portal import notify
from portal.idnumbers import resident_id_ok
from portal.inserts import insert_unless_duplicate
from portal.scoping import Scope
from portal.workdays import SHANGHAI
from stations.geo import haversine_m
from volunteers import rollups
from volunteers.models import (
    Activity,
    Certificate,
    PatrolReport,
    ServiceRecord,
    Signup,
    Team,
    TeamMembership,
    Volunteer,
)
from volunteers.models.certificates import new_certificate_number
from volunteers.models.volunteers import SCOPE_LOOKUPS, Availability, Skill
from volunteers.signals import hours_confirmed

ROUND_TO_MINUTES = 15  # hours are counted in whole quarter hours, rounded down
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
CHECKOUT_CLOSES_AFTER = timedelta(hours=6)  # later check-outs are the organiser's to enter


def _place_of(row):
    return {
        "community_id": row.community_id,
        "street_id": row.street_id,
        "district_id": row.district_id,
    }


# Volunteers ---------------------------------------------------------------------------------------


def _id_hash(number):
    key = hashlib.sha256(f"volunteers.id:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def volunteer_number(member_id):
    """The unified volunteer number shown and printed, never the ID number."""
    return f"ZY{member_id:08d}"


def _clean_choices(values, choices, field):
    values = list(dict.fromkeys(values or []))
    if any(v not in choices.values for v in values):
        raise ValidationError({field: _("Choose from the list.")})
    return values


@transaction.atomic
def volunteer_register(
    *,
    member,
    real_name,
    id_type,
    id_number,
    consent,
    community=None,
    skills=(),
    availability=(),
    show_publicly=False,
    party_member_in_service=False,
    work_unit="",
    by=None,
    paper_ref="",
):
    """Register (or update) a member's volunteer profile. The ID number is kept as its last four
    characters and a keyed hash; one ID on two accounts is refused."""
    real_name = (real_name or "").strip()
    id_number = "".join((id_number or "").split()).upper()
    errors = {}
    if not real_name:
        errors["real_name"] = _("Enter your real name.")
    if id_type not in Volunteer.IdType.values:
        errors["id_type"] = _("Choose the type of ID.")
    if len(id_number) < 6:
        errors["id_number"] = _("Enter the full ID number.")
    elif id_type == Volunteer.IdType.RESIDENT and not resident_id_ok(id_number):
        errors["id_number"] = _("This is not a valid resident ID number.")
    if not consent:
        errors["consent"] = _("Agree to the volunteer terms to register.")
    work_unit = (work_unit or "").strip()
    if party_member_in_service and not work_unit:
        errors["work_unit"] = _("An in-service party member gives their work unit.")
    community = community or member.home_community
    if community is None:
        errors["community"] = _("Choose the community you serve in.")
    if errors:
        raise ValidationError(errors)
    skills = _clean_choices(skills, Skill, "skills")
    availability = _clean_choices(availability, Availability, "availability")
    id_hash = _id_hash(id_number)
    if Volunteer.objects.filter(id_hash=id_hash).exclude(member=member).exists():
        raise ValidationError({"id_number": _("This ID is registered to another account.")})
    volunteer = Volunteer.objects.select_for_update(no_key=True).filter(member=member).first()
    volunteer = volunteer or Volunteer(
        member=member,
        number=volunteer_number(member.pk),
        consented_at=timezone.now(),
        registered_by=by,
        consent_paper_ref=paper_ref,
    )
    volunteer.real_name = real_name
    volunteer.id_type = id_type
    volunteer.id_last4 = id_number[-4:]
    volunteer.id_hash = id_hash
    volunteer.skills = skills
    volunteer.availability = availability
    volunteer.show_publicly = bool(show_publicly)
    volunteer.party_member_in_service = bool(party_member_in_service)
    volunteer.work_unit = work_unit if party_member_in_service else ""
    volunteer.community = community
    volunteer.copy_ancestors()
    volunteer.save()
    member_mark_served(member=member, **_place_of(volunteer))
    return volunteer


def volunteer_register_by_staff(*, by, phone, display_name, community, paper_ref, **profile):
    """代办: staff register someone as a volunteer, on the signed paper form; a number not yet a
    member becomes one (the member's own paper consent)."""
    from members.models import Member
    from members.services import normalize_phone

    if not Scope.of(by).covers(community, SCOPE_LOOKUPS | {"community": "id"}):
        raise PermissionDenied(_("You can only register people in your own area."))
    if not (paper_ref or "").strip():
        raise ValidationError({"paper_ref": _("Enter the number of the signed paper form.")})
    with transaction.atomic():
        member = Member.objects.filter(phone=normalize_phone(phone)).first()
        if member is None:
            member = member_register_by_proxy(
                by=by,
                phone=phone,
                display_name=display_name,
                home_community=community,
                paper_ref=paper_ref,
            )
        return volunteer_register(
            member=member,
            community=community,
            consent=True,
            by=by,
            paper_ref=paper_ref.strip(),
            **profile,
        )


# Teams --------------------------------------------------------------------------------------------


def team_join_ask(*, team, volunteer):
    """Ask to join a team; asking again changes nothing, a declined volunteer may ask again."""
    membership, created = TeamMembership.objects.get_or_create(team=team, volunteer=volunteer)
    if not created and membership.status == TeamMembership.Status.REJECTED:
        TeamMembership.objects.filter(pk=membership.pk, status="rejected").update(
            status=TeamMembership.Status.PENDING, asked_at=timezone.now(), decided_by=None
        )
        membership.refresh_from_db()
    return membership


def team_join_decide(*, membership, by, approve):
    """The team's leader (a volunteer, not a staff account) approves or declines a request."""
    team = membership.team
    if not team.is_leader(by):
        raise PermissionDenied(_("Only the team's leader decides who joins."))
    status = TeamMembership.Status.APPROVED if approve else TeamMembership.Status.REJECTED
    done = TeamMembership.objects.filter(pk=membership.pk, status="pending").update(
        status=status, decided_by=by, decided_at=timezone.now()
    )
    if not done:
        raise ValidationError(_("This request was decided already."))
    membership.refresh_from_db()
    return membership


def team_leader_appoint(*, team, volunteer, by, request=None):
    """Staff of the team's area make a volunteer its leader: a pending request (or none) becomes
    an approved leadership. Who appointed them and when are kept on the membership and in the
    audit trail. Appointing a leader again changes nothing."""
    from security.audit import audit_record
    from security.models import AuditEvent

    if not Scope.of(by).covers(team, SCOPE_LOOKUPS):
        raise PermissionDenied(_("This team is not in your area."))
    with transaction.atomic():
        membership, _created = TeamMembership.objects.select_for_update(no_key=True).get_or_create(
            team=team, volunteer=volunteer
        )
        if membership.role == TeamMembership.Role.LEADER:
            return membership
        now = timezone.now()
        before = {"role": membership.role, "status": membership.status}
        membership.role = TeamMembership.Role.LEADER
        membership.status = TeamMembership.Status.APPROVED
        membership.decided_at = membership.decided_at or now
        membership.appointed_by, membership.appointed_at = by, now
        membership.save()
        audit_record(
            kind=AuditEvent.Kind.UPDATE,
            request=request,
            actor=by,
            obj=membership,
            changes={
                "action": "team leader appointed",
                "team": team.pk,
                "volunteer": volunteer.number,
                "before": before,
            },
        )
    return membership


def team_save(*, team, by):
    if team.community_id is None and team.street_id is None:
        raise ValidationError({"street": _("A team belongs to a community or a street.")})
    team.copy_ancestors()
    if not Scope.of(by).covers(team, SCOPE_LOOKUPS):
        raise PermissionDenied(_("You can only keep teams in your own area."))
    team.full_clean()
    team.save()
    return team


# Activities ---------------------------------------------------------------------------------------


def activity_save(*, activity, by):
    """Post or change an activity in the user's area; capacity never below the places taken."""
    if not (activity.team_id or activity.community_id or activity.street_id):
        raise ValidationError(_("Say who organises it: a community, a street or a team."))
    activity.copy_ancestors()
    if not Scope.of(by).covers(activity, SCOPE_LOOKUPS):
        raise PermissionDenied(_("You can only post activities in your own area."))
    before = None
    if activity.pk:
        taken, before = Activity.objects.filter(pk=activity.pk).values_list(
            "taken", "starts_at"
        ).first() or (0, None)
        if taken and activity.capacity < taken:
            raise ValidationError({"capacity": _("%(n)d places are taken already.") % {"n": taken}})
    activity.skills_wanted = _clean_choices(activity.skills_wanted, Skill, "skills_wanted")
    if activity.checkin_radius_m and activity.lat is None:
        raise ValidationError({"checkin_radius_m": _("A distance check needs the map point.")})
    activity.posted_by = activity.posted_by or by
    activity.full_clean(exclude=["taken"])
    with transaction.atomic():
        activity.save()
        # An activity posted into (or moved out of) a rolled-up day rolls that day up again.
        rollups.activity_changed(activity)
        if before is not None and before != activity.starts_at:
            rollups.day_rebuild(timezone.localtime(before, SHANGHAI).date())
    return activity


@cache
def _sql():
    """The sign-up's hot statements, written out once: on a burst of sign-ups, compiling their
    F() and EXISTS expressions through the ORM cost more CPU than running them."""
    q = connection.ops.quote_name
    act, signup = q(Activity._meta.db_table), q(Signup._meta.db_table)
    return {
        "take_place": f"UPDATE {act} SET {q('taken')} = {q('taken')} + 1 "  # noqa: S608
        f"WHERE {q('id')} = %s AND {q('taken')} < {q('capacity')}",
        "fill_needed": f"SELECT EXISTS (SELECT 1 FROM {act} WHERE {q('id')} = %s "  # noqa: S608
        f"AND {q('taken')} < {q('capacity')}) AND EXISTS (SELECT 1 FROM {signup} "
        f"WHERE {q('activity_id')} = %s AND {q('status')} = %s)",
    }


def _take_place(activity_id):
    """One conditional UPDATE: a place if one is left, never one more than the capacity."""
    with connection.cursor() as cursor:
        cursor.execute(_sql()["take_place"], [activity_id])
        return cursor.rowcount


def overlapping(*, activity, volunteer):
    """The volunteer's other live sign-ups whose time overlaps this activity's."""
    return list(
        Activity.objects.filter(
            signups__volunteer=volunteer,
            signups__status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITING],
            starts_at__lt=activity.ends_at,
            ends_at__gt=activity.starts_at,
        ).exclude(pk=activity.pk)
    )


def activity_sign_up(*, activity, volunteer, tell_if_new=False):
    """Sign up: a place while there is one (a conditional UPDATE on the taken counter, so
    concurrent sign-ups never overbook), else the waiting list. Signing up twice returns the
    existing sign-up (with `tell_if_new`: and whether this call made it). A sign-up that went
    on the waiting list looks once more after its commit for a place a concurrent cancel freed
    (see `waiting_list_fill`)."""
    with transaction.atomic():
        signup, created = _sign_up(activity, volunteer)
    waiting = created and signup.status == Signup.Status.WAITING
    if waiting and signup.pk in _after_commit_fill(activity.pk):
        signup.status = Signup.Status.CONFIRMED
    return (signup, created) if tell_if_new else signup


def _sign_up(activity, volunteer):
    """The new sign-up goes in as waiting (INSERT … ON CONFLICT DO NOTHING: a second one of the
    same volunteer is refused by the constraint, no error) and takes a place when the
    conditional UPDATE finds one; an earlier sign-up is answered as it is, or, cancelled, goes
    again from the back of the queue."""
    if activity.starts_at <= timezone.now():
        raise ValidationError(_("This activity has started; sign-up is closed."))
    signup = Signup(
        activity=activity,
        volunteer=volunteer,
        status=Signup.Status.WAITING,
        created_at=timezone.now(),
    )
    if insert_unless_duplicate(signup):
        if _take_place(activity.pk):
            Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.CONFIRMED)
            signup.status = Signup.Status.CONFIRMED
    else:
        signup = Signup.objects.select_for_update(no_key=True).get(
            activity=activity, volunteer=volunteer
        )
        if signup.status != Signup.Status.CANCELLED:
            return signup, False
        took = _take_place(activity.pk)
        signup.status = Signup.Status.CONFIRMED if took else Signup.Status.WAITING
        signup.created_at = timezone.now()  # back of the queue
        signup.save(update_fields=["status", "created_at"])
    member_mark_served(member=volunteer.member, **_place_of(activity))
    return signup, True


def activity_cancel(*, signup):
    """Cancel a sign-up; a freed place goes to the first on the waiting list, who is told.
    After the commit the waiting list is looked at once more (see `waiting_list_fill`)."""
    with transaction.atomic():
        promoted, freed = _cancel(signup)
    if freed:
        filled = _after_commit_fill(signup.activity_id)
        if promoted is None and filled:
            promoted = Signup.objects.get(pk=filled[0])
    return promoted


def _cancel(signup):
    signup = Signup.objects.select_for_update(no_key=True).get(pk=signup.pk)
    if signup.status == Signup.Status.CANCELLED:
        return None, False
    was_confirmed = signup.status == Signup.Status.CONFIRMED
    signup.status = Signup.Status.CANCELLED
    signup.save(update_fields=["status"])
    if not was_confirmed:
        return None, False
    # Lock the activity so two cancellations promote two different people (first, as
    # `waiting_list_fill` does, so the rollup's marker row is always locked after it). FOR NO
    # KEY UPDATE, like every row lock here: it excludes the other cancels and the conditional
    # UPDATE but not a sign-up's deferred foreign-key check at its commit; FOR UPDATE blocked
    # that check, and a sign-up holding a place deadlocked with a cancel waiting for the row.
    activity = Activity.objects.select_for_update(no_key=True).get(pk=signup.activity_id)
    rollups.activity_changed(activity)
    promoted = _promote_first_waiting(activity)
    if promoted is None:
        Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
        return None, True
    return promoted, False


def _promote_first_waiting(activity):
    """Give the place the caller holds to the oldest waiting sign-up (the caller has the
    activity row locked); the promoted volunteer is told by SMS after the commit."""
    promoted = (
        Signup.objects.select_for_update(no_key=True, of=("self",))
        .filter(activity_id=activity.pk, status=Signup.Status.WAITING)
        .select_related("volunteer__member")
        .order_by("created_at", "id")
        .first()
    )
    if promoted is None:
        return None
    promoted.status = Signup.Status.CONFIRMED
    promoted.save(update_fields=["status"])
    phone = promoted.volunteer.member.phone
    if phone:
        text = _("A place came free: you are in for “%(title)s” on %(when)s.") % {
            "title": activity.title,
            "when": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M"),
        }
        key = notify.marker_key("volunteer-promoted", promoted.pk, to=phone)
        transaction.on_commit(lambda: notify.queue_text(key, phone, text))
    return promoted


def waiting_list_fill(*, activity_id):
    """Free places go to the waiting list, oldest first; returns the promoted sign-ups' ids.

    Why it exists: a sign-up that found the activity full inserts its waiting row, uncommitted,
    while a cancel may be looking for the first waiting person; the cancel cannot see that row
    and gives the place back to the counter, and the sign-up commits as waiting beside a free
    place. Both paths call this after their commit, each with a plain read first: whichever
    commits second sees the other's work (the cancel's freed place, or the waiting row), so
    after any cancel a waiting person gets the place. The promotion itself runs under the
    activity row lock, the one the cancels and the conditional UPDATE take."""
    with connection.cursor() as cursor:  # a free place and someone waiting, in one read
        cursor.execute(
            _sql()["fill_needed"], [activity_id, activity_id, Signup.Status.WAITING.value]
        )
        if not cursor.fetchone()[0]:
            return []
    promoted = []
    with transaction.atomic():
        activity = Activity.objects.select_for_update(no_key=True).get(pk=activity_id)
        while _take_place(activity.pk):
            signup = _promote_first_waiting(activity)
            if signup is None:
                Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
                break
            promoted.append(signup.pk)
        if promoted:
            rollups.activity_changed(activity)
    return promoted


def _after_commit_fill(activity_id):
    """Run `waiting_list_fill` now when our transaction has committed, else when the caller's
    outer one does (its result is then not known here)."""
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: waiting_list_fill(activity_id=activity_id))
        return []
    return waiting_list_fill(activity_id=activity_id)


# Check-in and check-out ---------------------------------------------------------------------------


def rounded_minutes(*, activity, checked_in_at, checked_out_at):
    """The stated rule: check-out − check-in, rounded down to the quarter hour, and never more
    than the activity's own span."""
    raw = int((checked_out_at - checked_in_at).total_seconds() // 60)
    return min(raw, activity.span_minutes) // ROUND_TO_MINUTES * ROUND_TO_MINUTES


def _near_enough(activity, point):
    if not activity.checkin_radius_m or activity.lat is None:
        return True
    if point is None:
        raise ValidationError(_("Allow the location: this activity checks you are at the place."))
    distance = haversine_m(float(activity.lat), float(activity.long), point[0], point[1])
    if distance > activity.checkin_radius_m:
        raise ValidationError(
            _("You are %(d)d m from the place; check in when you are there.") % {"d": distance}
        )
    return True


def check_in(*, activity, volunteer, by=None, point=None, now=None):
    """签到: the organiser scanned the member code (`by`), or the volunteer opened the
    activity's QR (`by` None; the distance is checked when the activity asks for it). Once per
    volunteer and activity; a walk-in takes a free place if there is one."""
    now = now or timezone.now()
    if not (activity.starts_at - CHECKIN_OPENS_BEFORE <= now <= activity.ends_at):
        raise ValidationError(_("Check-in opens an hour before the start and ends with it."))
    if by is None:
        _near_enough(activity, point)
    with transaction.atomic():
        signup = (
            Signup.objects.select_for_update(no_key=True)
            .filter(activity=activity, volunteer=volunteer)
            .first()
        )
        if signup is None or signup.status != Signup.Status.CONFIRMED:
            if not _take_place(activity.pk):
                raise ValidationError(_("The activity is full."))
            signup = signup or Signup(activity=activity, volunteer=volunteer, created_at=now)
            signup.status = Signup.Status.CONFIRMED
            signup.save()
        record = ServiceRecord(
            activity=activity, volunteer=volunteer, checked_in_at=now, checked_in_by=by
        )
        record.copy_ancestors()
        if not insert_unless_duplicate(record):
            raise ValidationError(_("Already checked in."))
        rollups.activity_changed(activity)
    member_mark_served(member=volunteer.member, **_place_of(activity))
    return record


def check_out(*, activity, volunteer, by=None, point=None, at=None, now=None):
    """签退: closes the volunteer's open record and counts its minutes by the rounding rule.
    The organiser may give the time of a check-out the volunteer forgot (`at`)."""
    now = now or timezone.now()
    at = at or now
    if at > now:
        raise ValidationError({"at": _("A check-out cannot be in the future.")})
    if by is None:
        if at > activity.ends_at + CHECKOUT_CLOSES_AFTER:
            raise ValidationError(_("Check-out has closed; ask the organiser."))
        _near_enough(activity, point)
    with transaction.atomic():
        record = (
            ServiceRecord.objects.select_for_update(no_key=True)
            .filter(activity=activity, volunteer=volunteer, corrects__isnull=True)
            .first()
        )
        if record is None:
            raise ValidationError(_("Not checked in: check in first."))
        if record.status != ServiceRecord.Status.OPEN:
            raise ValidationError(_("Already checked out."))
        if at <= record.checked_in_at:
            raise ValidationError({"at": _("The check-out must come after the check-in.")})
        record.checked_out_at = at
        record.checked_out_by = by
        record.minutes = rounded_minutes(
            activity=activity, checked_in_at=record.checked_in_at, checked_out_at=at
        )
        record.status = ServiceRecord.Status.RECORDED
        record.save(update_fields=["checked_out_at", "checked_out_by", "minutes", "status"])
        rollups.activity_changed(activity)
    return record


# Confirmation (谁组织谁记录、谁记录谁证明) ----------------------------------------------


def _organiser_only(record, by):
    if not record.activity.organised_by(by):
        raise PermissionDenied(_("Only the organising body confirms its activity's hours."))


@transaction.atomic
def _decide(record, by, **values):
    """Decide a record once: the conditional UPDATE matches only a record still waiting, so a
    decided (frozen) record never changes."""
    _organiser_only(record, by)
    with transaction.atomic():
        done = ServiceRecord.objects.filter(
            pk=record.pk, status=ServiceRecord.Status.RECORDED
        ).update(decided_by=by, decided_at=timezone.now(), **values)
        if not done:
            if record.status == ServiceRecord.Status.OPEN:
                raise ValidationError(_("The volunteer has not checked out yet."))
            raise ValidationError(
                _("This record is decided and frozen; enter a correction instead.")
            )
        record.refresh_from_db()
        rollups.activity_changed(record.activity)
        if record.status == ServiceRecord.Status.CONFIRMED:
            hours_confirmed.send(sender=ServiceRecord, record=record)
    return record


def _check_minutes(record, minutes):
    if minutes is None or minutes < 0:
        raise ValidationError({"minutes": _("Enter the minutes served.")})
    if minutes > record.activity.span_minutes:
        raise ValidationError(
            {
                "minutes": _("More than the activity's span (%(n)d minutes).")
                % {"n": record.activity.span_minutes}
            }
        )


def record_confirm(*, record, by):
    """The organiser confirms the counted minutes as they are."""
    return _decide(
        record,
        by,
        status=ServiceRecord.Status.CONFIRMED,
        confirmed_minutes=F("minutes"),
    )


def record_adjust(*, record, by, minutes, reason):
    """The organiser confirms other minutes than counted, saying why."""
    _organiser_only(record, by)
    _check_minutes(record, minutes)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the hours are adjusted.")})
    return _decide(
        record,
        by,
        status=ServiceRecord.Status.CONFIRMED,
        confirmed_minutes=minutes,
        reason=reason.strip(),
    )


def record_reject(*, record, by, reason):
    _organiser_only(record, by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the record is rejected.")})
    return _decide(record, by, status=ServiceRecord.Status.REJECTED, reason=reason.strip())


@transaction.atomic
def record_correct(*, record, by, minutes, reason):
    """A correction of a decided record: a new, confirmed record that refers to the old one,
    which stays as it was (marked superseded so the hours count once)."""
    _organiser_only(record, by)
    _check_minutes(record, minutes)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    done = ServiceRecord.objects.filter(
        pk=record.pk, status__in=[ServiceRecord.Status.CONFIRMED, ServiceRecord.Status.REJECTED]
    ).update(status=ServiceRecord.Status.SUPERSEDED)
    if not done:
        raise ValidationError(_("Only a confirmed or rejected record can be corrected."))
    now = timezone.now()
    correction = ServiceRecord(
        activity=record.activity,
        volunteer=record.volunteer,
        status=ServiceRecord.Status.CONFIRMED,
        checked_in_at=record.checked_in_at,
        checked_out_at=record.checked_out_at,
        minutes=record.minutes,
        confirmed_minutes=minutes,
        decided_by=by,
        decided_at=now,
        reason=reason.strip(),
        corrects=record,
    )
    correction.copy_ancestors()
    try:
        with transaction.atomic():
            correction.save()
    except IntegrityError as exc:
        raise ValidationError(_("This record was corrected already.")) from exc
    rollups.activity_changed(record.activity)
    hours_confirmed.send(sender=ServiceRecord, record=correction)
    return correction


def record_ask_correction(*, record, volunteer, note):
    """The volunteer asks the organiser to correct one of their records."""
    if record.volunteer_id != volunteer.pk:
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what is wrong.")})
    ServiceRecord.objects.filter(pk=record.pk).update(correction_asked=note[:200])
    record.refresh_from_db()
    return record


# Certificates (志愿服务证明) ------------------------------------------------------------------


def _issuer_node(by):
    """The body a staff account issues for: its community, street or district (a grid worker
    records nothing and issues nothing)."""
    if not by.is_authenticated or not by.is_active or by.grid_id is not None:
        return None
    return by.community or by.street or by.district


def certificate_records(*, by, volunteer, period_start, period_end):
    """谁记录谁证明: the volunteer's confirmed records of activities in the issuing body's area,
    in the period (local dates of the activities)."""
    start = datetime.combine(period_start, time.min, SHANGHAI)
    end = datetime.combine(period_end + timedelta(days=1), time.min, SHANGHAI)
    return (
        ServiceRecord.objects.for_user(by)
        .filter(
            volunteer=volunteer,
            status=ServiceRecord.Status.CONFIRMED,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .select_related("activity", "activity__team", "activity__community", "activity__street")
        .order_by("activity__starts_at", "id")
    )


def _check_period(period_start, period_end):
    if period_start is None or period_end is None:
        raise ValidationError({"period_end": _("Give the first and the last day.")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The last day comes before the first.")})
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": _("The period cannot end in the future.")})


def certificate_ask(*, volunteer, period_start, period_end):
    """The volunteer asks their community for a certificate of a period; staff issue it. One
    open request at a time: asking again changes the period of the open one."""
    _check_period(period_start, period_end)
    with transaction.atomic():
        Volunteer.objects.select_for_update(no_key=True).get(pk=volunteer.pk)
        open_request = Certificate.objects.filter(
            volunteer=volunteer, status=Certificate.Status.REQUESTED
        ).first()
        cert = open_request or Certificate(volunteer=volunteer, status="requested")
        cert.period_start, cert.period_end = period_start, period_end
        cert.asked_at = timezone.now()
        cert.community_id = volunteer.community_id
        cert.street_id, cert.district_id = volunteer.street_id, volunteer.district_id
        cert.save()
    return cert


@transaction.atomic
def certificate_issue(
    *, by, volunteer, period_start, period_end, handler, contact, request=None, now=None
):
    """Issue a certificate from confirmed records only, the facts copied in (frozen): name,
    volunteer number, period, activities, hours, issuing body, handler and contact, an
    unguessable number and the date. A request is issued once."""
    node = _issuer_node(by)
    if node is None:
        raise PermissionDenied(_("Only community, street or district staff issue certificates."))
    # A volunteer of another area may have served here too: the body's own records decide.
    _check_period(period_start, period_end)
    handler, contact = (handler or "").strip(), (contact or "").strip()
    errors = {}
    if not handler:
        errors["handler"] = _("Enter the name of the handler.")
    if not contact:
        errors["contact"] = _("Enter a contact phone number.")
    if errors:
        raise ValidationError(errors)
    records = list(
        certificate_records(
            by=by, volunteer=volunteer, period_start=period_start, period_end=period_end
        )
    )
    if not records:
        raise ValidationError(
            {"period_end": _("No confirmed hours in this period recorded by your body.")}
        )
    now = now or timezone.now()
    if request is not None:
        cert = Certificate.objects.select_for_update(no_key=True).filter(pk=request.pk).first()
        if cert is None or cert.volunteer_id != volunteer.pk:
            raise ValidationError(_("This request is not this volunteer's."))
        if cert.status != Certificate.Status.REQUESTED:
            raise ValidationError(_("This request was issued already."))
    else:
        cert = Certificate(volunteer=volunteer, asked_at=None)
    cert.status = Certificate.Status.ISSUED
    cert.period_start, cert.period_end = period_start, period_end
    cert.real_name = volunteer.real_name
    cert.volunteer_number = volunteer.number
    cert.activities = [
        {
            "record": r.pk,
            "title": r.activity.title,
            "date": timezone.localtime(r.activity.starts_at).date().isoformat(),
            "organiser": str(r.activity.organiser),
            "minutes": r.confirmed_minutes,
        }
        for r in records
    ]
    cert.minutes = sum(r.confirmed_minutes for r in records)
    cert.issuing_body = str(node)
    cert.handler, cert.contact = handler[:30], contact[:40]
    cert.issued_by, cert.issued_at = by, now
    cert.community_id = by.community_id
    cert.street_id = by.street_id or volunteer.street_id
    cert.district_id = by.district_id or volunteer.district_id
    for attempt in range(3):
        cert.number = new_certificate_number(timezone.localtime(now).year)
        try:
            with transaction.atomic():
                cert.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
            if cert._state.adding:
                cert.pk = None
    return cert


# Patrol reports (平安合伙人) ------------------------------------------------------------------


def patrol_teams(volunteer):
    """The safety-patrol teams the volunteer is an approved member of."""
    return Team.objects.filter(
        kind=Team.Kind.SAFETY,
        memberships__volunteer=volunteer,
        memberships__status=TeamMembership.Status.APPROVED,
    ).order_by("name")


@transaction.atomic
def patrol_report_file(
    *, volunteer, team, category, description, community, address="", lat=None, long=None, photos=()
):
    """A 平安合伙人 on patrol files a hazard: a case through the grievance intake (channel
    "patrol", the volunteer's member as its member and reporter), linked to their volunteer
    record and team. It routes like any case once the transaction commits."""
    from grievances.models import Channel
    from grievances.services import case_submit

    if not patrol_teams(volunteer).filter(pk=team.pk).exists():
        raise PermissionDenied(_("Only members of a safety patrol team file patrol reports."))
    description = (description or "").strip()
    if len(description) < 5:
        raise ValidationError({"description": _("Describe the hazard in a few words.")})
    if (lat is None) != (long is None):
        raise ValidationError({"lat": _("The location sent is not valid.")})
    member = volunteer.member
    case = case_submit(
        category=category,
        description=description,
        channel=Channel.PATROL,
        community=community,
        address=(address or "").strip(),
        lat=lat,
        long=long,
        reporter_name=volunteer.real_name,
        reporter_phone=member.phone or "",
        may_contact=True,
        photos=photos,
        member=member,
    )
    report = PatrolReport(case=case, volunteer=volunteer, team=team)
    report.community_id, report.street_id = case.community_id, case.street_id
    report.district_id = case.district_id
    report.save()
    return report
