from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import (
    REPORT_ANSWER_FIELDS,
    REPORT_COUNT_FIELDS,
    REPORT_INCOME_FIELDS,
    Document,
    FieldOfActivity,
    Membership,
    Organisation,
    OrganisationRole,
    RoleSource,
    StatusEvent,
    YearlyReport,
)
from registry.selectors import organisation_by_org_id


class ClaimForm(forms.Form):
    position = forms.CharField(label=_("Your position in the organisation"), max_length=200)
    contact = forms.CharField(label=_("Phone or e-mail a moderator can use to verify the claim"), max_length=200)
    document = forms.FileField(
        label=_("Supporting document (order of appointment, power of attorney)"),
        required=False,
        help_text=_("PDF, image or office document, at most 10 MB"),
    )


class ProfileForm(forms.ModelForm):
    """What a manager keeps current. `version` is the profile version the form was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    fields = forms.ModelMultipleChoiceField(
        queryset=FieldOfActivity.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Fields of activity"),
    )

    class Meta:
        model = Organisation
        fields = ["address", "phone", "email", "website", "mission", "charter_activities", "fields"]
        widgets = {
            "mission": forms.Textarea(attrs={"rows": 3}),
            "charter_activities": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self):  # the service validates the model and writes; the form only parses fields
        pass


class ModeratorProfileForm(ProfileForm):
    class Meta(ProfileForm.Meta):
        fields = [
            "name_kk",
            "name_ru",
            "name_en",
            "legal_form",
            "registered_on",
            "territorial_level",
            "region",
            *ProfileForm.Meta.fields,
        ]
        widgets = {**ProfileForm.Meta.widgets, "registered_on": forms.DateInput(attrs={"type": "date"})}


class ManagerAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("an invitation is sent to it; whoever reads that mailbox accepts it with an account using it"),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR, label=_("Role"))


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (shown to the person who claimed)"), max_length=500, required=False)


# The yearly report form's groups, in this order; every field of the form in exactly one (a test checks it).
# The CSI questions' wording is added as help by scoring_tags.report_fieldsets (scoring/indicators.py holds it;
# registry imports nothing from scoring).
REPORT_FIELDSETS: tuple[tuple[object, tuple[str, ...]], ...] = (
    (
        pgettext_lazy("yearly report form", "Finances"),
        (*REPORT_INCOME_FIELDS, "expenses_total", "stable_finances", "technology_access", "financial_statements"),
    ),
    (
        pgettext_lazy("yearly report form", "People"),
        (*REPORT_COUNT_FIELDS, "staff_in_unions", "labour_rights_training"),
    ),
    (
        pgettext_lazy("yearly report form", "Governance"),
        ("has_board", "decision_making", "network_member", "met_other_csos", "exchanged_information"),
    ),
    (
        pgettext_lazy("yearly report form", "Policies"),
        (
            "equal_opportunity_policy",
            "labour_policy_public",
            "code_of_conduct_public",
            "financial_info_public",
            "environmental_policy_public",
        ),
    ),
)


class YearlyReportForm(forms.ModelForm):
    """Blank means unknown: a figure or answer left empty is not read as zero or no. Shown in fieldsets
    (REPORT_FIELDSETS): finances, people, governance, policies."""

    class Meta:
        model = YearlyReport
        fields = [
            *REPORT_INCOME_FIELDS,
            "expenses_total",
            *REPORT_COUNT_FIELDS,
            *REPORT_ANSWER_FIELDS,
            "decision_making",
            "financial_statements",
        ]
        widgets = dict.fromkeys(REPORT_ANSWER_FIELDS, forms.NullBooleanSelect)

    def _post_clean(self):  # the service validates the model and writes
        pass

    def fieldsets(self) -> list[tuple[object, list[forms.BoundField]]]:
        """(legend, bound fields) of each group, in REPORT_FIELDSETS' order."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in REPORT_FIELDSETS]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=Document.Kind.choices, label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"), help_text=_("PDF, image or office document, at most 10 MB"))


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why it is hidden (shown to everyone)"), max_length=500)


class StatusEventForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[c for c in StatusEvent.Kind.choices if c[0] != StatusEvent.Kind.REGISTERED], label=_("Event")
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Last day (for a suspension)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    legal_basis = forms.CharField(label=_("Legal basis (court decision, order …)"), max_length=500)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    duplicate = forms.CharField(label=_("Identifier of the duplicate record (it will redirect here)"), max_length=80)
    reason = forms.CharField(label=_("Why they are the same organisation"), max_length=500)

    def clean_duplicate(self):
        org_id = self.cleaned_data["duplicate"].strip()
        organisation = organisation_by_org_id(org_id)
        if organisation is None:
            raise forms.ValidationError(
                _("no organisation has the identifier “%(org_id)s”."), params={"org_id": org_id}
            )
        return organisation


class SignUpForm(forms.Form):
    """A person's account. Its address must be confirmed before it can act on any record; the form never says
    whether an address already has an account (the e-mail does, to its owner alone)."""

    email = forms.EmailField(
        label=_("E-mail"), help_text=_("we send a link to it: the account works once you follow it")
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        help_text=_("shown beside the changes you make, as on every record's history"),
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", MSG_PASSWORDS_DIFFER)
        elif data.get("password1"):
            user = get_user_model()(
                email=data.get("email", ""), first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                validate_password(data["password1"], user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


MSG_PASSWORDS_DIFFER = _("the two passwords differ.")


# ---------------------------------------------------------------- people in public roles (issue 17)

PERSON_NAME_HELP = _("As published (in the state register extract, the protocol, the charter); no ID numbers.")


class PersonNamesForm(forms.Form):
    """A person by their names as published, in any of the three languages; the service finds the one person
    with the same matching key, or records a new one."""

    name_kk = forms.CharField(label=_("Name in Kazakh"), max_length=300, required=False, help_text=PERSON_NAME_HELP)
    name_ru = forms.CharField(label=_("Name in Russian"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name in Latin letters"), max_length=300, required=False)
    namesake = forms.BooleanField(
        label=_("Another person of the same name as someone already recorded"),
        required=False,
        help_text=_("Tick only when the names match a different person's."),
    )

    def clean(self):
        data = super().clean() or {}
        if not any(data.get(name, "").strip() for name in ("name_kk", "name_ru", "name_en")):
            raise forms.ValidationError(_("Give the person's name as published, in at least one language."))
        return data

    def person_names(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name_kk", "name_ru", "name_en", "namesake")}


DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class OrganisationRoleForm(PersonNamesForm):
    kind = forms.ChoiceField(label=pgettext_lazy("a person's role", "Role"), choices=OrganisationRole.Kind.choices)
    title = forms.CharField(
        label=_("Title as published"),
        max_length=200,
        required=False,
        help_text=_("e.g. chair of the board, director, president"),
    )
    started_on = forms.DateField(label=pgettext_lazy("start of a period", "From"), required=False, widget=DATE_INPUT)
    ended_on = forms.DateField(
        label=_("Until"), required=False, widget=DATE_INPUT, help_text=_("Blank while the role lasts.")
    )
    source = forms.ChoiceField(label=_("Source"), choices=RoleSource.choices, initial=RoleSource.ORGANISATION)
    source_note = forms.CharField(
        label=_("Source details"),
        max_length=500,
        required=False,
        help_text=_("The document, its date or a link, so that others can check."),
    )

    def role_values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("kind", "title", "started_on", "ended_on", "source", "source_note")
        }


class RoleEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE_INPUT)


class RoleCorrectForm(forms.ModelForm):
    """Corrections of a role as entered: its title, dates and source (the person is the role itself: end it and
    add the right one)."""

    class Meta:
        model = OrganisationRole
        fields = ["title", "started_on", "ended_on", "source", "source_note"]
        widgets = {"started_on": DATE_INPUT, "ended_on": DATE_INPUT}

    def _post_clean(self):  # the service validates the model and writes
        pass
