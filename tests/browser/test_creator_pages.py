"""A new creator in the browser: onboarding's five steps (with Stripe's hosted page played by the
simulator), review by an admin, then the persona wizard with its errors on the field."""

from playwright.sync_api import expect

from tests.browser.signin import sign_in


def test_sign_up_to_a_published_persona_with_priced_content_a_fan_unlocks(api, open_page,
                                                                         tmp_path) -> None:
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

    admin.get_by_role("link", name="Persona review").click()
    admin.get_by_test_id("persona-review").get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status")).to_have_text("Approved.")
    page.reload()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_test_id("my-persona")).to_contain_text("visible to fans")

    from tests.media_samples import image_bytes

    extra = tmp_path / "extra.png"
    extra.write_bytes(image_bytes("PNG", colour=(30, 160, 90)))
    page.goto("/creator/library")
    page.get_by_label("File").set_input_files(str(extra))
    page.get_by_label("Item title").fill("Behind the scenes")
    page.get_by_label("Who may see it").select_option("ppv")
    page.get_by_role("button", name="Upload").click()
    page.get_by_label("Add Behind the scenes to the post").check()
    page.get_by_label("Caption").fill("Something for the curious")
    page.get_by_role("button", name="Post").click()
    page.get_by_label("Offer title").fill("Behind the scenes")
    page.get_by_label("Price (tokens)").fill("400")
    page.get_by_label("Behind the scenes").last.check()
    page.get_by_role("button", name="Put on sale").click()
    expect(page.get_by_test_id("offer")).to_contain_text("Behind the scenes: 400 tokens")

    fan = open_page()
    sign_in(fan, "fan-3", "fan")
    fan.get_by_role("link", name="Wallet").click()
    fan.get_by_test_id("buy-pack_500").click()
    fan.get_by_role("button", name="Pay").click()
    fan.goto("/")
    fan.get_by_role("link", name="Orla").click()
    expect(fan.get_by_text("Behind the scenes: pay-per-view")).to_be_visible()  # locked
    fan.get_by_role("button", name="Unlock").click()
    expect(fan.get_by_role("status")).to_have_text("Unlocked.")
    expect(fan.get_by_role("img", name="Behind the scenes")).to_be_visible()
    expect(fan.get_by_test_id("unlocked")).to_be_visible()  # no second purchase offered


def test_library_upload_post_offer_and_the_companion_personality(api, open_page,
                                                                 tmp_path) -> None:
    from tests.helpers import published_persona
    from tests.media_samples import PNG

    persona_id = published_persona(api.core)
    image = tmp_path / "sunrise.png"
    image.write_bytes(PNG)
    page = open_page()
    sign_in(page, "creator-1", "creator")
    page.goto("/creator/library")
    page.get_by_label("File").set_input_files(str(image))
    page.get_by_label("Item title").fill("Sunrise")
    page.get_by_label("Who may see it").select_option("public")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("Uploaded.")
    expect(page.get_by_test_id("library-item")).to_contain_text("Sunrise")
    page.get_by_label("Add Sunrise to the post").check()
    page.get_by_label("Caption").fill("Morning walk")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("status")).to_have_text("Posted.")
    page.get_by_label("Offer title").fill("Extras")
    page.get_by_label("Price (tokens)").fill("300")
    page.get_by_role("button", name="Put on sale").click()
    expect(page.get_by_test_id("offer")).to_contain_text("Extras: 300 tokens")

    fan = open_page()
    fan.goto(f"/models/{persona_id}")
    expect(fan.get_by_role("img", name="Sunrise")).to_be_visible()  # a public preview
    expect(fan.get_by_text("Extras: 300 tokens")).to_be_visible()

    page.goto("/creator/companion")
    page.get_by_label("Companion name").fill("Luna, off duty")
    page.get_by_label("witty").check()
    page.get_by_label("Flirt level").select_option("light_flirty")
    page.get_by_label("Price of a companion message (tokens)").fill("60")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Companion personality saved.")
    sign_in(fan, "fan-1", "fan")
    fan.goto(f"/chat/{persona_id}?mode=companion")
    expect(fan.get_by_test_id("price")).to_contain_text("60 tokens")


def test_a_creator_whose_bank_refused_a_payout_gives_stripe_new_details(api, open_page) -> None:
    """The creator's page says why they were not paid and where to fix it; Stripe's hosted page
    (the simulator) takes the new bank details, and the warning is gone on their return."""
    from tests.api.test_payouts_http import CREATOR, _fail_bank, a_payout_sent_to_the_bank, run
    _, payout_id = a_payout_sent_to_the_bank(api)
    _fail_bank(api, payout_id, "account_closed")
    assert run(api, "w3")["retried"] == {payout_id: "reversed"}
    api.core.projections.catch_up()
    page = open_page()
    sign_in(page, CREATOR, "creator")
    page.goto("/creator")
    warning = page.get_by_test_id("bank-problem")
    expect(warning).to_contain_text("Your bank refused a payout")
    warning.get_by_role("link", name="Payouts with Stripe").click()
    page.get_by_test_id("stripe-connect").click()
    page.get_by_role("button", name="Update bank details").click()
    page.wait_for_url("**/creator/onboarding?stripe=return")
    api.core.projections.catch_up()
    page.goto("/creator")
    expect(page.get_by_test_id("bank-problem")).to_have_count(0)  # the run history keeps why
