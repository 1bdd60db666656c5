"""Report a concern: a signed-in person files one about an award, an organisation or an administrator;
moderators triage it (open, under review, resolved, dismissed) with a public resolution note; the record's
page shows that a concern exists and its status."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from scoring.models import Concern


def subject_page(subject_type: str, subject_key: str) -> str | None:
    """The record's URL, or None when no such record exists (a concern needs a real record)."""
    from funding.models import Administrator, Award
    from registry.selectors import organisation_by_org_id

    if subject_type == "award":
        award = Award.objects.filter(public_id=subject_key).first()
        return award.get_absolute_url() if award else None
    if subject_type == "administrator":
        administrator = Administrator.objects.filter(code=subject_key).first()
        return administrator.get_absolute_url() if administrator else None
    if subject_type == "organisation":
        organisation = organisation_by_org_id(subject_key)
        return organisation.get_absolute_url() if organisation else None
    return None


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
                raise forms.ValidationError(
                    gettext_lazy("“%(link)s” is not a web link (http:// or https://)."), params={"link": link}
                ) from exc
        return "\n".join(links)


class TriageForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = ["status", "resolution"]
        widgets = {"resolution": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("status") in (Concern.Status.RESOLVED, Concern.Status.DISMISSED) and not data.get("resolution"):
            self.add_error("resolution", _("say how it was resolved or why it is dismissed; the note is public."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest, subject_type: str, subject_key: str) -> HttpResponse:
    page = subject_page(subject_type, subject_key)
    if page is None:
        raise Http404(_("No such record."))
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concern = form.save(commit=False)
        concern.subject_type, concern.subject_key, concern.filed_by = subject_type, subject_key, request.user
        concern.save()
        messages.success(request, _("Thank you. Moderators will look at it; its status shows on this page."))
        return redirect(page)
    return render(
        request,
        "scoring/concern_form.html",
        {"form": form, "page": page, "subject_type": subject_type, "key": subject_key},
    )


def _moderator_only(request) -> None:
    if not request.user.has_perm("registry.moderate"):
        raise Http404  # the queue is not revealed to anyone else


@require_http_methods(["GET"])
def concern_queue(request: HttpRequest) -> HttpResponse:
    _moderator_only(request)
    concerns = Concern.objects.select_related("filed_by", "decided_by")
    waiting = concerns.filter(status__in=(Concern.Status.OPEN, Concern.Status.UNDER_REVIEW))
    decided = concerns.exclude(status__in=(Concern.Status.OPEN, Concern.Status.UNDER_REVIEW))[:50]
    for concern in [*waiting, *decided]:
        concern.page = subject_page(concern.subject_type, concern.subject_key)
    return render(request, "scoring/concern_queue.html", {"waiting": waiting, "decided": decided, "form": TriageForm()})


@require_POST
def concern_triage(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator_only(request)
    concern = get_object_or_404(Concern, pk=pk)
    form = TriageForm(request.POST, instance=concern)
    if form.is_valid():
        concern = form.save(commit=False)
        concern.decided_by = request.user
        concern.save()
        messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("scoring:concern_queue")


def concerns_on(subject_type: str, subject_key: str) -> list[Concern]:
    return list(Concern.objects.filter(subject_type=subject_type, subject_key=subject_key).order_by("-filed_at")[:20])
