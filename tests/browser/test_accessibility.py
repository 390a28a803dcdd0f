"""axe-core (vendored from its npm package, MPL-2.0) run in Chromium against every page each role
can reach, over a world with something on every page: no serious or critical violation of
WCAG 2.1 A and AA. And the money paths done with the keyboard alone."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from application.spending.commands import send_tip
from tests.browser.signin import sign_in
from tests.helpers import fund, post_with_a_locked_picture, published_persona

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
PAGES = {
    "fan": ["/", "/models/{persona}", "/chat/{persona}?mode=companion", "/wallet",
            "/subscriptions", "/notifications"],
    "creator": ["/creator", "/creator/personas", "/creator/personas/new", "/creator/library",
                "/creator/companion", "/creator/chat-modes", "/creator/subscribers",
                "/creator/statements", "/creator/onboarding"],
    "admin": ["/admin", "/admin/personas", "/admin/reports", "/admin/audit",
              "/admin/vocabulary", "/admin/wallets", "/admin/creators/creator-1"],
    "finance": ["/finance", "/audit"],
}


def violations(page: Page) -> list[dict]:
    """Serious and critical findings of axe on the page as it stands (the script is handed to
    the page through the DevTools protocol, not a tag, so the app's CSP stays as it is)."""
    page.evaluate(AXE)
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return list(found)


@pytest.fixture
def world(api):  # type: ignore[no-untyped-def]
    persona_id = published_persona(api.core)
    post_with_a_locked_picture(api.core, persona_id, "Evening set")
    fund(api.core, "fan-1", "pack_1200")
    api.core.spending.send(send_tip("fan-1", "creator-1", 250))
    api.core.projections.catch_up()
    return persona_id


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_has_no_serious_accessibility_violation(api, open_page, world, role,
                                                           scheme) -> None:
    page = open_page(color_scheme=scheme)
    sign_in(page, f"{role}-1" if role != "creator" else "creator-1", role)
    found = {}
    for path in PAGES[role]:
        page.goto(path.format(persona=world))
        problems = violations(page)
        if problems:
            found[path] = problems
    assert not found, json.dumps(found, indent=1)


def test_signed_out_pages_too(api, open_page, world) -> None:
    page = open_page()
    found = {}
    for path in ("/", f"/models/{world}", "/login"):
        page.goto(path)
        if problems := violations(page):
            found[path] = problems
    assert not found, json.dumps(found, indent=1)


def tab_to(page: Page, target, most: int = 120) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the target has the focus, as a keyboard user gets there; its focus must
    be visible (an outline)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline not in ("none", ""), "the focus is not visible"
            return
    raise AssertionError(f"Tab never reached {target}")


def test_tipping_unlocking_and_chatting_with_the_keyboard_alone(api, open_page, world) -> None:
    page = open_page()
    sign_in(page, "fan-1", "fan")
    page.goto(f"/models/{world}")
    amount = page.get_by_label("Amount in tokens")
    tab_to(page, amount)
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    tab_to(page, page.get_by_test_id("send-tip"))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tip-sent")).to_contain_text("New balance: 850 tokens")

    unlock = page.get_by_role("button", name="Unlock")
    tab_to(page, unlock)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("unlocked")).to_be_visible()
    expect(page.get_by_test_id("locked-item")).to_have_count(0)  # the set opened

    page.goto(f"/chat/{world}?mode=companion")
    message = page.get_by_label("Your message")
    tab_to(page, message)
    page.keyboard.type("Hello, how was your day?")
    tab_to(page, page.get_by_test_id("send-message"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".bubble.fan")).to_contain_text("Hello, how was your day?")
