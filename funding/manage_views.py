"""Officers' data entry: thin views over funding.services; the model rules' messages land on the form fields."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding import services
from funding.forms import (
    AmendmentForm,
    ApplicationForm,
    AwardForm,
    CompetitionForm,
    EvaluationForm,
    LotForm,
    PaymentForm,
    ProgrammeForm,
    StatusForm,
)
from funding.models import Administrator, Award, Competition
from registry.http import form_add_errors


def _allowed(request, obj):
    """None when the user may enter records for obj's administrator; otherwise the response to send."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("funding.enter_records", obj):
        raise PermissionDenied  # the records are public; entering them is for the administrator's officers
    return None


def _record(request, *, form, heading: str, back: str, save, done: str):
    """Show the form; on a valid POST call save(cleaned data and the acting user), which returns the URL to go
    to next."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save({**form.cleaned_data, "acting_user": request.user})
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(target)
    return render(request, "funding/record_form.html", {"form": form, "heading": heading, "back": back})


@require_http_methods(["GET", "POST"])
def award_new(request, code: str):
    administrator = get_object_or_404(Administrator, code=code)
    if response := _allowed(request, administrator):
        return response
    form = AwardForm(request.POST or None, administrator=administrator)

    return _record(
        request,
        form=form,
        heading=_("Record an award: %(name)s") % {"name": administrator.name},
        back=administrator.get_absolute_url(),
        done=_("The award is recorded."),
        save=lambda data: services.award_create(administrator=administrator, **data).get_absolute_url(),
    )


def _entry(request, obj, form_class, *, title: str, back: str, heading: str, save, done: str, **form_kwargs):
    """Entry for obj's administrator: permission first, then the form; save(obj, data) writes, then back."""
    if response := _allowed(request, obj):
        return response
    form = form_class(request.POST or None, **form_kwargs)

    def run(data):
        save(obj, data)
        return back

    return _record(request, form=form, heading=f"{heading}: {title}", back=back, save=run, done=done)


def _award_form(request, public_id: str, form_class, heading: str, save, done: str):
    award = get_object_or_404(Award.objects.select_related("administrator__parent"), public_id=public_id)
    return _entry(
        request,
        award,
        form_class,
        title=award.title,
        back=award.get_absolute_url(),
        heading=heading,
        save=save,
        done=done,
    )


@require_http_methods(["GET", "POST"])
def award_payment(request, public_id: str):
    return _award_form(
        request,
        public_id,
        PaymentForm,
        _("Record a payment"),
        lambda award, data: services.payment_create(award=award, **data),
        _("The payment is recorded."),
    )


@require_http_methods(["GET", "POST"])
def award_status(request, public_id: str):
    return _award_form(
        request,
        public_id,
        StatusForm,
        _("Record a status change"),
        lambda award, data: services.award_status_record(award=award, **data),
        _("The status change is recorded."),
    )


@require_http_methods(["GET", "POST"])
def award_amendment(request, public_id: str):
    return _award_form(
        request,
        public_id,
        AmendmentForm,
        _("Record an amendment"),
        lambda award, data: services.award_amend(award=award, **data),
        _("The amendment is recorded."),
    )


@require_http_methods(["GET", "POST"])
def award_evaluation(request, public_id: str):
    return _award_form(
        request,
        public_id,
        EvaluationForm,
        _("Record a report and evaluation"),
        lambda award, data: services.evaluation_record(award=award, **data),
        _("The evaluation is recorded."),
    )


def _administrator_form(request, code: str, form_class, heading: str, create, done: str, with_administrator=False):
    administrator = get_object_or_404(Administrator, code=code)
    extra = {"administrator": administrator} if with_administrator else {}
    return _entry(
        request,
        administrator,
        form_class,
        title=administrator.name,
        back=administrator.get_absolute_url(),
        heading=heading,
        save=create,
        done=done,
        **extra,
    )


@require_http_methods(["GET", "POST"])
def programme_new(request, code: str):
    return _administrator_form(
        request,
        code,
        ProgrammeForm,
        _("Record a programme"),
        lambda admin, data: services.programme_create(administrator=admin, **data),
        _("The programme is recorded."),
    )


@require_http_methods(["GET", "POST"])
def competition_new(request, code: str):
    return _administrator_form(
        request,
        code,
        CompetitionForm,
        _("Record a competition"),
        lambda admin, data: services.competition_create(administrator=admin, **data),
        _("The competition is recorded."),
        with_administrator=True,
    )


def _competition_form(request, public_id: str, form_class, heading: str, create, done: str, with_competition=False):
    competition = get_object_or_404(Competition.objects.select_related("administrator__parent"), public_id=public_id)
    extra = {"competition": competition} if with_competition else {}
    return _entry(
        request,
        competition,
        form_class,
        title=competition.title,
        back=competition.administrator.get_absolute_url(),
        heading=heading,
        save=create,
        done=done,
        **extra,
    )


@require_http_methods(["GET", "POST"])
def lot_new(request, public_id: str):
    return _competition_form(
        request,
        public_id,
        LotForm,
        _("Record a lot"),
        lambda competition, data: services.lot_create(competition=competition, **data),
        _("The lot is recorded."),
        with_competition=True,  # the regions offered are those valid on the competition's announcement
    )


@require_http_methods(["GET", "POST"])
def application_new(request, public_id: str):
    return _competition_form(
        request,
        public_id,
        ApplicationForm,
        _("Record an application"),
        lambda competition, data: services.application_create(**data),
        _("The application is recorded."),
        with_competition=True,
    )
