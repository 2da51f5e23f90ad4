"""`/api/docs/` (Swagger UI) and `/api/redoc/` in Chromium with every host but this server's
unreachable (Chromium's --host-resolver-rules, and the page refuses any other host): the pages
render from the project's own static files, list the operations, and "Authorize" with an API key
makes "Try it out" answer 200. Skips without Chromium locally, fails under CI (as
tests/staff/test_browser.py)."""

import os
from urllib.parse import urlsplit

import pytest

from tests.conftest import require_service
from tests.support.factories import ApiKeyFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("TALLY_CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Every name resolves to nothing except this machine's: a CDN link would fail to load.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]  # fmt: skip
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "Playwright (pip install -e '.[dev]')")
    require_service(os.access(CHROMIUM, os.X_OK), f"Chromium at {CHROMIUM} (bash scripts/install-browser.sh)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC",
            )  # fmt: skip
            context.set_default_timeout(TIMEOUT_MS)
            yield context
            context.close()


@pytest.fixture
def page(browser, live_server):
    """A tab that refuses requests to other hosts (recorded in `tab.outside`) and records the
    requests that failed or answered an error (`tab.failed`; one the page's Content-Security-Policy
    stopped before it left the browser counts as failed, not outside)."""
    tab = browser.new_page()
    tab.outside, tab.failed = [], []

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            tab.outside.append(route.request.url)
            route.abort("addressunreachable")

    tab.route("**/*", only_local)
    tab.on("response", lambda r: r.status >= 400 and r.request.resource_type != "fetch" and tab.failed.append(r.url))
    tab.on("requestfailed", lambda request: tab.failed.append(request.url))
    yield tab
    tab.close()


def local(urls: list[str]) -> list[str]:
    return [url for url in urls if urlsplit(url).hostname in LOCAL_HOSTS]


def test_swagger_ui_renders_offline_and_authorize_works(page, live_server):
    key = ApiKeyFactory(user__organization=OrganizationFactory(slug="docs"))

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/ticket-delivery/ticket-log/" in [path.replace("\u200b", "") for path in paths]
    assert len(paths) >= 20
    operation = page.locator(".opblock").filter(has_text="/api/stats_v2/").first
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first

    operation.get_by_role("button", name="Execute").click()
    assert status.inner_text().strip().startswith("401")  # not authorized yet

    page.locator(".auth-wrapper button.authorize").click()
    scheme = page.locator(".auth-container").filter(has_text="BearerAuth")
    scheme.locator("input").fill(f"Bearer {key.plaintext}")
    scheme.locator("button", has_text="Authorize").click()
    scheme.locator("button", has_text="Logout").wait_for()
    page.locator(".dialog-ux button.btn-done").first.click()
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".live-responses-table tbody .response-col_status", has_text="200").wait_for()

    assert "tickets_total" in operation.locator(".live-responses-table tbody").inner_text()
    assert page.outside == [] and local(page.failed) == []


def test_redoc_renders_offline(page, live_server):
    page.goto(f"{live_server.url}/api/redoc/")
    page.locator("[data-section-id^='operation/']").first.wait_for()

    assert page.locator("[data-section-id^='operation/']").count() >= 20
    assert page.outside == [] and local(page.failed) == []
