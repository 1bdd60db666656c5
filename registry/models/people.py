"""People in public roles (issue 17): the heads, founders and board members of organisations, with dated roles and
the source of each. Only roles the law makes public are kept; no personal identification number (IIN) is stored
or shown (docs/privacy.md). Officials of administrators and commission members are funding's (funding.models)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.i18n import localized
from registry.models.organisation import Organisation
from registry.search import person_name_key


class RoleSource(models.TextChoices):
    """Where a role was read: each role names one."""

    STATE_REGISTER = "state_register", _("state register extract")
    ORGANISATION = "organisation", _("the organisation itself")
    PROTOCOL = "protocol", _("competition protocol")
    ADMINISTRATOR = "administrator", _("the administrator's own publication")


class Person(models.Model):
    """A person as published, in up to three languages; `name_key` matches the same name across Cyrillic and
    Latin spellings and Kazakh/Russian letter variants (registry.search.person_name_key)."""

    name_kk = models.CharField(pgettext_lazy("a person's name", "name (Kazakh)"), max_length=300, blank=True)
    name_ru = models.CharField(pgettext_lazy("a person's name", "name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(pgettext_lazy("a person's name", "name (Latin letters)"), max_length=300, blank=True)
    name_key = models.CharField(_("matching key"), max_length=300, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(condition=~Q(name_kk="") | ~Q(name_ru="") | ~Q(name_en=""), name="person_has_a_name")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = person_name_key(self.name_ru or self.name_kk or self.name_en)
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return localized(self, "name")

    def clean(self) -> None:
        if not (self.name_kk or self.name_ru or self.name_en).strip():
            raise ValidationError({"name_ru": _("Give the person's name as published, in at least one language.")})


class OrganisationRole(models.Model):
    """A person's role in an organisation, dated, with its source. An open role has no end date."""

    class Kind(models.TextChoices):
        HEAD = "head", _("head")
        FOUNDER = "founder", _("founder")
        BOARD_MEMBER = "board_member", _("board member")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="organisation_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title as published"), max_length=200, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=RoleSource.choices)
    source_note = models.CharField(_("source details"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "kind", "-started_on", "id"]
        verbose_name = _("role in an organisation")
        verbose_name_plural = _("roles in organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(ended_on__isnull=True) | Q(started_on__lte=F("ended_on")),
                name="organisation_role_period",
            )
        ]
        indexes = [
            models.Index(fields=["person", "started_on"], name="orgrole_person"),
            models.Index(fields=["organisation", "kind"], name="orgrole_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_kind_display()}, {self.organisation_id})"

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A role can not end before it starts.")})
