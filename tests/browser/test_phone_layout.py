"""Every page on a phone, 360 px wide, in both themes: no horizontal scroll, no word broken
inside itself in the header (the name, the user's id), and the navigation reachable from the
menu button; a creator's pages in creator mode, a fan's, and staff's."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.signin import sign_in
from tests.helpers import published_persona

PHONE = {"width": 360, "height": 740}

# Whether the page scrolls sideways, and which words of the header, headings, table headers,
# buttons, labels and tags lie on more than one line (broken inside themselves).
_LAYOUT = """() => {
  const broken = [];
  const selector = '.topbar .brand, .topbar .who, button, th, h1, h2, label, .tag';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) continue;  // not shown
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(word[0]);
      }
    }
  }
  return {scrolls: document.documentElement.scrollWidth > window.innerWidth + 1, broken};
}"""


def nav_links(page: Page) -> list[str]:
    page.get_by_label("Open the menu").click()
    sidebar = page.get_by_role("navigation", name="Main")
    expect(sidebar).to_be_visible()
    return [a.get_attribute("href") or "" for a in sidebar.get_by_role("link").all()]


def check_every_page(page: Page, *more: str) -> None:
    for href in ["/", *more, *nav_links(page)]:
        page.goto(href)
        layout = page.evaluate(_LAYOUT)
        assert not layout["scrolls"], f"{href} scrolls sideways at 360 px"
        assert not layout["broken"], f"{href}: broken inside a word: {layout['broken']}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("user", "roles", "mode"), [
    ("fan-1", ("fan",), None), ("creator-1", ("creator",), "Creator mode"),
    ("staff-1", ("admin", "finance", "auditor"), None)])
def test_every_page_holds_on_a_phone(api, open_page, scheme, user, roles, mode) -> None:
    persona_id = published_persona(api.core)
    page = open_page(viewport=PHONE, color_scheme=scheme)
    sign_in(page, user, *roles)
    if mode:
        page.get_by_test_id("mode-switch").click()
    check_every_page(page, f"/models/{persona_id}")
