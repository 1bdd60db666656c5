"""Labels, never keys, where a person reads (issue 16): History, the scores tab's data used, the yearly report
form in fieldsets with the CSI wording as help."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from registry import services
from registry.forms import REPORT_FIELDSETS, YearlyReportForm
from registry.models import ChangeRecord, LegalForm, Membership
from scoring.indicators import CSI_BY_CODE
from tests.registry.factories import clerk, person

pytestmark = pytest.mark.django_db


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", html, re.S)]


def test_history_names_fields_and_values(anonymous, org):
    foundation = LegalForm.objects.get(code="foundation")
    association = LegalForm.objects.get(code="public_association")
    for field, old, new in [
        ("mission", "", "Help the elderly"),
        ("legal_form", association.code, foundation.code),
        ("report 2023: has_board", "", "True"),
    ]:
        ChangeRecord.objects.create(
            organisation=org, field=field, old_value=old, new_value=new, source=ChangeRecord.Source.MANAGER, version=2
        )
    html = anonymous.get(reverse("registry:organisation_history", args=[org.org_id])).content.decode()
    cells = _cells(html)
    assert "Mission" in cells and "mission" not in cells
    assert "Legal form" in cells and "legal_form" not in cells
    assert foundation.name in cells and "foundation" not in cells
    assert "Yearly report 2023: has a board or steering committee" in cells
    assert "yes" in cells and "True" not in cells


def test_history_labels_in_russian(anonymous, org):
    ChangeRecord.objects.create(
        organisation=org, field="mission", old_value="", new_value="x", source=ChangeRecord.Source.MANAGER, version=2
    )
    html = anonymous.get(
        reverse("registry:organisation_history", args=[org.org_id]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "mission" not in _cells(html)


def test_scores_tab_shows_labels_and_formatted_values(anonymous, org):
    services.report_submit(
        organisation=org,
        year=2023,
        acting_user=clerk(),
        values={"has_board": True, "income_social_order": Decimal("12000000.00"), "income_foreign": Decimal(0)},
        submitted_on=datetime.date(2024, 3, 1),
    )
    url = reverse("scoring:organisation_scores", args=[org.org_id])
    html = anonymous.get(url).content.decode()
    assert "has_board" not in html and "income_social_order" not in html and "= True" not in html
    assert "Has a board or steering committee: yes" in html
    assert "12,000,000\xa0KZT" in html
    html = anonymous.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "12\xa0000\xa0000\xa0₸" in html and "12000000.00" not in html


def test_report_form_fieldsets_cover_every_field_once():
    named = [name for _legend, names in REPORT_FIELDSETS for name in names]
    assert sorted(named) == sorted(YearlyReportForm.base_fields) and len(named) == len(set(named))
    assert [str(legend) for legend, _names in REPORT_FIELDSETS] == ["Finances", "People", "Governance", "Policies"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_report_form_grouped_with_the_csi_wording(client, org, language):
    user = person("owner")
    Membership.objects.create(user=user, organisation=org, role="owner")
    client.force_login(user)
    html = client.get(
        reverse("registry:organisation_report", args=[org.org_id, 2023]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert html.count("<fieldset>") == 4 and html.count("<legend>") == 4
    with translation.override(language):
        rule = str(CSI_BY_CODE["2.1.1"].rule)
        legends = [str(legend) for legend, _names in REPORT_FIELDSETS]
    assert rule in html
    assert all(f"<legend>{legend}</legend>" in html for legend in legends)
    # The wording describes its question for screen readers too.
    assert re.search(r'<select[^>]*name="has_board"[^>]*aria-describedby="id_has_board_helptext"', html) or re.search(
        r'<select[^>]*aria-describedby="id_has_board_helptext"[^>]*name="has_board"', html
    )
    assert 'id="id_has_board_helptext"' in html
    # Governance holds the board question, Finances the incomes.
    governance = html.split(f"<legend>{legends[2]}</legend>")[1].split("</fieldset>")[0]
    finances = html.split(f"<legend>{legends[0]}</legend>")[1].split("</fieldset>")[0]
    assert 'name="has_board"' in governance and 'name="income_social_order"' in finances
