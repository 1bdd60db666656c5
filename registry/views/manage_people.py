"""An organisation's people, kept by its managers and the moderators: the head, founders and board members, with
their dates and sources (issue 17). Thin: the registry's people services write, with the History tab's rows."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registry import services
from registry.forms import OrganisationRoleForm, RoleCorrectForm, RoleEndForm
from registry.http import form_add_errors, organisation_for_request
from registry.models import ChangeRecord, OrganisationRole
from registry.rules import is_moderator


@require_http_methods(["GET", "POST"])
def organisation_people_edit(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = organisation_for_request(
        request, org_id, "registry:organisation_people_edit", "registry.edit_organisation"
    )
    if response:
        return response
    change_source = ChangeRecord.Source.MODERATOR if is_moderator(request.user) else ChangeRecord.Source.MANAGER
    action = request.POST.get("action") if request.method == "POST" else None
    roles = organisation.roles.select_related("person")
    chosen_pk = request.POST.get("role") if action in ("end", "correct") else request.GET.get("correct")
    chosen = get_object_or_404(roles, pk=chosen_pk) if chosen_pk and str(chosen_pk).isdigit() else None
    add_form = OrganisationRoleForm(request.POST if action == "add" else None, prefix="add")
    end_form = RoleEndForm(request.POST if action == "end" else None, prefix="end")
    correct_form = (
        RoleCorrectForm(request.POST if action == "correct" else None, instance=chosen, prefix="correct")
        if chosen is not None
        else None
    )
    done = None
    try:
        if action == "add" and add_form.is_valid():
            with transaction.atomic():  # the person found or recorded goes with the role, or neither
                person = services.person_find_or_create(**add_form.person_names(), acting_user=request.user)
                services.organisation_role_add(
                    organisation=organisation,
                    person=person,
                    **add_form.role_values(),
                    acting_user=request.user,
                    change_source=change_source,
                )
            done = _("The role is recorded. The change is listed on the History tab.")
        elif action == "end" and chosen is not None and end_form.is_valid():
            services.organisation_role_end(
                role=chosen,
                ended_on=end_form.cleaned_data["ended_on"],
                acting_user=request.user,
                change_source=change_source,
            )
            done = _("The role is ended; it stays listed among the past roles.")
        elif action == "correct" and chosen is not None and correct_form is not None and correct_form.is_valid():
            services.organisation_role_correct(
                role=chosen,
                values=dict(correct_form.cleaned_data),
                acting_user=request.user,
                change_source=change_source,
            )
            done = _("The role is corrected. The change is listed on the History tab.")
    except ValidationError as error:
        form = {"add": add_form, "end": end_form, "correct": correct_form}[action or "add"]
        form_add_errors(form, error)
    if done:
        messages.success(request, done)
        return redirect("registry:organisation_people_edit", org_id=organisation.org_id)
    ordered = roles.order_by("kind", F("ended_on").desc(nulls_first=True), F("started_on").desc(nulls_last=True), "id")
    return render(
        request,
        "registry/people_edit.html",
        {
            "organisation": organisation,
            "current": [role for role in ordered if role.ended_on is None],
            "past": [role for role in ordered if role.ended_on is not None],
            "add_form": add_form,
            "end_form": end_form,
            "end_role": chosen if action == "end" else None,
            "correct_form": correct_form,
            "chosen": chosen,
            "kinds": OrganisationRole.Kind,
        },
    )
