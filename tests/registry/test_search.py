from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict

from registry.filters import OrganisationFilter
from registry.models import Organisation
from registry.search import FTS_TABLE, ensure_search_index, normalise, search_filter, search_text_for
from registry.selectors import directory_base
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def found(query: str) -> list[int]:
    return list(OrganisationFilter(QueryDict(f"q={query}"), queryset=directory_base()).qs.values_list("id", flat=True))


@pytest.fixture
def kamkor():
    return make_organisation(
        name_kk="«Қамқор Жолы» қоғамдық бірлестігі",
        name_ru="Общественное объединение «Путь заботы»",
        name_en="Public Association “Kamkor Zholy”",
    )


@pytest.fixture
def others():
    return [
        make_organisation(
            name_kk="«Жасыл әлем» қоры",
            name_ru="Фонд «Зелёный мир»",
            name_en="Green World Foundation",
            legal_form="foundation",
        ),
        make_organisation(
            name_kk="«Ана мен бала» жеке мекемесі",
            name_ru="Частное учреждение «Мать и дитя»",
            name_en="Mother and Child",
            legal_form="private_institution",
        ),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "Қамқор",
        "қамқор",
        "ҚАМҚОР",
        "камкор",
        "Путь заботы",
        "ЗАБОТ",
        "kamkor",
        "Qamqor",
        "zholy",
        "жолы",
        "амқо",
    ],
)
def test_finds_by_any_language_partial_word_and_case(kamkor, others, query):
    assert found(query) == [kamkor.id]


def test_every_word_must_match(kamkor, others):
    assert found("қамқор жолы") == [kamkor.id]
    assert found("қамқор зелёный") == []


def test_finds_by_whole_and_partial_bin(kamkor, others):
    assert found(kamkor.bin) == [kamkor.id]
    assert found(kamkor.bin[4:]) == [kamkor.id]  # the serial part tells them apart
    assert len(found(kamkor.bin[:6])) == 3  # same registration month and type: all three


def test_short_words_still_narrow(kamkor, others):
    assert set(found("ан")) == {others[1].id}
    assert kamkor.id in found("ж") and others[0].id in found("ж")


def test_yo_and_e_are_the_same_letter(others):
    assert found("зеленый") == [others[0].id]


def test_punctuation_only_query_lists_everything(kamkor, others):
    assert len(found("«»")) == 3


def test_a_renamed_search_text_is_reindexed(kamkor):
    kamkor.name_en = "Caring Path"
    kamkor.search_text = search_text_for([kamkor.name_kk, kamkor.name_ru, "Caring Path"], kamkor.bin)
    kamkor.save()
    assert found("caring") == [kamkor.id]


def test_best_match_lists_word_starts_first():
    inner = make_organisation(name_ru="Фонд «Дружба народов»", name_kk="", name_en="", legal_form="foundation")
    start = make_organisation(name_ru="Фонд «Народное достояние»", name_kk="", name_en="", legal_form="foundation")
    middle = make_organisation(name_ru="Фонд «Всенародный праздник»", name_kk="", name_en="", legal_form="foundation")
    ids = found("народ")
    assert ids.index(start.id) < ids.index(middle.id)
    assert ids.index(inner.id) < ids.index(middle.id)


def test_normalise_folds_kazakh_letters_and_case():
    assert normalise("ҚАЗАҚСТАН Әйелдері!") == "казакстан аиелдери"


def test_search_uses_the_index():
    make_organisation(name_ru="Фонд «Индекс»")
    qs = search_filter(Organisation.objects.order_by(), "индекс").values("id")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "registry_organisation_search_trgm" in plan


def test_search_index_heals_itself_after_a_table_rebuild(kamkor):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {FTS_TABLE}_ai")
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
        assert ensure_search_index() is True
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks before DDL
            cursor.execute("DROP INDEX registry_organisation_search_trgm")
        ensure_search_index()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'registry_organisation_search_trgm'")
            assert cursor.fetchone()
    assert found("қамқор") == [kamkor.id]
    newcomer = make_organisation(name_ru="Фонд «Новичок»")
    assert found("новичок") == [newcomer.id]
