from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funding.models import (
    Amendment,
    Application,
    Award,
    CommissionMember,
    Competition,
    Evaluation,
    Lot,
    Mechanism,
    Payment,
    Programme,
)
from funding.services import NGO_AWARD_CRITERIA
from registry.forms import PersonNamesForm
from registry.models import FieldOfActivity, Region, RoleSource
from registry.selectors import organisation_by_org_id, reference_data, region_problem

MSG_UNKNOWN_RECIPIENT = _("no organisation has the identifier “%(org_id)s”; copy it from the organisation's page.")
REGION_HELP_AWARD = _(
    "The unit as it was on the award date: Turkistan and Shymkent exist from 19 June 2018; Abai, Zhetysu and "
    "Ulytau from 8 June 2022 (before them, the former units)."
)
REGION_HELP_LOT = _("The unit as it was when the competition was announced (units split off in 2018 and 2022).")


def region_field_in_time(field: forms.ModelChoiceField, day: datetime.date | None) -> None:
    """Offer the units valid on the day; without a day, every unit, today's first, then the former ones with
    their dates. The field still accepts any unit: the form's clean() says why one is wrong for the date and
    which unit it should be (registry.selectors.region_problem), better than "not one of the choices"."""
    regions = list(reference_data().regions.values())
    if day is not None:
        shown = [(r.code, r.name) for r in regions if r.is_valid_on(day)]
        field.choices = [("", "---------"), (_("Units on %(date)s") % {"date": day.isoformat()}, shown)]
        return
    current = [(r.code, f"{r.name}, {r.validity}" if r.validity else r.name) for r in regions if r.is_current]
    former = [(r.code, f"{r.name}, {r.validity}") for r in regions if not r.is_current]
    field.choices = [("", "---------"), (_("Current units"), current), (_("Former units"), former)]


def _date_of(form: forms.BaseForm, name: str) -> datetime.date | None:
    """The date the person typed, read before validation (the field's own rules decide if it is valid)."""
    if not form.is_bound:
        value = form.initial.get(name)
        return value if isinstance(value, datetime.date) else None
    try:
        return form.fields[name].clean(form.data.get(form.add_prefix(name)))
    except forms.ValidationError:
        return None


class AwardForm(forms.Form):
    mechanism = forms.ChoiceField(choices=Mechanism.choices, label=_("Mechanism"))
    recipient = forms.CharField(label=_("Recipient (identifier such as KZ-BIN-950440001673)"), max_length=80)
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    field = forms.ModelChoiceField(FieldOfActivity.objects.all(), label=_("Field of activity"), required=False)
    region = forms.ModelChoiceField(
        Region.objects.all(), label=_("Region of implementation"), required=False, help_text=REGION_HELP_AWARD
    )
    amount = forms.DecimalField(label=_("Amount, KZT"), max_digits=18, decimal_places=2)
    currency = forms.CharField(label=_("Original currency"), initial="KZT", max_length=3)
    amount_original = forms.DecimalField(
        label=_("Amount in the original currency"), max_digits=18, decimal_places=2, required=False
    )
    awarded_on = forms.DateField(label=_("Awarded"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    ends_on = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    competition = forms.ModelChoiceField(Competition.objects.none(), label=_("Competition"), required=False)
    lot = forms.ModelChoiceField(Lot.objects.none(), label=_("Lot"), required=False)
    reference = forms.CharField(label=_("Your reference"), max_length=100, required=False)

    def __init__(self, *args, administrator, **kwargs):
        super().__init__(*args, **kwargs)
        competitions = Competition.objects.filter(administrator=administrator).order_by("-announced_on")
        self.fields["competition"].queryset = competitions
        self.fields["lot"].queryset = Lot.objects.filter(competition__administrator=administrator).select_related(
            "competition"
        )
        region_field_in_time(self.fields["region"], _date_of(self, "awarded_on"))

    def clean(self):
        data = super().clean()
        if problem := region_problem(data.get("region"), data.get("awarded_on")):
            self.add_error("region", problem)
        return data

    def clean_recipient(self):
        org_id = self.cleaned_data["recipient"].strip()
        organisation = organisation_by_org_id(org_id)
        if organisation is None:
            raise forms.ValidationError(MSG_UNKNOWN_RECIPIENT, params={"org_id": org_id})
        return organisation

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class PaymentForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "kind"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self):  # the service validates against the award and writes
        pass


class StatusForm(forms.Form):
    kind = forms.ChoiceField(choices=[c for c in Award.Status.choices if c[0] != "contracted"], label=_("New status"))
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason (required for a termination)"), max_length=500, required=False)


class AmendmentForm(forms.Form):
    field_name = forms.ChoiceField(choices=Amendment.FieldName.choices, label=_("What changes"))
    new_value = forms.CharField(label=_("New value (dates as YYYY-MM-DD)"), max_length=500)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    amended_on = forms.DateField(label=_("Date of the amendment"), widget=forms.DateInput(attrs={"type": "date"}))


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["report_due_on", "report_received_on", "evaluator", "result", "note"]
        widgets = {
            "report_due_on": forms.DateInput(attrs={"type": "date"}),
            "report_received_on": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self):
        pass


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["year", "mechanism", "field", "title", "budget"]

    def _post_clean(self):  # the service validates and writes
        pass


class CompetitionForm(forms.ModelForm):
    class Meta:
        model = Competition
        fields = ["mechanism", "reference", "title", "announced_on", "deadline_on", "decided_on", "programme"]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}) for name in ("announced_on", "deadline_on", "decided_on")
        }

    def __init__(self, *args, administrator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(administrator=administrator)

    def _post_clean(self):
        pass


class LotForm(forms.ModelForm):
    """A lot's region is checked against its competition's announcement date, when the form knows the
    competition (and always by the service)."""

    class Meta:
        model = Lot
        fields = ["number", "title", "planned_amount", "field", "region"]
        help_texts = {"region": REGION_HELP_LOT}

    def __init__(self, *args, competition: Competition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.competition = competition
        region_field_in_time(self.fields["region"], competition.announced_on if competition else None)

    def clean(self):
        data = super().clean()
        day = self.competition.announced_on if self.competition is not None else None
        if problem := region_problem(data.get("region"), day):
            self.add_error("region", problem)
        return data

    def _post_clean(self):
        pass


class ApplicationForm(forms.Form):
    lot = forms.ModelChoiceField(Lot.objects.none(), label=_("Lot"))
    applicant = forms.CharField(label=_("Applicant (identifier such as KZ-BIN-950440001673)"), max_length=80)
    amount_requested = forms.DecimalField(
        label=_("Amount requested, KZT"), max_digits=18, decimal_places=2, required=False
    )
    submitted_on = forms.DateField(label=_("Submitted"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(choices=Application.Outcome.choices, label=_("Outcome"))
    rejection_reason = forms.CharField(label=_("Reason for rejection"), max_length=500, required=False)

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = competition.lots.all()

    def clean_applicant(self):
        org_id = self.cleaned_data["applicant"].strip()
        organisation = organisation_by_org_id(org_id)
        if organisation is None:
            raise forms.ValidationError(MSG_UNKNOWN_RECIPIENT, params={"org_id": org_id})
        return organisation


# ---------------------------------------------------------------- people who decide the money (issue 17)


class CommissionMemberForm(PersonNamesForm):
    role = forms.ChoiceField(label=_("Role on the commission"), choices=CommissionMember.Role.choices)
    stage = forms.IntegerField(
        label=_("Selection stage"),
        min_value=1,
        max_value=2,
        initial=1,
        help_text=_("1 unless the selection has two stages (2: the expert commission after the working group)."),
    )
    affiliation = forms.CharField(label=_("Affiliation as published"), max_length=300, required=False)
    role_source = forms.ChoiceField(label=_("Source"), choices=RoleSource.choices, initial=RoleSource.PROTOCOL)
    source_note = forms.CharField(
        label=_("Source details"),
        max_length=500,
        required=False,
        help_text=_("The protocol's number and date, or a link."),
    )

    def member_values(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("role", "stage", "affiliation", "role_source", "source_note")
        }


class CommissionScoreForm(forms.Form):
    """One member's score of one application on one criterion: an NGO award's five criteria are offered; any
    other competition's criterion is written as its protocol names it."""

    application = forms.ModelChoiceField(Application.objects.none(), label=_("Application"))
    member = forms.ModelChoiceField(CommissionMember.objects.none(), label=_("Commission member"))
    criterion = forms.CharField(label=_("Criterion as the protocol names it"), max_length=200)
    score = forms.DecimalField(label=_("Score"), min_value=0, max_digits=6, decimal_places=2)
    max_score = forms.DecimalField(
        label=_("Highest possible score"), min_value=0, max_digits=6, decimal_places=2, required=False
    )

    def __init__(self, *args, competition: Competition, **kwargs):
        super().__init__(*args, **kwargs)
        applications = Application.objects.filter(lot__competition=competition).select_related("lot", "applicant")
        self.fields["application"].queryset = applications.order_by("lot__number", "id")
        self.fields["application"].label_from_instance = lambda a: f"{a.lot.number}. {a.applicant.name}"
        members = competition.commission.select_related("person").order_by("stage", "role", "id")
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: (
            _("%(name)s, stage %(stage)s")
            % {
                "name": m.person.name,
                "stage": m.stage,
            }
        )
        if competition.mechanism == Mechanism.NGO_AWARD:
            self.fields["criterion"] = forms.ChoiceField(
                label=_("Criterion"), choices=[(code, label) for code, label in NGO_AWARD_CRITERIA.items()]
            )


class AdministratorOfficialForm(PersonNamesForm):
    position = forms.CharField(
        label=_("Position as published"),
        max_length=300,
        help_text=_("e.g. head of the department, deputy akim"),
    )
    started_on = forms.DateField(
        label=pgettext_lazy("start of a period", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Blank while in post."),
    )
    role_source = forms.ChoiceField(label=_("Source"), choices=RoleSource.choices, initial=RoleSource.ADMINISTRATOR)
    source_note = forms.CharField(label=_("Source details"), max_length=500, required=False)

    def official_values(self) -> dict:
        names = ("position", "started_on", "ended_on", "role_source", "source_note")
        return {name: self.cleaned_data[name] for name in names}


class MemberRemoveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)


class OfficialEndForm(forms.Form):
    official = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = forms.DateField(label=_("Left the post on"), widget=forms.DateInput(attrs={"type": "date"}))
