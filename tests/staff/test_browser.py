"""The staff pages in a real headless browser: Debian's Chromium driven by Playwright, against
Django's live server. Each test saves screenshots to test-artifacts/ (TALLY_TEST_ARTIFACTS).

Needs Chromium at /usr/bin/chromium (TALLY_CHROMIUM) and the dev extras (Playwright);
scripts/install-browser.sh installs Chromium. Locally a missing browser skips these tests; under
CI it fails them (tests.conftest.require_service)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from metrics.models import StatusInterval
from tests.conftest import require_service
from tests.staff.conftest import PASSWORD
from tests.support.factories import ApiKeyFactory, OrganizationFactory, UserFactory, bearer_client
from tests.support.staff_delivery import build_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("TALLY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(os.environ.get("TALLY_TEST_ARTIFACTS", settings.BASE_DIR / "test-artifacts"))
TIMEOUT_MS = 20_000
# The contrast ratio of each element's text colour against its background colour (WCAG 2).
CONTRAST_JS = """elements => elements.map(e => {
  const luminance = css => {
    const [r, g, b] = css.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(e);
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
})"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One Chromium per test module, with a new empty profile."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "Playwright (pip install -e '.[dev]')")
    require_service(os.access(CHROMIUM, os.X_OK), f"Chromium at {CHROMIUM} (bash scripts/install-browser.sh)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
        # synchronous all the same, which Django must be told.
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
    """A new tab, signed out, that records every URL it requests (`page.requested`)."""
    browser.clear_cookies()
    tab = browser.new_page()
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.requested, tab.broken = [], []
    tab.on("request", lambda request: tab.requested.append(request.url))
    # Stylesheet, icon, ...: anything but the page itself that answered with an error.
    tab.on(
        "response", lambda r: r.status >= 400 and r.request.resource_type != "document" and tab.broken.append(r.url)
    )
    yield tab
    tab.close()


@pytest.fixture
def org(transactional_db):
    with transaction.atomic():  # one metrics refresh for all the tickets, at commit
        delivery = build_delivery(OrganizationFactory(slug="browser", name="Browser Test Org"), tickets=14)
    organization = delivery.organization
    user = UserFactory(organization=organization, password=PASSWORD, roles=["Metrics API"])
    api = bearer_client(ApiKeyFactory(user=user).plaintext)
    return delivery, user, api


def shot(page, name: str, *, full_page: bool = True) -> None:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0


def log_in(page, live_server, user, *, path: str = "/") -> None:
    page.goto(f"{live_server.url}{path}")
    assert "/accounts/login/" in page.url  # sent to the login page first
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{path}")


def api_keys(api, **params) -> list[str]:
    response = api.get("/ticket-delivery/ticket-log", {"limit": 100, **params})
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()["results"]]


def shown_keys(page) -> list[str]:
    return page.locator("tbody tr[data-ticket-key]").evaluate_all("rows => rows.map(r => r.dataset.ticketKey)")


def only_this_server(page, live_server) -> None:
    outside = [url for url in page.requested if not url.startswith(live_server.url)]
    assert outside == [], f"requests outside the live server: {outside}"
    assert page.broken == [], f"requests that failed: {page.broken}"


def fits(page, selector: str) -> bool:
    """Whether the box's content fits its width (nothing to scroll sideways)."""
    return page.locator(selector).first.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_log_in_filter_and_sort_the_log_then_open_a_ticket_and_its_timeline(page, live_server, org):
    delivery, user, api = org
    engineering = delivery.teams["engineering"]

    page.goto(f"{live_server.url}/accounts/login/")
    shot(page, "staff-login")
    log_in(page, live_server, user)
    assert page.get_by_role("heading", level=1).inner_text() == "Browser Test Org"
    # The stylesheet is served (static files, WhiteNoise in production) and applied.
    header = page.locator("header.site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(26, 32, 44)"
    assert page.locator("#metrics-computed-at").is_visible()
    # The state badges (one of each state here) are readable: text contrast at least 4.5:1 (WCAG AA).
    contrasts = page.locator(".badge").evaluate_all(CONTRAST_JS)
    assert len(contrasts) == 6 and min(contrasts) >= 4.5, contrasts
    shot(page, "staff-home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ticket log").click()
    page.wait_for_url("**/staff/tickets/")
    assert shown_keys(page) == api_keys(api)

    # Filter: a team with its nested teams.
    page.get_by_label("Team", exact=True).select_option(str(engineering.id))
    page.get_by_label("Include nested teams").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/staff/tickets/?**")
    expected = api_keys(api, team_id=engineering.id, include_nested_teams="true")
    assert shown_keys(page) == expected and 0 < len(expected) < 14
    assert page.locator("#ticket-total").inner_text() == str(len(expected))
    assert page.get_by_label("Include nested teams").is_checked()  # the form keeps its values

    # Sort by cycle time: ascending, then descending.
    page.locator("thead a[data-sort='cycle_time']").click()
    page.wait_for_url("**ordering=cycle_time**")
    page.locator("thead a[data-sort='cycle_time']").click()
    page.wait_for_url("**ordering=-cycle_time**")
    assert page.locator("th[aria-sort='descending']").inner_text().startswith("Cycle time")
    expected = api_keys(api, team_id=engineering.id, include_nested_teams="true", ordering="-cycle_time")
    assert shown_keys(page) == expected
    assert fits(page, ".results .table-wrap")  # every column on a desktop screen, no sideways scroll
    shot(page, "staff-ticket-log")

    # Open the first ticket: its timeline has one bar per status interval.
    first = expected[0]
    page.get_by_role("link", name=first, exact=True).click()
    page.wait_for_url("**/staff/tickets/*/")
    assert page.locator("h1 .key").inner_text() == first
    timeline = page.locator("svg.timeline")
    assert timeline.is_visible()
    intervals = StatusInterval.objects.filter(ticket__key=first, organization=delivery.organization).count()
    assert page.locator("svg.timeline rect.segment").count() == intervals > 1
    assert timeline.bounding_box()["width"] > 600
    assert page.locator("ol.events li.event").count() > 0
    shot(page, "staff-ticket")
    only_this_server(page, live_server)


def test_metrics_page_draws_the_charts_and_links_the_sources(page, live_server, org):
    _, user, api = org
    # Two-day ranges, so that the previous periods have completed tickets too (the first was created
    # on 2024-06-01).
    log_in(page, live_server, user, path="/staff/metrics/?start=2024-06-06&end=2024-06-07&periods=3")
    charts = page.locator("svg.bar-chart")
    assert charts.count() == 6
    for index in range(6):
        chart = charts.nth(index)
        assert chart.is_visible() and chart.bounding_box()["height"] > 100
        assert chart.locator("g.bar").count() == 4  # three periods and the range
        assert chart.locator("g.bar.current").count() == 1
    completed = page.locator("[data-metric='tickets_completed'] .metric-value").inner_text()
    body = api.get("/ticket-delivery/metrics", {
        "date_range": '["2024-06-06T00:00:00Z","2024-06-08T00:00:00Z"]',
        "periods": '[["2024-06-04T00:00:00Z","2024-06-06T00:00:00Z"],["2024-06-02T00:00:00Z","2024-06-04T00:00:00Z"],'
                   '["2024-05-31T00:00:00Z","2024-06-02T00:00:00Z"]]',
    }).json()  # fmt: skip
    assert completed == str(body["tickets_completed"]["value"]) and body["tickets_completed"]["value"] > 0
    assert [p["tickets_completed"]["value"] > 0 for p in body["periods"]] == [True, True, False]
    # A bar for each range with a value; the range without one has a dash instead.
    drawn = charts.nth(2).locator("g.bar:not(.missing) rect")  # cycle time
    assert drawn.count() == 3 and all(drawn.nth(i).bounding_box()["height"] > 5 for i in range(3))
    shot(page, "staff-metrics")

    # A source's ticket opens its page.
    link = page.locator("#jitter-sources + .table-wrap .ticket-links a").first
    key = link.inner_text()
    link.click()
    page.wait_for_url("**/staff/tickets/*/")
    assert page.locator("h1 .key").inner_text() == key
    only_this_server(page, live_server)


def test_bad_filter_values_show_a_message_and_keep_the_form(page, live_server, org):
    _, user, _ = org
    log_in(page, live_server, user, path="/staff/tickets/")
    page.get_by_label("Created from").fill("2024-06-10")
    page.get_by_label("Created to").fill("2024-06-01")
    page.get_by_label("Key or title contains").fill("login")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/staff/tickets/?**")
    alert = page.get_by_role("alert")
    assert "The created range ends before it starts" in alert.inner_text()
    assert page.get_by_label("Created from").input_value() == "2024-06-10"
    assert page.get_by_label("Key or title contains").input_value() == "login"
    assert page.locator("tbody tr").count() == 0
    shot(page, "staff-ticket-log-bad-filter")


def test_small_screens_and_the_keyboard(page, live_server, org):
    delivery, user, _ = org
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, user, path="/staff/tickets/")
    # Nothing wider than the screen but the table, which scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    shot(page, "staff-ticket-log-mobile", full_page=False)
    # A link past the long form to the results.
    page.get_by_role("link", name="Skip the filters to the 14 tickets").click()
    assert page.locator("#results-heading").is_visible()
    assert page.locator("#results-heading").bounding_box()["y"] < 200
    page.goto(f"{live_server.url}/staff/metrics/?start=2024-06-06&end=2024-06-07")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Skip the form to the metrics").click()
    assert page.locator("#summary-heading").bounding_box()["y"] < 200
    assert page.locator("svg.bar-chart").first.bounding_box()["width"] > 300  # one chart a row
    shot(page, "staff-metrics-mobile")
    # A ticket: the computed values stack under their names; the timeline keeps legible labels
    # (it scrolls sideways in its own box rather than shrinking to the screen).
    page.goto(f"{live_server.url}/staff/tickets/{delivery.tickets[1].id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert fits(page, "section[aria-labelledby=computed-heading] .table-wrap")
    assert page.locator("svg.timeline").bounding_box()["width"] >= 800
    assert page.locator(".chart-scroll").evaluate("e => e.scrollWidth > e.clientWidth")
    page.locator("section[aria-labelledby=timeline-heading]").scroll_into_view_if_needed()
    shot(page, "staff-ticket-mobile", full_page=False)
    only_this_server(page, live_server)
