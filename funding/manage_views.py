"""Officers' data entry: thin views over funding.services; the model rules' messages land on the form fields."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from funding import services
from funding.forms import (
    AdministratorOfficialForm,
    AmendmentForm,
    ApplicationForm,
    AwardForm,
    CommissionMemberForm,
    CommissionScoreForm,
    CompetitionForm,
    EvaluationForm,
    LotForm,
    MemberRemoveForm,
    OfficialEndForm,
    PaymentForm,
    ProgrammeForm,
    StatusForm,
)
from funding.models import Administrator, Award, CommissionScore, Competition
from funding.services import criterion_label
from registry.http import form_add_errors
from registry.services import person_find_or_create


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


# ---------------------------------------------------------------- people who decide the money (issue 17)


def _people_page(request, obj, *, template: str, forms_by_action: dict, actions: dict, context: dict):
    """A manage page of people for obj's administrator: permission first; a POST names its `action`, whose form is
    bound and whose save(form) writes and returns the success message; then back to the same page."""
    if response := _allowed(request, obj):
        return response
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        name: make(request.POST if name == action else None, prefix=name) for name, make in forms_by_action.items()
    }
    if action in actions and forms[action].is_valid():
        try:
            with transaction.atomic():  # the person found or recorded goes with the role, or neither
                done = actions[action](forms[action])
        except ValidationError as error:
            form_add_errors(forms[action], error)
        else:
            messages.success(request, done)
            return redirect(request.path)
    return render(request, template, {**context, **{f"{name}_form": form for name, form in forms.items()}})


def _person(form, acting_user):
    return person_find_or_create(
        **{name: form.cleaned_data[name] for name in ("name_kk", "name_ru", "name_en", "namesake")},
        acting_user=acting_user,
    )


@require_http_methods(["GET", "POST"])
def commission_members(request, public_id: str):
    """A competition's evaluation commission: members by stage and role, as its protocol names them."""
    competition = get_object_or_404(Competition.objects.select_related("administrator__parent"), public_id=public_id)

    def add(form):
        services.commission_member_add(
            competition=competition,
            person=_person(form, request.user),
            **form.member_values(),
            acting_user=request.user,
        )
        return _("The commission member is recorded.")

    def remove(form):
        member = get_object_or_404(competition.commission, pk=form.cleaned_data["member"])
        services.commission_member_remove(member=member, acting_user=request.user)
        return _("The member is taken off the commission; the competition's history keeps the entry.")

    members = (
        competition.commission.select_related("person").annotate(scored=Count("scores")).order_by("stage", "role", "id")
    )
    return _people_page(
        request,
        competition,
        template="funding/commission_members.html",
        forms_by_action={"add": CommissionMemberForm, "remove": MemberRemoveForm},
        actions={"add": add, "remove": remove},
        context={"competition": competition, "members": members},
    )


@require_http_methods(["GET", "POST"])
def commission_scores(request, public_id: str):
    """The commission's scores of a competition's applications, by member and criterion."""
    competition = get_object_or_404(Competition.objects.select_related("administrator__parent"), public_id=public_id)

    def record(form):
        data = form.cleaned_data
        _score, changed = services.commission_score_set(
            application=data["application"],
            member=data["member"],
            criterion=data["criterion"],
            score=data["score"],
            max_score=data["max_score"],
            acting_user=request.user,
        )
        return (
            _("The score is recorded.")
            if changed
            else _("The score was already recorded with this value; nothing changed.")
        )

    scores = (
        CommissionScore.objects.filter(application__lot__competition=competition)
        .select_related("application__lot", "application__applicant", "member__person")
        .order_by("application__lot__number", "application_id", "member__stage", "member_id", "criterion")
    )
    rows = [(score, criterion_label(score.criterion)) for score in scores]
    return _people_page(
        request,
        competition,
        template="funding/commission_scores.html",
        forms_by_action={
            "score": lambda data, prefix: CommissionScoreForm(data, prefix=prefix, competition=competition)
        },
        actions={"score": record},
        context={"competition": competition, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
def administrator_officials(request, code: str):
    """An administrator's officials: public posts, dated, with their sources."""
    administrator = get_object_or_404(Administrator.objects.select_related("parent"), code=code)

    def add(form):
        services.administrator_official_add(
            administrator=administrator,
            person=_person(form, request.user),
            **form.official_values(),
            acting_user=request.user,
        )
        return _("The official is recorded.")

    def end(form):
        official = get_object_or_404(administrator.officials, pk=form.cleaned_data["official"])
        services.administrator_official_end(
            official=official, ended_on=form.cleaned_data["ended_on"], acting_user=request.user
        )
        return _("The post is ended; it stays listed.")

    officials = administrator.officials.select_related("person").order_by(
        F("ended_on").desc(nulls_first=True), F("started_on").desc(nulls_last=True), "id"
    )
    return _people_page(
        request,
        administrator,
        template="funding/official_list.html",
        forms_by_action={"add": AdministratorOfficialForm, "end": OfficialEndForm},
        actions={"add": add, "end": end},
        context={"administrator": administrator, "officials": officials},
    )
