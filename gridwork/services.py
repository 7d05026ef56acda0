"""Every change to the household register and its visits goes through one function here."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork import people
from gridwork.models import CareTag, Colour, ColourChange, Household, Patrol, Person
from members.phones import normalize_phone

# Household register ------------------------------------------------------------------------------


def _require_register_keeper(by, grid):
    """The grid's worker or its community's staff keep the register (先房后人)."""
    scope = by.scope
    if scope.sees_all:
        return
    if scope.level == "grid" and by.grid_id == grid.pk:
        return
    if scope.level == "community" and by.community_id == grid.community_id:
        return
    raise PermissionDenied(_("Only the grid's worker or its community keeps this register."))


@transaction.atomic
def household_register(
    *,
    by,
    grid,
    number,
    compound=None,
    building=None,
    unit="",
    door="",
    address="",
    colour=Colour.BLUE,
    colour_reason="",
):
    """Register a dwelling: by compound → building → unit → door, or by an address (villages,
    outer grids). The household number is unique in the community."""
    _require_register_keeper(by, grid)
    number = (number or "").strip()
    errors = {}
    if not number:
        errors["number"] = _("Enter the household number.")
    elif Household.objects.filter(community_id=grid.community_id, number=number).exists():
        errors["number"] = _("This household number is already registered in the community.")
    if compound is None and not (address or "").strip():
        errors["address"] = _("Choose the compound or enter an address.")
    if compound is not None and compound.community_id != grid.community_id:
        errors["compound"] = _("The compound is not in this grid's community.")
    if building is not None and building.compound_id != getattr(compound, "pk", None):
        errors["building"] = _("The building is not in this compound.")
    if colour != Colour.BLUE and not (colour_reason or "").strip():
        errors["colour_reason"] = _("Say why the household has this colour.")
    if errors:
        raise ValidationError(errors)
    household = Household(
        number=number,
        grid=grid,
        compound=compound,
        building=building,
        unit=(unit or "").strip(),
        door=(door or "").strip(),
        address=(address or "").strip(),
    )
    household.copy_ancestors()
    household.save(force_insert=True)
    _colour_write(household, by, colour, colour_reason or _("registered"))
    from gridwork import schedule

    schedule.household_reschedule(household)
    return household


@transaction.atomic
def person_add(
    *,
    by,
    household,
    name,
    relation=Person.Relation.HEAD,
    birth_year=None,
    phone="",
    id_number="",
    care_tags=(),
):
    """Add someone to a household; the ID number is kept as its last four and a keyed hash."""
    _require_register_keeper(by, household.grid)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the resident's name.")
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        last4, hashed = people.clean_id_number(id_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        last4 = hashed = ""
    this_year = timezone.localdate().year
    if birth_year is not None and not (1900 <= int(birth_year) <= this_year):
        errors["birth_year"] = _("Enter a birth year between 1900 and this year.")
    tags = list(dict.fromkeys(care_tags or []))
    if any(t not in CareTag.values for t in tags):
        errors["care_tags"] = _("Choose the care tags from the list.")
    if relation not in Person.Relation.values:
        errors["relation"] = _("Choose the relation from the list.")
    if errors:
        raise ValidationError(errors)
    return Person.objects.create(
        household=household,
        name=name,
        relation=relation,
        birth_year=birth_year,
        phone=phone or "",
        id_last4=last4,
        id_hash=hashed,
        care_tags=tags,
    )


def _colour_write(household, by, colour, reason):
    now = timezone.now()
    ColourChange.objects.create(
        household=household,
        from_colour=household.colour if household.colour_set_at else "",
        to_colour=colour,
        reason=reason,
        by=by,
    )
    household.colour, household.colour_reason = colour, reason
    household.colour_set_by, household.colour_set_at = by, now
    household.save(update_fields=["colour", "colour_reason", "colour_set_by", "colour_set_at"])


@transaction.atomic
def household_set_colour(*, by, household, colour, reason):
    """Change a household's colour: a reason is required, and the change goes into its
    history. The visit schedule follows the new colour's policy at once."""
    _require_register_keeper(by, household.grid)
    reason = (reason or "").strip()
    if colour not in Colour.values:
        raise ValidationError({"colour": _("Choose red, yellow or blue.")})
    if not reason:
        raise ValidationError({"reason": _("Say why the colour changes.")})
    household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
    if household.colour == colour:
        raise ValidationError({"colour": _("The household already has this colour.")})
    _colour_write(household, by, colour, reason)
    from gridwork import schedule

    schedule.household_reschedule(household)
    return household


def household_look_up(*, request, household, reason):
    """An official outside the household's grid and community reads its people: only with a
    reason, and the read goes to the audit trail."""
    from security.audit import audit_personal_read

    reason = (reason or "").strip()
    if not people.may_look_up(request.user, household):
        raise PermissionDenied
    if len(reason) < 4:
        raise ValidationError({"reason": _("Say why you need to see this household's residents.")})
    audit_personal_read(
        request=request, obj=household, fields=["name", "phone"], via=f"gridwork lookup: {reason}"
    )


# Visits ------------------------------------------------------------------------------------------


def _require_visitor(by, household):
    """The household's grid worker visits it (their community's staff may too)."""
    scope = by.scope
    if scope.sees_all:
        return
    if scope.level == "grid" and by.grid_id == household.grid_id:
        return
    if scope.level == "community" and by.community_id == household.community_id:
        return
    raise PermissionDenied(_("This household is outside your grid."))


@transaction.atomic
def household_set_one_off_due(*, by, household, due_on, reason):
    """A one-off visit due date (e.g. within 24 hours after a hospital stay or a bereavement)."""
    from gridwork import schedule

    _require_visitor(by, household)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the household needs a visit.")})
    if due_on is None or due_on < schedule.today():
        raise ValidationError({"due_on": _("Choose today or a later date.")})
    household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
    household.one_off_due_on, household.one_off_reason = due_on, reason
    household.save(update_fields=["one_off_due_on", "one_off_reason"])
    schedule.household_reschedule(household)
    return household


@transaction.atomic
def visit_log(
    *,
    by,
    household,
    outcome,
    mode=None,
    note="",
    photo=None,
    follow_up=False,
    visited_on=None,
    finding_category=None,
    finding="",
):
    """Record a visit. A qualifying one (met, refused; never "not home") moves the household's
    schedule and closes its overdue flags, in this transaction. A finding becomes a grievance
    case (channel "visit") placed at the household's community and compound, linked to the
    visit, and routed and timed like any case."""
    from gridwork import flags, schedule
    from gridwork.models import Visit, VisitPolicy
    from grievances import services as case_services
    from grievances.models import Channel

    _require_visitor(by, household)
    errors = {}
    if outcome not in Visit.Outcome.values:
        errors["outcome"] = _("Choose what happened.")
    mode = mode or Visit.Mode.DOOR
    if mode not in Visit.Mode.values:
        errors["mode"] = _("Choose how the visit was made.")
    today = schedule.today()
    visited_on = visited_on or today
    if visited_on > today or visited_on < today - timedelta(days=7):
        errors["visited_on"] = _("A visit is logged within seven days.")
    finding = (finding or "").strip()
    if finding and finding_category is None:
        errors["finding_category"] = _("Choose the category of what you found.")
    if finding_category is not None and not finding:
        errors["finding"] = _("Describe what you found.")
    if errors:
        raise ValidationError(errors)
    household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
    visit = Visit(
        household=household,
        by=by,
        grid_id=household.grid_id,
        community_id=household.community_id,
        street_id=household.street_id,
        district_id=household.district_id,
        visited_on=visited_on,
        mode=mode,
        outcome=outcome,
        note=(note or "").strip(),
        follow_up=bool(follow_up),
    )
    if photo:
        visit.photo = photo
    visit.patrol_id = (
        Patrol.objects.filter(worker=by, ended_at__isnull=True).values_list("id", flat=True).first()
    )
    if finding:
        visit.case = case_services.case_submit(
            category=finding_category,
            description=finding,
            channel=Channel.VISIT,
            community=household.community,
            compound=household.compound,
            address=household.address if household.compound_id is None else household.place,
            reported_by=by,
        )
    if visit.qualifies:
        policy = VisitPolicy.objects.filter(colour=household.colour).first()
        last_on, count = schedule.count_after_visit(
            policy,
            last_on=household.last_qualifying_visit_on,
            period_visits=household.period_visits,
            visited_on=visited_on,
        )
        one_off, was_due = household.one_off_due_on, household.next_due_on
        household.last_qualifying_visit_on, household.period_visits = last_on, count
        household.one_off_due_on = None  # a qualifying visit answers the one-off date
        household.one_off_reason = "" if one_off else household.one_off_reason
        household.next_due_on = schedule.next_due(
            policy, last_on=last_on, period_visits=count, one_off_due_on=None, on=today
        )
        visit.answered_due_on = schedule.answered_due(was_due, household.next_due_on)
    visit.save(force_insert=True)
    if visit.qualifies:
        household.save(
            update_fields=[
                "last_qualifying_visit_on",
                "period_visits",
                "one_off_due_on",
                "one_off_reason",
                "next_due_on",
            ]
        )
        flags.flags_close(household=household, visit=visit)
    return visit


# Patrols ------------------------------------------------------------------------------------------


@transaction.atomic
def patrol_start(*, by):
    """A grid worker starts a walk of their grid; one walk at a time."""
    from gridwork import schedule
    from portal.models import User

    if by.role != User.Role.GRID_WORKER or by.grid_id is None:
        raise PermissionDenied(_("Only a grid worker walks a grid."))
    if Patrol.objects.filter(worker=by, ended_at__isnull=True).exists():
        raise ValidationError({"patrol": _("A patrol is already under way.")})
    return Patrol.objects.create(
        worker=by,
        grid_id=by.grid_id,
        community_id=by.community_id,
        street_id=by.street_id,
        district_id=by.district_id,
        day=schedule.today(),
        started_at=timezone.now(),
    )


@transaction.atomic
def patrol_end(*, by):
    """End the worker's walk and attach the on-the-spot cases they logged during it (visits
    were attached as they were logged)."""
    from grievances.models import Case, Channel

    now = timezone.now()
    patrol = (
        Patrol.objects.select_for_update(no_key=True)
        .filter(worker=by, ended_at__isnull=True)
        .first()
    )
    if patrol is None:
        raise ValidationError({"patrol": _("No patrol is under way.")})
    ended = Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(ended_at=now)
    if not ended:
        raise ValidationError({"patrol": _("No patrol is under way.")})
    patrol.ended_at = now
    found = Case.objects.filter(
        reported_by=by,
        channel=Channel.ON_THE_SPOT,
        created_at__gte=patrol.started_at,
        created_at__lte=now,
    ).values_list("id", flat=True)
    patrol.cases.add(*found)
    return patrol


# Problem → task → effect lists ----------------------------------------------------------------


def _list_node(by):
    """A list is kept by a street or a community (its staff)."""
    scope = by.scope
    if scope.level == "community":
        return by.community, by.street_id, by.district_id
    if scope.level == "street":
        return None, by.street_id, by.district_id
    raise PermissionDenied(_("Problem lists are kept by streets and communities."))


@transaction.atomic
def problem_take(*, by, title, source, raised_on=None, case=None):
    """问题清单: take a problem onto the street's or community's list."""
    from gridwork import rollups, schedule
    from gridwork.models import Problem

    community, street_id, district_id = _list_node(by)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what the problem is.")})
    if source not in Problem.Source.values:
        raise ValidationError({"source": _("Choose where the problem came from.")})
    problem = Problem.objects.create(
        title=title,
        source=source,
        raised_on=raised_on or schedule.today(),
        community=community,
        street_id=street_id,
        district_id=district_id,
        case=case,
        created_by=by,
    )
    rollups.problems_day_rewrite(problem.raised_on)  # taken late onto a rolled-up day
    return problem


def _own_problem(by, problem):
    from gridwork.models import Problem

    if not Problem.objects.for_user(by).filter(pk=problem.pk).exists():
        raise PermissionDenied(_("This problem is not on your list."))
    _list_node(by)


@transaction.atomic
def task_add(*, by, problem, what, owner, due_on):
    """任务清单: who does what by when."""
    from gridwork.models import Task

    _own_problem(by, problem)
    errors = {}
    if not (what or "").strip():
        errors["what"] = _("Say what is to be done.")
    if not (owner or "").strip():
        errors["owner"] = _("Say who does it.")
    if due_on is None:
        errors["due_on"] = _("Choose a date.")
    if errors:
        raise ValidationError(errors)
    return Task.objects.create(
        problem=problem, what=what.strip(), owner=owner.strip(), due_on=due_on
    )


@transaction.atomic
def task_done(*, by, task):
    from gridwork import schedule
    from gridwork.models import Task

    _own_problem(by, task.problem)
    Task.objects.filter(pk=task.pk, done_on__isnull=True).update(done_on=schedule.today())


@transaction.atomic
def problem_done(*, by, problem, effect):
    """效果清单: the problem is done when its effect is recorded."""
    from gridwork import rollups, schedule
    from gridwork.models import Problem

    _own_problem(by, problem)
    effect = (effect or "").strip()
    if not effect:
        raise ValidationError({"effect": _("Say what changed.")})
    done = Problem.objects.filter(pk=problem.pk, done_on__isnull=True).update(
        effect=effect, done_on=schedule.today()
    )
    if not done:
        raise ValidationError({"effect": _("This problem is already done.")})
    rollups.problems_day_rewrite(problem.raised_on)  # its day counts it done now
