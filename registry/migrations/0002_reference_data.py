"""Reference data (DOMAIN §2.2, §2.5, §2.6). Literal here so that the migration history never changes."""

import datetime

from django.db import migrations

# code, kk, ru, en, npo, ngo_eligible, tax_npo, has_territorial_level
LEGAL_FORMS = [
    ("public_association", "Қоғамдық бірлестік", "Общественное объединение", "Public association",
     True, True, True, True),
    ("foundation", "Қор", "Фонд", "Foundation", True, True, True, False),
    ("private_institution", "Жеке мекеме", "Частное учреждение", "Private institution", True, True, False, False),
    ("association_of_legal_entities", "Заңды тұлғалар бірлестігі", "Объединение юридических лиц",
     "Association (union) of legal entities", True, True, True, False),
    ("noncommercial_jsc", "Коммерциялық емес акционерлік қоғам", "Некоммерческое акционерное общество",
     "Non-commercial joint-stock company", True, True, False, False),
    ("religious_association", "Діни бірлестік", "Религиозное объединение", "Religious association",
     True, False, True, True),
    ("consumer_cooperative", "Тұтыну кооперативі", "Потребительский кооператив", "Consumer cooperative",
     True, True, False, False),
    ("rural_consumer_cooperative", "Ауылдық тұтыну кооперативі", "Сельский потребительский кооператив",
     "Rural consumer cooperative", True, True, False, False),
    ("housing_cooperative", "Тұрғын үй-құрылыс кооперативі", "Жилищно-строительный кооператив",
     "Housing-building cooperative", True, True, False, False),
    ("apartment_owners_cooperative", "Пәтер иелерінің кооперативі", "Кооператив собственников квартир",
     "Apartment owners' cooperative", True, True, True, False),
    ("chamber", "Палата", "Палата", "Notary, bar, auditors' or trade chamber", True, False, None, False),
    ("agricultural_partnership", "Ауыл шаруашылығы серіктестігі", "Сельскохозяйственное товарищество",
     "Agricultural partnership", True, False, None, False),
    ("state_institution", "Мемлекеттік мекеме", "Государственное учреждение", "State institution",
     True, False, None, False),
    ("political_party", "Саяси партия", "Политическая партия", "Political party", True, False, None, False),
    ("trade_union", "Кәсіподақ", "Профессиональный союз", "Trade union", True, False, None, False),
]

SPLIT_2022 = datetime.date(2022, 6, 8)
SPLIT_2018 = datetime.date(2018, 6, 19)

# code, kato, kind, kk, ru, en, valid_from, valid_to
REGIONS = [
    ("KZ-10", "10", "region", "Абай облысы", "Абайская область", "Abai Region", SPLIT_2022, None),
    ("KZ-11", "11", "region", "Ақмола облысы", "Акмолинская область", "Akmola Region", None, None),
    ("KZ-15", "15", "region", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", None, None),
    ("KZ-19", "19", "region", "Алматы облысы", "Алматинская область", "Almaty Region", SPLIT_2022, None),
    ("KZ-23", "23", "region", "Атырау облысы", "Атырауская область", "Atyrau Region", None, None),
    ("KZ-27", "27", "region", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
     "West Kazakhstan Region", None, None),
    ("KZ-31", "31", "region", "Жамбыл облысы", "Жамбылская область", "Zhambyl Region", None, None),
    ("KZ-33", "33", "region", "Жетісу облысы", "Область Жетісу", "Zhetysu Region", SPLIT_2022, None),
    ("KZ-35", "35", "region", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", SPLIT_2022, None),
    ("KZ-39", "39", "region", "Қостанай облысы", "Костанайская область", "Kostanay Region", None, None),
    ("KZ-43", "43", "region", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", None, None),
    ("KZ-47", "47", "region", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", None, None),
    ("KZ-55", "55", "region", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", None, None),
    ("KZ-59", "59", "region", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
     "North Kazakhstan Region", None, None),
    ("KZ-61", "61", "region", "Түркістан облысы", "Туркестанская область", "Turkistan Region", SPLIT_2018, None),
    ("KZ-62", "62", "region", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region", SPLIT_2022, None),
    ("KZ-63", "63", "region", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
     "East Kazakhstan Region", SPLIT_2022, None),
    ("KZ-71", "71", "city", "Астана қаласы", "город Астана", "Astana (city)", None, None),
    ("KZ-75", "75", "city", "Алматы қаласы", "город Алматы", "Almaty (city)", None, None),
    ("KZ-79", "79", "city", "Шымкент қаласы", "город Шымкент", "Shymkent (city)", SPLIT_2018, None),
    # Units as they were before the 2018 and 2022 reforms, under their former ISO 3166-2 codes.
    ("KZ-VOS", "63", "region", "Шығыс Қазақстан облысы (2022 жылға дейін)",
     "Восточно-Казахстанская область (до 2022 г.)", "East Kazakhstan Region (before 2022)",
     None, SPLIT_2022 - datetime.timedelta(days=1)),
    ("KZ-ALM", "19", "region", "Алматы облысы (2022 жылға дейін)", "Алматинская область (до 2022 г.)",
     "Almaty Region (before 2022)", None, SPLIT_2022 - datetime.timedelta(days=1)),
    ("KZ-KAR", "35", "region", "Қарағанды облысы (2022 жылға дейін)", "Карагандинская область (до 2022 г.)",
     "Karaganda Region (before 2022)", None, SPLIT_2022 - datetime.timedelta(days=1)),
    ("KZ-YUZ", "51", "region", "Оңтүстік Қазақстан облысы", "Южно-Казахстанская область",
     "South Kazakhstan Region (before 2018)", None, SPLIT_2018 - datetime.timedelta(days=1)),
]
SUCCESSORS = {
    "KZ-VOS": ["KZ-63", "KZ-10"],
    "KZ-ALM": ["KZ-19", "KZ-33"],
    "KZ-KAR": ["KZ-35", "KZ-62"],
    "KZ-YUZ": ["KZ-61", "KZ-79"],
}

FIELDS = [
    ("environment", "Қоршаған орта", "Экология и окружающая среда", "Environment"),
    ("children_youth", "Балалар мен жастар", "Дети и молодёжь", "Children and youth"),
    ("women", "Әйелдер", "Женщины", "Women"),
    ("health", "Денсаулық сақтау", "Здравоохранение", "Health"),
    ("culture_education", "Мәдениет, өнер, ғылым және білім", "Культура, искусство, наука и образование",
     "Culture, arts, science and education"),
    ("human_rights", "Адам құқықтары", "Права человека", "Human rights"),
    ("social_welfare", "Әлеуметтік қорғау", "Социальная защита", "Social welfare"),
    ("community", "Азаматтық бастамалар", "Гражданские инициативы", "Community initiatives"),
    ("disability", "Мүгедектік және оңалту", "Инвалидность и реабилитация", "Disability and rehabilitation"),
    ("other", "Басқа", "Другое", "Other"),
]


def load(apps, schema_editor):
    LegalForm = apps.get_model("registry", "LegalForm")
    Region = apps.get_model("registry", "Region")
    FieldOfActivity = apps.get_model("registry", "FieldOfActivity")
    for order, (code, kk, ru, en, npo, ngo, tax, level) in enumerate(LEGAL_FORMS):
        LegalForm.objects.update_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "npo": npo, "ngo_eligible": ngo, "tax_npo": tax,
            "has_territorial_level": level, "sort_order": order})
    for order, (code, kato, kind, kk, ru, en, valid_from, valid_to) in enumerate(REGIONS):
        Region.objects.update_or_create(code=code, defaults={
            "kato_prefix": kato, "kind": kind, "name_kk": kk, "name_ru": ru, "name_en": en,
            "valid_from": valid_from, "valid_to": valid_to, "sort_order": order})
    for old, new in SUCCESSORS.items():
        Region.objects.get(code=old).succeeded_by.set(Region.objects.filter(code__in=new))
    for order, (code, kk, ru, en) in enumerate(FIELDS):
        FieldOfActivity.objects.update_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
