from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from registry.models import (
    REPORT_ANSWER_FIELDS,
    REPORT_COUNT_FIELDS,
    REPORT_INCOME_FIELDS,
    Document,
    FieldOfActivity,
    Membership,
    Organisation,
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
        help_text=_("someone with an account is added at once; anyone else gets an invitation by e-mail"),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.EDITOR, label=_("Role"))


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (shown to the person who claimed)"), max_length=500, required=False)


class YearlyReportForm(forms.ModelForm):
    """Blank means unknown: a figure or answer left empty is not read as zero or no."""

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
    """A person's account: the e-mail is how owners add them as managers, so it must be theirs alone."""

    username = forms.CharField(label=_("User name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("that user name is taken."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("an account already uses this e-mail; reset its password instead."))
        return email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("the two passwords differ."))
        elif data.get("password1"):
            user = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                validate_password(data["password1"], user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
