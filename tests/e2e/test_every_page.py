"""Every page, public and signed-in, in Kazakh, Russian and English, at a phone's and a laptop's width (issue 16):

- no page scrolls sideways at 360, 390 or 1280 px (document width <= viewport);
- axe-core finds no violation at 390 and 1280 px, and the Content-Security-Policy refuses nothing;
- the signed-in header stays one row at 1280 px;
- in Kazakh and Russian no interface text is English (data that exists only in English carries lang="en").

The pages are visited once, by a module fixture, and each test reports its own kind of problem, every one of
them with its page, language and width, so a failure says what to fix."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.e2e.checks import axe_problems, english_problems, serve_axe, width_problems
from tests.e2e.conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]  # the marker makes django_db_setup create the database

LANGUAGES = ("kk", "ru", "en")
REFERENCE_TABLES = {"registry_legalform", "registry_region", "registry_region_succeeded_by", "registry_fieldofactivity"}
PHONE, SMALL_PHONE, LAPTOP = 390, 360, 1280


@dataclass
class Persona:
    name: str
    session: str | None  # the session cookie of a signed-in person; None for a visitor
    pages: list[tuple[str, str]]  # (what, path)


@dataclass
class Findings:
    width: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    visited: int = 0


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _personas() -> list[Persona]:
    """The demo data's pages, and the people who see the signed-in ones (built through the services)."""
    from django.contrib.auth.models import Group

    from funding.models import Award
    from imports import services as import_services
    from registry import services as registry_services
    from registry.models import Membership, Organisation
    from scoring import services as scoring_services
    from scoring.models import Flag
    from tests.registry.factories import person
    from tests.registry.test_imports import GOOD

    award = Award.objects.filter(lot__isnull=False).select_related("recipient", "administrator", "lot").first()
    if award is None:  # grants and some social orders are awarded without a competition
        award = Award.objects.select_related("recipient", "administrator").first()
    recipient: Organisation = award.recipient
    competition = award.lot.competition if award.lot_id else None
    flag = Flag.objects.order_by("code", "pk").first()
    own = Organisation.objects.exclude(pk=recipient.pk).filter(bin__isnull=False).order_by("pk").first()
    claimed = Organisation.objects.exclude(pk__in=[recipient.pk, own.pk]).order_by("pk").first()
    org = recipient.org_id

    public = [
        ("home", "/"),
        (
            "directory, filtered",
            f"/organisations/?region={recipient.region.code if recipient.region else ''}"
            f"&legal_form={recipient.legal_form.code}&sort=name",
        ),
        ("profile", f"/organisations/{org}/"),
        ("profile: funding", f"/organisations/{org}/funding/"),
        ("profile: scores", f"/organisations/{org}/scores/"),
        ("profile: documents", f"/organisations/{org}/documents/"),
        ("profile: history", f"/organisations/{org}/history/"),
        ("funding explorer", "/funding/"),
        ("funder", f"/funders/{award.administrator.code}/"),
        ("award", f"/funding/awards/{award.public_id}/"),
        *([("competition", f"/funding/competitions/{competition.public_id}/")] if competition else []),
        ("civil society index", "/sector/"),
        ("methodology", "/methodology/"),
        ("transparency", "/transparency/"),
        *([("flag", f"/transparency/{flag.code}/{flag.subject_type}/{flag.subject_key}/")] if flag else []),
        ("exports", "/exports/"),
        ("sign in", "/accounts/login/"),
        ("sign up", "/accounts/sign-up/"),
        ("password reset", "/accounts/password_reset/"),
        ("API docs", "/api/docs/"),
        ("not found", "/no-such-page/"),
    ]

    moderator = person("e2e-moderator")
    moderator.groups.add(Group.objects.get(name="moderators"))
    Membership.objects.create(user=moderator, organisation=own, role=Membership.Role.OWNER)
    claimant = person("e2e-claimant")
    registry_services.claim_submit(user=claimant, organisation=claimed, position="Директор", contact="+7 701 000 00 00")
    scoring_services.concern_file(
        subject_type="award",
        subject_key=award.public_id,
        what="Сумма договора не совпадает с опубликованным планом закупок.",
        evidence="План закупок акимата на 2022 год, строка 14.",
        acting_user=claimant,
    )
    job = import_services.import_job_start(
        kind="organisations", acting_user=moderator, file=SimpleUploadedFile("orgs.csv", GOOD.encode())
    )
    last_year = timezone.localdate().year - 1
    signed_in = [
        ("my organisations", "/accounts/organisations/"),
        ("profile edit", f"/organisations/{own.org_id}/edit/"),
        ("report form", f"/organisations/{own.org_id}/reports/{last_year}/"),
        ("moderation: claims", "/moderation/claims/"),
        ("moderation: concerns", "/moderation/concerns/"),
        ("imports", "/imports/"),
        ("import job", f"/imports/{job.pk}/"),
    ]
    # A pending claimant tries the edit form before a moderator has decided: our own 403 page.
    forbidden = [("forbidden (pending claim)", f"/organisations/{claimed.org_id}/edit/")]
    return [
        Persona("visitor", None, public),
        Persona("moderator", _session_of(moderator), signed_in),
        Persona("pending claimant", _session_of(claimant), forbidden),
    ]


# At 1280 px every control of the header (links, disclosures, the language switch) sits on one line, each on one
# line of its own: their vertical centres within a few pixels, and no link broken over two lines.
HEADER_ROW_JS = """() => {
  const items = [...document.querySelectorAll(
    '.header-row a, .header-row summary, .header-row select, .header-row button')].filter(el => el.checkVisibility());
  return items.map(el => {
    const r = el.getBoundingClientRect();
    return [el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 30), Math.round(r.top + r.height / 2),
            el.getClientRects().length];
  });
}"""


# Swagger UI (drf-spectacular's sidecar) draws /api/docs/ in English only, with its own markup and inline styles:
# only its width is ours to check. Its axe findings (contrast, nested controls, no lang/main/h1) are Swagger UI's.
THIRD_PARTY = ("/api/docs/",)


def _visit(page, findings: Findings, *, label: str, path: str, language: str) -> None:
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(path)
    findings.visited += 1
    findings.width += width_problems(page, f"{label} at {PHONE}px")
    ours = path not in THIRD_PARTY
    findings.axe += axe_problems(page, f"{label} at {PHONE}px") if ours else []
    page.set_viewport_size({"width": SMALL_PHONE, "height": 800})
    findings.width += width_problems(page, f"{label} at {SMALL_PHONE}px")
    page.set_viewport_size({"width": LAPTOP, "height": 800})
    findings.width += width_problems(page, f"{label} at {LAPTOP}px")
    findings.axe += axe_problems(page, f"{label} at {LAPTOP}px") if ours else []
    items = page.evaluate(HEADER_ROW_JS)
    centres = [centre for _text, centre, _lines in items]
    if centres and (max(centres) - min(centres) > 8 or any(lines > 1 for *_rest, lines in items)):
        where = ", ".join(f"{text!r} at {centre}px ({lines} lines)" for text, centre, lines in items)
        findings.header.append(f"{label}: the header is not one row at {LAPTOP}px: {where}")
    if language != "en" and ours:
        findings.english += english_problems(page, label, language)  # last: it opens every <details>


@pytest.fixture(scope="module")
def findings(django_db_setup, django_db_blocker, chromium_path) -> Findings:
    """Seed a small demo, start a server of our own (not pytest-django's live_server, which would empty the
    database after the first test of the module), and visit every page once in each language."""
    from django.conf import settings
    from django.core.cache import caches
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    from registry.selectors import reference_data_clear
    from scoring.services import summaries_regenerate

    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=300, seed=16, verbosity=0)
        summaries_regenerate()
        personas = _personas()
        for alias in settings.CACHES:
            caches[alias].clear()
        reference_data_clear()
        server = LiveServer("localhost")
        found = Findings()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
                for language in LANGUAGES:
                    for persona in personas:
                        context = browser.new_context(base_url=server.url, viewport={"width": PHONE, "height": 800})
                        cookies = [{"name": "django_language", "value": language, "url": server.url}]
                        if persona.session:
                            cookies.append({"name": "sessionid", "value": persona.session, "url": server.url})
                        context.add_cookies(cookies)
                        serve_axe(context)
                        page = context.new_page()
                        page.set_default_timeout(20_000)
                        current = {"label": "", "path": ""}
                        page.on("console", lambda m, at=current: _csp_refusal(found, at, m.text))
                        for what, path in persona.pages:
                            current["label"] = f"[{language}] {what} ({path}, {persona.name})"
                            current["path"] = path
                            _visit(page, found, label=current["label"], path=path, language=language)
                        context.close()
                browser.close()
        finally:
            server.stop()
            _empty()
    return found


def _csp_refusal(found: Findings, at: dict, text: str) -> None:
    if "Content Security Policy" in text and at["path"] not in THIRD_PARTY:
        found.csp.append(f"{at['label']}: {text}")


def _empty() -> None:
    """Empty what the demo, the people and their sessions wrote (the reference tables stay, as migrated)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.db import connection

    labels = ("registry", "funding", "scoring", "imports", "opendata")
    tables = [m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.app_label in labels]
    tables = [t for t in tables if t not in REFERENCE_TABLES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("PRAGMA foreign_keys = ON")
    Session.objects.all().delete()
    get_user_model().objects.filter(username__startswith="e2e-").delete()


def _report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n" + "\n".join(problems)


def test_every_page_was_visited(findings):
    pages = 21 + 7 + 1  # public (the competition and flag pages included), signed-in, the 403
    assert findings.visited == pages * len(LANGUAGES)


def test_no_page_scrolls_sideways_at_360_390_or_1280_px(findings):
    assert not findings.width, _report(findings.width, "pages wider than the window")


def test_axe_finds_no_violation_in_any_language_at_390_or_1280_px(findings):
    assert not findings.axe, _report(findings.axe, "axe-core violations")


def test_the_content_security_policy_refuses_nothing(findings):
    assert not findings.csp, _report(findings.csp, "refusals by the Content-Security-Policy")


def test_the_signed_in_header_is_one_row_at_1280_px(findings):
    assert not findings.header, _report(findings.header, "headers on two rows")


def test_no_interface_text_is_english_in_kazakh_or_russian(findings):
    assert not findings.english, _report(findings.english, "English texts on Kazakh and Russian pages")
