"""The pages of the records flags and concerns are about: one place that knows each kind's URL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from funding.models import Administrator, AdministratorOfficial, Award, Competition
from registry.models import OrganisationRole, Person
from registry.selectors import organisation_by_org_id, organisation_ids_by_org_id, organisations_by_org_id

# A record kind and the page that shows it (a competition is shown on its administrator's page, for now).
RECORD_ROUTES = {
    "award": "funding:award_detail",
    "organisation": "registry:organisation_detail",
    "administrator": "funding:funder_detail",
    "person": "registry:person_detail",  # keyed by the person's id
}


def record_url(kind: str, key: str, *, check: bool = False) -> str | None:
    """The page of the record of `kind` with `key`; None for a kind without a page, or (with `check`) for a
    record that does not exist."""
    if kind not in RECORD_ROUTES:
        return None
    if check and not _exists(kind, key):
        return None
    if kind == "person":
        if not key.isdigit():
            return None
        return reverse("registry:person_detail", args=[int(key)])
    return reverse(RECORD_ROUTES[kind], args=[key])


def record_urls(records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """record_url(..., check=True) for many records, with one query per kind."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, key in records:
        wanted[kind].add(key)
    found: set[tuple[str, str]] = set()
    if wanted.get("award"):
        found |= {
            ("award", k)
            for k in Award.objects.filter(public_id__in=wanted["award"]).values_list("public_id", flat=True)
        }
    if wanted.get("administrator"):
        codes = Administrator.objects.filter(code__in=wanted["administrator"]).values_list("code", flat=True)
        found |= {("administrator", k) for k in codes}
    if wanted.get("organisation"):
        found |= {("organisation", k) for k in organisations_by_org_id(wanted["organisation"])}
    if wanted.get("person"):
        pks = [int(key) for key in wanted["person"] if key.isdigit()]
        found |= {("person", str(pk)) for pk in Person.objects.filter(pk__in=pks).values_list("pk", flat=True)}
    if wanted.get("competition"):
        ids = Competition.objects.filter(public_id__in=wanted["competition"]).values_list("public_id", flat=True)
        found |= {("competition", k) for k in ids}
    return {
        (kind, key): record_url(kind, key) if (kind, key) in found else None
        for kind, keys in wanted.items()
        for key in keys
    }


def _exists(kind: str, key: str) -> bool:
    if kind == "award":
        return Award.objects.filter(public_id=key).exists()
    if kind == "administrator":
        return Administrator.objects.filter(code=key).exists()
    if kind == "organisation":
        return organisation_by_org_id(key) is not None
    if kind == "person":
        return key.isdigit() and Person.objects.filter(pk=int(key)).exists()
    return False


def record_parties(records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[set[int], set[int]]]:
    """Whom each record is about: the organisations (ids) and the administrators (ids) behind it. An award is
    about its recipient and its administrator, a competition about its administrator. One query per kind."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, key in records:
        wanted[kind].add(key)
    parties: dict[tuple[str, str], tuple[set[int], set[int]]] = {}
    if wanted.get("award"):
        rows = Award.objects.filter(public_id__in=wanted["award"]).values_list(
            "public_id", "recipient_id", "administrator_id"
        )
        parties |= {("award", key): ({org} if org else set(), {admin}) for key, org, admin in rows}
    if wanted.get("competition"):
        rows = Competition.objects.filter(public_id__in=wanted["competition"]).values_list(
            "public_id", "administrator_id"
        )
        parties |= {("competition", key): (set(), {admin}) for key, admin in rows}
    if wanted.get("administrator"):
        rows = Administrator.objects.filter(code__in=wanted["administrator"]).values_list("code", "pk")
        parties |= {("administrator", key): (set(), {pk}) for key, pk in rows}
    if wanted.get("organisation"):
        parties |= {
            ("organisation", key): (pks, set())
            for key, pks in organisation_ids_by_org_id(wanted["organisation"]).items()
        }
    if wanted.get("person"):
        # A person is about the organisations they hold roles in and the administrators they hold posts at: a
        # moderator who manages one of those does not decide a correction about them (four eyes).
        pks = {int(key) for key in wanted["person"] if key.isdigit()}
        for person_id, organisation_id in OrganisationRole.objects.filter(person_id__in=pks).values_list(
            "person_id", "organisation_id"
        ):
            parties.setdefault(("person", str(person_id)), (set(), set()))[0].add(organisation_id)
        for person_id, administrator_id in AdministratorOfficial.objects.filter(person_id__in=pks).values_list(
            "person_id", "administrator_id"
        ):
            parties.setdefault(("person", str(person_id)), (set(), set()))[1].add(administrator_id)
    return {(kind, key): parties.get((kind, key), (set(), set())) for kind, keys in wanted.items() for key in keys}
