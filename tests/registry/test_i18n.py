from __future__ import annotations

import pytest
from django.urls import reverse

from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def test_switching_language_changes_the_page_language_and_names(anonymous):
    org = make_organisation(
        name_kk="«Сенім» қоры", name_ru="Фонд «Доверие»", name_en="Trust Foundation", legal_form="foundation"
    )
    url = reverse("registry:organisation_list")
    assert "Trust Foundation" in anonymous.get(url).content.decode()
    response = anonymous.post(reverse("set_language"), {"language": "kk", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    html = anonymous.get(url).content.decode()
    assert '<html lang="kk">' in html and "«Сенім» қоры" in html
    anonymous.post(reverse("set_language"), {"language": "ru", "next": org.get_absolute_url()})
    html = anonymous.get(org.get_absolute_url()).content.decode()
    assert '<html lang="ru">' in html and "<h1>Фонд «Доверие»</h1>" in html


def test_a_missing_name_falls_back_to_another_language(anonymous):
    make_organisation(name_kk="", name_ru="Фонд «Только по-русски»", name_en="", legal_form="foundation")
    html = anonymous.get(reverse("registry:organisation_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Фонд «Только по-русски»" in html


def test_page_chrome_is_translated_to_kazakh_and_russian(anonymous):
    url = reverse("registry:organisation_list")
    assert "Ұйымдар" in anonymous.get(url, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    html = anonymous.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Организации" in html and "Скачать CSV" in html
