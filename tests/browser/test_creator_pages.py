"""A new creator in the browser: onboarding's five steps (with Stripe's hosted page played by the
simulator), review by an admin, then the persona wizard with its errors on the field."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_onboarding_review_and_a_persona_draft(api, open_page) -> None:
    page = open_page()
    sign_in(page, "creator-7", "fan")
    page.get_by_role("link", name="Become a creator").click()
    expect(page.get_by_test_id("onboarding-status")).to_contain_text("not started")
    page.get_by_label("Display name").fill("Nova")
    page.get_by_label("Account type").select_option("individual")
    page.get_by_label("Legal name").fill("Nova Example")
    page.get_by_label("Date of birth").fill("1990-04-02")
    page.get_by_label("Country (two letters)").fill("GB")
    for box in page.get_by_label("I agree to").all():
        box.check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_test_id("onboarding-status")).to_contain_text("stripe connect")
    page.get_by_test_id("stripe-connect").click()
    expect(page.get_by_text("LYRA test Connect onboarding")).to_be_visible()
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url("**/creator/onboarding?stripe=return")
    page.get_by_test_id("submit-onboarding").click()
    expect(page.get_by_test_id("onboarding-status")).to_contain_text("submitted")

    admin = open_page()
    sign_in(admin, "adm-1", "admin")
    admin.goto("/admin")
    admin.get_by_label("Reason").fill("documents fine")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status")).to_contain_text("creator-7: approved")

    sign_in(page, "creator-7", "creator", "fan")
    page.goto("/creator/personas/new")
    page.get_by_label("Name", exact=True).fill("Orla")
    page.get_by_label("Stated age (18 or over)").fill("29")
    page.get_by_label("Traits (comma separated)").fill("calm, curious")
    page.get_by_label("Backstory").fill("She is 15 and loves the sea.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("error-backstory")).to_contain_text("not allowed here")
    expect(page.get_by_label("Traits (comma separated)")).to_have_value("calm, curious")
    page.get_by_label("Backstory").fill("A lighthouse keeper who loves the sea.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    expect(page.get_by_test_id("my-persona")).to_contain_text("Orla")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("my-persona")).to_contain_text("Review: submitted")
