"""The demo's people on the sign-in page: one click signs in as them, and the list holds on a
phone (the demo itself is tested in tests/demo)."""

from playwright.sync_api import expect

from application import demo_cast as cast
from tests.browser.test_phone_layout import _LAYOUT, PHONE


def test_one_click_signs_in_as_a_demo_person_on_a_phone(api, open_page) -> None:
    api.core.settings = api.core.settings.model_copy(update={"demo": True})
    page = open_page(viewport=PHONE, color_scheme="dark")
    page.goto("/login")
    layout = page.evaluate(_LAYOUT)
    assert not layout["scrolls"] and not layout["broken"], layout
    expect(page.get_by_role("heading", name="The demo marketplace")).to_be_visible()
    page.get_by_test_id(f"demo-{cast.CREATOR.user_id}").click()
    page.wait_for_url("**/")
    expect(page.get_by_test_id("mode-switch")).to_be_visible()  # signed in with the creator role
    assert cast.CREATOR.user_id in page.locator(".topbar").inner_text()


def test_without_the_demo_the_page_offers_no_one(api, open_page) -> None:
    page = open_page()
    page.goto("/login")
    expect(page.get_by_role("heading", name="The demo marketplace")).to_have_count(0)
