"""Signing in on the development page, as a person would (the tests and the screenshot tool)."""

from playwright.sync_api import Page


def sign_in(page: Page, user_id: str, *roles: str) -> None:
    page.goto("/login")
    page.get_by_label("User id").fill(user_id)
    for role in ("fan", "creator", "admin", "finance", "auditor"):
        box = page.get_by_label(role, exact=True)
        if (role in roles) != box.is_checked():
            box.click()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
