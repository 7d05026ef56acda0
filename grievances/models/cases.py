import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import workdays
from portal.crypto import EncryptedTextField, LookupHashField
from portal.scoping import Scope, ScopedQuerySet

# Tracking codes avoid letters residents confuse (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_tracking_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Level(models.TextChoices):
    """Where a case sits. Order matters: a case climbs grid → community → street → district."""

    GRID = "grid", _("grid")
    COMMUNITY = "community", _("community")
    STREET = "street", _("street")
    DISTRICT = "district", _("district")

    @classmethod
    def above(cls, level):
        order = list(cls)
        i = order.index(level)
        return order[i + 1] if i + 1 < len(order) else None


class Status(models.TextChoices):
    NEW = "new", _("waiting to be routed")  # 待分派
    ASSIGNED = "assigned", _("assigned, waiting to be accepted")  # 待受理
    ACCEPTED = "accepted", _("accepted")  # 已受理
    IN_PROGRESS = "in_progress", _("in progress")  # 办理中
    RESOLVED = "resolved", _("resolved")  # 已办结 (awaiting the resident's rating)
    CLOSED = "closed", _("closed")  # 已归档


OPEN_STATUSES = [Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS]
DONE_STATUSES = [Status.RESOLVED, Status.CLOSED]


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    OPEN311 = "open311", _("Open311")
    PHONE = "phone", _("phone call")  # 民意直通车 by phone
    WINDOW = "window", _("window visit")
    ON_THE_SPOT = "on_the_spot", _("on the spot")  # 随手办
    PATROL = "patrol", _("volunteer patrol")  # 平安合伙人
    VISIT = "visit", _("household visit")  # a grid worker's visit found it (未诉先办)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


def yellow_moment(since, deadline):
    """When a stay from `since` due at `deadline` turns yellow: the set share of the span (in
    calendar time, so a limit over a holiday turns yellow later in working days than 75 %)."""
    if deadline is None:
        return None
    return since + (deadline - since) * settings.CASE_YELLOW_SHARE


class CaseQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Staff see the cases of their node; a department sees the cases it was summoned to."""
        scope = Scope.of(user)
        if scope.department_id and not scope.sees_all:
            return self.filter(summonses__department_id=scope.department_id)
        return super().for_user(user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now):
        return self.open().filter(deadline__lt=now)

    def unrouted(self):
        return self.filter(routed_at__isnull=True)


class Case(models.Model):
    """One resident request, complaint or reported hazard (诉求)."""

    SCOPE_LOOKUPS = {
        "district": "district_id",
        "street": "street_id",
        "community": "community_id",
        "grid": "grid_id",
    }
    # The reporter's personal data: in full only for the case's handler, masked for others.
    PERSONAL_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")

    # Unique by a constraint, not unique=True: PostgreSQL then keeps one index, without the
    # extra LIKE-pattern one that no lookup here uses (every intake INSERT pays per index).
    code = models.CharField(_("tracking code"), max_length=16)
    category = models.ForeignKey(
        "grievances.Category", models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel, default=Channel.WEB)
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)

    # Where: the community is known at intake; the grid is found by routing.
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    compound = models.ForeignKey(
        "portal.Compound",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("compound"),
        db_index=False,  # the partial index below: many cases name no compound
    )
    # A photo the reporter's Open311 client published somewhere (GeoReport v2 media_url).
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # No single-column indexes on the places: the (place, status) indexes below lead with them,
    # and a district's cases are all its cases (dashboards read rollups, not this table).
    district = models.ForeignKey(
        "portal.District",
        models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    street = models.ForeignKey(
        "portal.Street", models.PROTECT, related_name="+", verbose_name=_("street"), db_index=False
    )
    community = models.ForeignKey(
        "portal.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    grid = models.ForeignKey(
        "portal.Grid",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
        db_index=False,
    )

    # Who reported it (personal data: masked wherever it is not needed).
    reporter_name = models.CharField(_("name"), max_length=40, blank=True)
    # Phone and e-mail are stored encrypted, each with its keyed hash (portal/crypto.py).
    reporter_phone = EncryptedTextField(
        _("phone"), blank=True, kind="phone", hash_field="reporter_phone_hash"
    )
    reporter_phone_hash = LookupHashField(source="reporter_phone")
    reporter_email = EncryptedTextField(
        _("e-mail"), blank=True, kind="email", hash_field="reporter_email_hash"
    )
    reporter_email_hash = LookupHashField(source="reporter_email")
    may_contact = models.BooleanField(_("may be contacted"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
        db_index=False,  # the partial index below: residents' own cases have none
    )

    # The member who filed it while signed in, or who attached it later with code + phone.
    member = models.ForeignKey(
        "members.Member",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("member"),
        db_index=False,  # the partial index below: most cases have none
    )

    # Where it stands.
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NEW)
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.GRID)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
        db_index=False,  # case_assignee_status leads with it
    )
    deadline = models.DateTimeField(_("time limit at this level"), null=True, blank=True)
    # When the case reached its level and what its limit there was ("24h", "7wd"): the case
    # page explains the deadline from them (portal.workdays.explain).
    level_since = models.DateTimeField(_("at this level since"), null=True, blank=True)
    deadline_basis = models.CharField(_("time limit"), max_length=8, blank=True)
    # When the yellow card (黄牌) is due at this level: CASE_YELLOW_SHARE of the way from
    # level_since to the deadline; emptied once the card is shown (services.cases_issue_cards).
    yellow_at = models.DateTimeField(_("yellow card due at"), null=True, blank=True)
    accept_deadline = models.DateTimeField(_("accept by"), null=True, blank=True)
    supervised = models.BooleanField(_("under supervision"), default=False)  # 督办
    lead_official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_cases",
        verbose_name=_("leading official"),
        db_index=False,  # the partial index below: few cases are led by an official
    )  # 领导包案
    resolution = models.TextField(_("what was done"), blank=True)
    resolved_level = models.CharField(
        _("resolved at level"), max_length=10, choices=Level, blank=True
    )
    reopened = models.BooleanField(_("reopened once"), default=False)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)

    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # PIPL: a year (CASE_ANONYMISE_AFTER_DAYS) after resolution, the reporter's name, phone and
    # e-mail and the photos are erased (services.cases_anonymise); the case and its figures stay.
    anonymised_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # A duplicate merged into the case that is handled (services.case_merge): closed here, its
    # reporter follows the parent and hears when it is resolved; the figures count the parent.
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
        db_index=False,  # the partial index below: few cases are duplicates
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            # The routing sweeper: unrouted cases are few, so this index stays tiny.
            models.Index(fields=["id"], condition=Q(routed_at__isnull=True), name="case_unrouted"),
            # The escalation sweep and "overdue now": open cases by deadline.
            models.Index(
                fields=["deadline"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_deadline",
            ),
            # The card sweep: open cases whose yellow card is still to come.
            models.Index(
                fields=["yellow_at"],
                condition=Q(status__in=OPEN_STATUSES, yellow_at__isnull=False),
                name="case_yellow_due",
            ),
            # The anonymisation sweep: done cases still holding personal data, oldest first.
            models.Index(
                fields=["resolved_at"],
                condition=Q(status__in=DONE_STATUSES, anonymised_at__isnull=True),
                name="case_done_not_anonymised",
            ),
            models.Index(fields=["community", "status"], name="case_community_status"),
            # 我的诉求 on /me/: only the few cases that have a member.
            models.Index(
                fields=["member", "-created_at"],
                condition=Q(member__isnull=False),
                name="case_member_newest",
            ),
            # A parent's merged duplicates (their reporters hear of its resolution).
            models.Index(
                fields=["parent"], condition=Q(parent__isnull=False), name="case_duplicates"
            ),
            models.Index(fields=["street", "status"], name="case_street_status"),
            # Partial where the column is often empty: a new case has no grid or assignee yet
            # (routing sets them), and every intake INSERT pays one entry per index it enters.
            # Lookups by a value (grid_id = 7) use them all the same.
            models.Index(
                fields=["grid", "status"], condition=Q(grid__isnull=False), name="case_grid_status"
            ),
            models.Index(
                fields=["assignee", "status"],
                condition=Q(assignee__isnull=False),
                name="case_assignee_status",
            ),
            models.Index(
                fields=["compound"], condition=Q(compound__isnull=False), name="case_compound"
            ),
            models.Index(
                fields=["reported_by"],
                condition=Q(reported_by__isnull=False),
                name="case_reported_by",
            ),
            models.Index(
                fields=["lead_official"],
                condition=Q(lead_official__isnull=False),
                name="case_lead_official",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="case_code_unique"),
            models.CheckConstraint(
                condition=Q(rating="") | Q(status__in=DONE_STATUSES) | Q(reopened=True),
                name="case_rated_only_when_done",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=DONE_STATUSES) | ~Q(resolved_level=""),
                name="case_done_has_level",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def enter_level(self, level, at, calendar=None, limit=None):
        """Place the case at `level` from `at`, with that level's time limit (not saved).
        A batch that moves many cases at one moment passes the `limit` it computed once."""
        limit = limit or self.category.deadline_from(level, at, calendar)
        self.level, self.level_since = level, at
        self.deadline, self.deadline_basis = limit.at, limit.basis
        self.yellow_at = yellow_moment(at, limit.at)

    def card(self, now):
        """The card the case shows now at its level: "red" past the limit, "yellow" past the set
        share of it (CASE_YELLOW_SHARE), else ""."""
        if not (self.is_open and self.deadline and self.level_since):
            return ""
        if now >= self.deadline:
            return "red"
        if now >= yellow_moment(self.level_since, self.deadline):
            return "yellow"
        return ""

    def deadline_reason(self):
        """Why the deadline is where it is ("7个工作日，遇国庆节顺延")."""
        if not (self.deadline and self.level_since):
            return ""
        return workdays.explain(self.level_since, self.deadline, self.deadline_basis)

    def masked_phone(self):
        p = self.reporter_phone
        return f"{p[:3]}****{p[-4:]}" if len(p) >= 8 else ("****" if p else "")

    def masked_name(self):
        return f"{self.reporter_name[0]}**" if self.reporter_name else ""


class CaseEvent(models.Model):
    """One immutable step in a case's life: who did what, when, from which level to which."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", _("accepted")
        STARTED = "started", _("work started")
        RESOLVED = "resolved", _("resolved")
        REPORTED_UP = "reported_up", _("reported up")  # 上报
        ESCALATED = "escalated", _("moved up: time limit ran out")
        SUMMONED = "summoned", _("departments summoned")  # 吹哨
        ANSWERED = "answered", _("department answered")  # 报到
        SUPERVISED = "supervised", _("put under supervision")  # 督办
        RATED = "rated", _("rated by the resident")
        REOPENED = "reopened", _("reopened")
        CLOSED = "closed", _("closed")
        NOTE = "note", _("note")
        YELLOW_CARD = "yellow_card", _("yellow card: the time limit is near")  # 黄牌
        RED_CARD = "red_card", _("red card: the time limit ran out")  # 红牌
        MERGED = "merged", _("merged into another case")  # 合并
        MERGED_IN = "merged_in", _("a duplicate was merged in")
        EXT_ASKED = "ext_asked", _("more time asked for")  # 延期申请
        EXT_APPROVED = "ext_approved", _("more time approved")
        EXT_REFUSED = "ext_refused", _("more time refused")

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=Kind)
    from_level = models.CharField(_("from level"), max_length=10, choices=Level, blank=True)
    to_level = models.CharField(_("to level"), max_length=10, choices=Level, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_time")]

    def __str__(self):
        return f"{self.case_id} {self.kind}"


class Summons(models.Model):
    """A street "blows the whistle" (街道吹哨): a district department must answer (部门报到)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="summonses")
    department = models.ForeignKey(
        "portal.Department",
        models.PROTECT,
        related_name="summonses",
        verbose_name=_("department"),
    )
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("what is asked"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="summons_once_per_dept")
        ]

    def __str__(self):
        return f"{self.case_id} → {self.department_id}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="cases/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.image.name
