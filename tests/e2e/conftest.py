from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
# Chromium's own background traffic is refused on a closed network; these keep it quiet and quick.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("QOGAM_REQUIRE_E2E"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed here (apt-get install chromium); CI installs it and runs this")
    return CHROMIUM


@pytest.fixture
def browser_page(chromium_path, live_server):
    # Playwright's sync API runs an event loop in this thread, where Django refuses ORM calls: tests create
    # their data in fixtures before this one starts, and the live server answers from its own thread.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-GB", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
