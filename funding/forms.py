from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.models import Amendment, Application, Award, Competition, Evaluation, Lot, Mechanism, Payment, Programme
from registry.models import FieldOfActivity, Region
from registry.selectors import organisation_by_org_id

MSG_UNKNOWN_RECIPIENT = _("no organisation has the identifier “%(org_id)s”; copy it from the organisation's page.")


class AwardForm(forms.Form):
    mechanism = forms.ChoiceField(choices=Mechanism.choices, label=_("Mechanism"))
    recipient = forms.CharField(label=_("Recipient (identifier such as KZ-BIN-950440001673)"), max_length=80)
    title = forms.CharField(label=_("Title"), max_length=500)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    field = forms.ModelChoiceField(FieldOfActivity.objects.all(), label=_("Field of activity"), required=False)
    region = forms.ModelChoiceField(
        Region.objects.filter(valid_to__isnull=True), label=_("Region of implementation"), required=False
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
    class Meta:
        model = Lot
        fields = ["number", "title", "planned_amount", "field", "region"]

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
