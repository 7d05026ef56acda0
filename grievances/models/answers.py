"""Answer templates (答复模板): staff start a resolve note from one; a category's resident message
on resolution follows one. Placeholders in braces are filled with the case's fields."""

import logging
import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = ("code", "category", "place", "address", "submitted", "today", "resolution")

# What a template is tried against when saved: every placeholder filled as a real case fills it.
SAMPLE_FACTS = {
    "code": "7KQ4M2XR9T",
    "category": "楼道照明",
    "place": "沿江一网格",
    "address": "3栋2单元",
    "submitted": "2025-01-02",
    "today": "2025-01-09",
    "resolution": "已更换灯泡。",
}

log = logging.getLogger(__name__)


def _braced(names):
    return ", ".join("{" + name + "}" for name in names)


class AnswerTemplate(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("resolve note (staff start from it)")
        RESIDENT = "resident", _("message to the resident on resolution")

    kind = models.CharField(_("used for"), max_length=10, choices=Kind, default=Kind.NOTE)
    category = models.ForeignKey(
        "grievances.Category",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="answer_templates",
        verbose_name=_("category"),
        help_text=_("Empty: offered for every category."),
    )
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(
        _("text"),
        max_length=1000,
        help_text=_(
            "Placeholders: {code} tracking code, {category}, {place} (grid, community or street "
            "handling it), {address}, {submitted} date, {today}, {resolution} (what was done; "
            "resident message only)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")

    def __str__(self):
        return self.title

    def clean(self):
        try:
            names = {name for _lit, name, _f, _c in string.Formatter().parse(self.text) if name}
        except ValueError:
            raise ValidationError(
                {"text": _("A brace is not closed; write placeholders as {code}.")}
            ) from None
        unknown = sorted(names - set(PLACEHOLDERS))
        if unknown:
            raise ValidationError(
                {
                    "text": _("Unknown placeholders: %(names)s. Known: %(known)s.")
                    % {"names": _braced(unknown), "known": _braced(PLACEHOLDERS)}
                }
            )
        if self.kind == self.Kind.NOTE and "resolution" in names:
            raise ValidationError({"text": _("A resolve note cannot contain {resolution}.")})
        try:
            _fill(self.text, SAMPLE_FACTS)
        except (ValueError, LookupError, AttributeError, TypeError):
            # `{}`, `{code:d}`, `{code!x}` and the like parse but cannot be filled.
            raise ValidationError(
                {
                    "text": _(
                        "This template cannot be filled in: write placeholders as {code}, "
                        "without anything else inside the braces; write a literal brace as "
                        "{{ or }}."
                    )
                }
            ) from None

    def render(self, case, resolution=""):
        """The text with this case's fields in place of the placeholders; a template that cannot
        be filled (saved before the check on save, or edited in the database) comes back as
        written, logged, rather than break the page."""
        text = self.try_render(case, resolution)
        return self.text if text is None else text

    def try_render(self, case, resolution=""):
        """`render`, or None when the stored text cannot be filled (logged)."""
        try:
            return _fill(self.text, self._facts(case, resolution))
        except (ValueError, LookupError, AttributeError, TypeError):
            log.warning("answer template %s cannot be filled in: %r", self.pk, self.text)
            return None

    @staticmethod
    def _facts(case, resolution):
        place = case.grid or case.community or case.street
        facts = {
            "code": case.code,
            "category": case.category.name,
            "place": place.name if place else "",
            "address": case.address or (case.community.name if case.community else ""),
            "submitted": timezone.localtime(case.created_at).strftime("%Y-%m-%d"),
            "today": timezone.localdate().strftime("%Y-%m-%d"),
            "resolution": resolution,
        }
        return facts

    @classmethod
    def for_case(cls, case, kind):
        """Active templates of `kind` for the case's category, then the general ones."""
        return cls.objects.filter(
            models.Q(category=case.category_id) | models.Q(category__isnull=True),
            kind=kind,
            active=True,
        ).order_by(models.F("category").asc(nulls_last=True), "order", "title")


def _fill(text, facts):
    return string.Formatter().vformat(text, (), _Leave(facts))


class _Leave(dict):
    """Formatting facts that leave an unknown placeholder as written (a template saved before a
    placeholder was renamed still renders)."""

    def __missing__(self, key):
        return "{" + key + "}"
