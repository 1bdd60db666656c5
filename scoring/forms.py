from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from scoring.models import Concern

MSG_NOT_A_LINK = _("“%(link)s” is not a web link (http:// or https://).")


class ConcernForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["what", "evidence"]
        widgets = {"what": forms.Textarea(attrs={"rows": 5}), "evidence": forms.Textarea(attrs={"rows": 3})}

    def clean_evidence(self):
        links = [line.strip() for line in self.cleaned_data["evidence"].splitlines() if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                check(link)
            except ValidationError as exc:
                raise forms.ValidationError(MSG_NOT_A_LINK, params={"link": link}) from exc
        return "\n".join(links)


class TriageForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["status", "resolution"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 2})}
