"""The audit trail (安全审计) and the password history.

`AuditEvent` is append-only: each row carries the hash of the previous one, so an edited or a
deleted row breaks the chain (`manage.py audit_verify`); on PostgreSQL a trigger refuses UPDATE
and DELETE to every role but the archiving task's own transaction.
"""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("sign-in")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOCKOUT = "lockout", _("account locked")
        UNLOCK = "unlock", _("account unlocked")
        LOGOUT = "logout", _("sign-out")
        OTP_ENROLLED = "otp_enrolled", _("two-factor device enrolled")
        OTP_VERIFIED = "otp_verified", _("two-factor code accepted")
        OTP_FAILED = "otp_failed", _("wrong two-factor code")
        OTP_RESET = "otp_reset", _("two-factor device reset")
        RECOVERY_USED = "recovery_used", _("recovery code used")
        SESSION_EXPIRED = "session_expired", _("session expired")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        DUTY_CHANGED = "duty_changed", _("administrator duty changed")
        SUPERUSER_ACTION = "superuser_action", _("superuser action")
        CREATE = "create", _("record created")
        UPDATE = "update", _("record changed")
        DELETE = "delete", _("record deleted")
        READ_PERSONAL = "read_personal", _("personal data read")
        EXPORT = "export", _("export")
        DENIED = "denied", _("access denied")

    class Result(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    result = models.CharField(_("result"), max_length=10, choices=Result, default=Result.SUCCESS)
    # No foreign key: the trail outlives the account it names, and nothing may cascade into it.
    actor_id = models.BigIntegerField(_("account id"), null=True, blank=True)
    actor = models.CharField(_("account"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-id"]
        indexes = [
            # The audit administrator's searches: by object, and by account over a period.
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_time"),
        ]
        permissions = [
            ("unlock_account", _("Can unlock locked-out accounts")),
            ("reset_two_factor", _("Can reset a staff member's two-factor device")),
            ("export_auditevent", _("Can export the audit trail")),
            ("assign_duty", _("Can assign the administrator duties")),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.get_kind_display()}"

    def compute_hash(self):
        """SHA-256 over the previous hash and every field that tells what happened."""
        body = [
            self.prev_hash,
            self.created_at.astimezone(UTC).isoformat(),
            self.kind,
            self.result,
            self.actor_id,
            self.actor,
            self.ip,
            self.object_type,
            self.object_id,
            self.object_repr,
            self.changes,
        ]
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class AuditArchive(models.Model):
    """One archived stretch of the trail: the file it went to and the hash the chain continues
    from, so `audit_verify` checks the remaining rows from where the archive ends."""

    created_at = models.DateTimeField(_("archived at"), default=timezone.now)
    up_to_id = models.BigIntegerField(_("last archived event"))
    last_hash = models.CharField(_("hash of the last archived event"), max_length=64)
    count = models.PositiveIntegerField(_("events"))
    path = models.CharField(_("file"), max_length=300)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["-up_to_id"]

    def __str__(self):
        return self.path


class PasswordHistory(models.Model):
    """Password hashes a staff account used, so the last few cannot be chosen again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("password history")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
