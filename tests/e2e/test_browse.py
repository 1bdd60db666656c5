from __future__ import annotations

import pytest

from tests.registry.factories import make_organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def registry_data():
    make_organisation(
        name_kk="«Сенім» қоры",
        name_ru="Фонд «Доверие»",
        name_en="Trust Foundation",
        legal_form="foundation",
        region="KZ-55",
    )
    make_organisation(
        name_kk="«Қамқор» қоғамдық бірлестігі",
        name_ru="Общественное объединение «Камкор»",
        name_en="Kamkor Public Association",
        region="KZ-71",
    )
    make_organisation(
        name_kk="«Жасыл әлем» қоры",
        name_ru="Фонд «Зелёный мир»",
        name_en="Green World Foundation",
        legal_form="foundation",
        region="KZ-75",
    )


def test_search_open_profile_and_switch_language(registry_data, browser_page):
    page = browser_page
    page.goto("/organisations/")
    assert page.locator("table.orgs tbody tr").count() == 3

    page.fill("#id_q", "қамқор")
    page.click("form.directory .search-row button[type=submit]")
    page.wait_for_url("**/organisations/?q=*")
    rows = page.locator("table.orgs tbody tr")
    assert rows.count() == 1
    assert "q=%D2%9B%D0%B0%D0%BC%D2%9B%D0%BE%D1%80" in page.url  # the search is in the shareable URL

    rows.first.locator("a").first.click()
    page.wait_for_url("**/organisations/KZ-BIN-*/")
    assert page.locator("h1").inner_text() == "Kamkor Public Association"
    assert page.locator("text=Status history").count() == 1

    page.select_option("#language", "ru")
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Общественное объединение «Камкор»"

    page.goto("/organisations/?legal_form=foundation")
    assert page.locator("table.orgs tbody tr").count() == 2
    page.screenshot(path="/tmp/qogam-e2e-directory.png", full_page=True)


@pytest.fixture
def funding_data():
    from tests.funding.factories import make_administrator, make_award

    recipient = make_organisation(name_en="Clean River Foundation", legal_form="foundation", fields=("environment",))
    department = make_administrator(code="pavlodar-ecology", name_en="Pavlodar Ecology Department (demo)")
    make_award(
        recipient=recipient,
        administrator=department,
        title="River bank clean-up",
        amount="2500000",
        field="environment",
    )
    make_award(
        recipient=make_organisation(name_en="Other NGO"),
        administrator=department,
        title="Tree planting",
        amount="500000",
    )


def test_follow_the_money_from_explorer_to_recipient(funding_data, browser_page):
    page = browser_page
    page.goto("/funding/")
    assert "3,000,000" in page.locator("ul.stats").inner_text()  # English groups thousands with commas
    page.click("text=River bank clean-up")
    page.wait_for_url("**/funding/awards/*/")
    assert page.locator("h1").inner_text() == "River bank clean-up"
    page.click("dd >> text=Clean River Foundation")
    page.wait_for_url("**/organisations/KZ-BIN-*/")
    page.click("nav.tabs >> text=Funding")
    page.wait_for_url("**/organisations/KZ-BIN-*/funding/")
    assert "2,500,000" in page.locator("ul.stats").inner_text()
    page.screenshot(path="/tmp/qogam-e2e-funding.png", full_page=True)


def test_on_a_phone_the_explorer_filters_fold_away_and_the_totals_come_first(funding_data, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/funding/")
    year_from = page.locator("input[name=year_from]")
    assert not year_from.is_visible()  # the filters are one tap away, in a closed <details>
    stats = page.locator("ul.stats").bounding_box()
    assert stats is not None and stats["y"] + stats["height"] <= 800  # the totals are on the first screen
    page.click("details.explorer-filters > summary")
    assert year_from.is_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/funding/")
    assert page.locator("input[name=year_from]").is_visible()  # side by side on a laptop, with no tap
    assert not page.locator("details.explorer-filters > summary").is_visible()
