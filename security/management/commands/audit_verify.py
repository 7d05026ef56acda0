from django.core.management.base import BaseCommand, CommandError

from security.audit import audit_verify
from security.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit trail's hash chain: reports edited and missing rows."

    def handle(self, *args, **options):
        problems = audit_verify()
        if problems:
            for event_id, problem in problems:
                self.stderr.write(f"audit event #{event_id}: {problem}")
            raise CommandError(f"audit trail tampered with: {len(problems)} problem(s)")
        self.stdout.write(f"audit trail intact: {AuditEvent.objects.count()} events verified")
