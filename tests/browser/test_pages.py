"""The pages as people use them, in a real browser: a fan browses, buys tokens, tips and chats; a
creator sees earnings and switches chat modes; staff see queues and check the ledger; a phone."""

from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.helpers import published_persona


def test_a_fan_browses_buys_tokens_tips_and_chats(api, open_page) -> None:
    persona_id = published_persona(api.core)
    page = open_page()
    page.goto("/")
    expect(page.get_by_test_id("persona-card")).to_have_count(1)
    page.get_by_label("Search").fill("nothing-like-this")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("result-count")).to_have_text("0 personas")

    sign_in(page, "fan-1", "fan")
    page.get_by_role("link", name="Wallet").click()
    page.get_by_test_id("buy-pack_1200").click()
    expect(page.get_by_text("LYRA test checkout")).to_be_visible()  # the simulator's page
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/wallet?checkout=success")
    expect(page.get_by_test_id("wallet-balance")).to_have_text("1200")

    page.goto(f"/models/{persona_id}")
    expect(page.get_by_test_id("balance")).to_have_text("1200")
    page.get_by_label("Amount in tokens").fill("100")  # pages.js shows its value as typed
    expect(page.locator("#gbp")).to_have_text("£0.40")
    page.get_by_role("button", name="500 tokens · £2.00").click()
    expect(page.get_by_label("Amount in tokens")).to_have_value("500")
    expect(page.locator("#gbp")).to_have_text("£2.00")
    page.get_by_test_id("send-tip").click()
    expect(page.get_by_test_id("tip-sent")).to_contain_text("New balance: 700 tokens")
    page.get_by_label("Amount in tokens").fill("2500")
    expect(page.locator("#gbp")).to_have_text("£10.00")
    page.get_by_test_id("send-tip").click()
    expect(page.get_by_test_id("tip-error")).to_contain_text("less than 2500")
    expect(page.get_by_role("link", name="Buy tokens")).to_be_visible()

    page.get_by_role("link", name="Companion chat").click()
    expect(page.get_by_test_id("mode-badge")).to_have_text("Companion")
    expect(page.get_by_test_id("price")).to_contain_text("100 tokens")
    page.get_by_label("Your message").fill("Hello! What do you like to do?")
    with page.expect_navigation():  # once the reply has streamed, the page reloads the thread
        page.get_by_test_id("send-message").click()
    expect(page.locator(".bubble.fan")).to_contain_text("Hello! What do you like to do?")
    expect(page.locator(".bubble:not(.fan):not(.tip)")).to_have_count(1)
    page.goto("/wallet")
    expect(page.get_by_test_id("wallet-balance")).to_have_text("600")
    # The history names whom each spend paid, in the reader's own time and how long ago.
    what = page.get_by_test_id("history-what")
    expect(what).to_have_text(["Paid message to Luna", "Tip to Luna", "Tokens added to your wallet"])
    expect(page.locator("time").first).not_to_contain_text("UTC")  # pages.js rewrote it


def test_a_creator_sees_earnings_over_time_and_switches_chat_modes(api, open_page) -> None:
    published_persona(api.core)
    fan = open_page()
    sign_in(fan, "fan-1", "fan")
    from tests.helpers import fund
    fund(api.core, "fan-1", "pack_1200")
    persona = api.core.persona_queries.discover(tag=None, category=None, q=None, sort="newest",
                                                limit=1, offset=0)["models"][0]
    fan.goto(f"/models/{persona['id']}")
    fan.get_by_test_id("send-tip").click()
    expect(fan.get_by_test_id("tip-sent")).to_be_visible()

    page = open_page()
    sign_in(page, "creator-1", "creator", "fan")
    page.get_by_test_id("mode-switch").click()
    page.wait_for_url("**/creator")
    expect(page.get_by_test_id("earn-held")).to_have_text("175 tokens (worth £0.70)")
    # Token earnings and subscription pence are never one figure.
    expect(page.get_by_test_id("earn-held-subscriptions")).to_have_text("£0.00 from subscriptions")
    chart = page.get_by_test_id("earnings-chart-tokens")
    expect(chart.locator("rect.held")).to_have_count(1)  # today only: earned today
    expect(chart.locator("text.axis").first).to_have_text("0")  # a value axis from zero
    expect(page.get_by_test_id("earnings-chart-minor")).to_have_count(0)  # no pence yet
    page.get_by_role("link", name="Chat modes").click()
    expect(page.get_by_label("Intimate chat")).to_be_disabled()  # not approved for it
    page.get_by_label("Companion chat").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Chat modes saved.")
    fan.goto(f"/models/{persona['id']}")
    expect(fan.get_by_text("This persona is not chatting right now.")).to_be_visible()


def test_staff_see_queues_and_check_the_ledger(api, open_page) -> None:
    published_persona(api.core)
    page = open_page()
    sign_in(page, "adm-1", "admin", "auditor")
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_test_id("stat-approved_creators")).to_have_text("1")
    page.get_by_role("link", name="Ledger checks").click()
    expect(page.get_by_test_id("balanced")).to_contain_text("Balanced")
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("Intact")


def test_on_a_phone_the_sidebar_folds_behind_the_menu_button(api, open_page) -> None:
    page = open_page(viewport={"width": 375, "height": 740})
    sign_in(page, "fan-1", "fan")
    expect(page.get_by_role("link", name="Wallet")).to_be_hidden()
    page.get_by_label("Open the menu").click()
    expect(page.get_by_role("link", name="Wallet")).to_be_visible()


def test_notifications_subscribers_and_statements(api, open_page) -> None:
    from tests.api.test_subscriptions_http import subscribe

    persona_id = published_persona(api.core)
    subscribe(api, api.as_user("fan-1", "fan"), str(persona_id))
    fan = open_page()
    sign_in(fan, "fan-1", "fan")
    fan.get_by_role("link", name="Notifications").click()
    expect(fan.get_by_test_id("notification").first).to_contain_text("Subscription active")

    creator = open_page()
    sign_in(creator, "creator-1", "creator")
    creator.goto("/creator/subscribers")
    expect(creator.get_by_test_id("subscriber")).to_contain_text("fan-1")
    expect(creator.get_by_test_id("subscriber")).to_contain_text("£7.99")
    creator.goto("/creator/statements?month=2026-01")
    expect(creator.get_by_test_id("statement-row")).to_contain_text("subscription")
    with creator.expect_download() as download:
        creator.get_by_test_id("statement-csv").click()
    assert download.value.suggested_filename == "statement-creator-1-2026-01.csv"


def test_long_lists_are_paged_statement_wallet_and_audit_log(api, open_page) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from application.spending.commands import send_tip
    from tests.helpers import fund

    published_persona(api.core)
    fund(api.core, "fan-1", "pack_5500")

    def tip(_: int) -> None:
        api.core.spending.send(send_tip("fan-1", "creator-1", 10))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(tip, range(150)))
    api.core.projections.catch_up()
    creator = open_page()
    sign_in(creator, "creator-1", "creator")
    creator.goto("/creator/statements?month=2026-01")
    expect(creator.get_by_test_id("statement-totals")).to_contain_text("1050 tokens")
    expect(creator.get_by_test_id("statement-row")).to_have_count(100)
    creator.get_by_test_id("pager").get_by_role("link", name="Next").click()
    expect(creator.get_by_test_id("statement-row")).to_have_count(50)
    expect(creator.get_by_test_id("pager")).to_contain_text("Page 2 of 2")
    fan = open_page()
    sign_in(fan, "fan-1", "fan")
    fan.goto("/wallet")
    expect(fan.get_by_test_id("history-what")).to_have_count(50)
    fan.get_by_test_id("history-pager").get_by_role("link", name="Older").click()
    expect(fan.get_by_test_id("history-what")).to_have_count(50)
    expect(fan.get_by_test_id("history-what").first).to_have_text("Tip to Luna")
    admin = open_page()
    sign_in(admin, "adm-1", "admin")
    admin.goto("/admin/audit")
    expect(admin.get_by_test_id("audit-entry")).to_have_count(100)
    first = admin.get_by_test_id("audit-entry").first.inner_text()
    admin.get_by_test_id("audit-pager").get_by_role("link", name="Older").click()
    expect(admin.get_by_test_id("audit-entry")).to_have_count(100)
    assert admin.get_by_test_id("audit-entry").first.inner_text() != first


def test_markup_long_and_right_to_left_text_is_shown_as_text_and_keeps_the_layout(
        api, open_page) -> None:
    from tests.api.test_personas_http import PROFILE

    api.core.creators.register("creator-1", "Luna", "adm")
    hostile = {**PROFILE, "name": "<script>alert(1)</script><b>Bold</b>",
               "persona": {**PROFILE["persona"],
                           "backstory": "W" * 1_900 + " مرحبا بالعالم"}}
    persona = api.core.personas.create("creator-1", hostile)
    api.core.personas.submit("creator-1", persona.id)
    api.core.personas.review("adm-1", persona.id, True, "")
    api.core.personas.publish("creator-1", persona.id, True)
    api.core.projections.catch_up()
    dialogs: list[str] = []
    for width in (1200, 375):
        page = open_page(viewport={"width": width, "height": 800})
        page.on("dialog", lambda d: dialogs.append(d.message))
        for path in ("/", f"/models/{persona.id}"):
            page.goto(path)
            expect(page.get_by_text("<script>alert(1)</script><b>Bold</b>").first).to_be_visible()
            assert page.locator("b", has_text="Bold").count() == 0  # markup stays text
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
                (path, width)
    assert not dialogs


def test_a_long_thread_pages_back_through_its_earlier_messages(api, open_page,
                                                                monkeypatch) -> None:
    """The chat page shows the thread's latest messages (its window); a link opens the rest of
    the transcript, newest first, a page at a time."""
    from domain import chat_thread
    from tests.api.test_chat_http import say
    from tests.helpers import fund
    monkeypatch.setattr(chat_thread, "WINDOW_MESSAGES", 3)
    persona_id = published_persona(api.core)
    fund(api.core, "fan-1", "pack_1200")
    fan = api.as_user("fan-1", "fan")
    for n in range(5):
        price = fan.get(f"/api/sfw-chat/{persona_id}/price").json()["price_tokens"]
        assert say(fan, persona_id, f"Message number {n}", price).status_code == 201
        api.clock.advance(minutes=1)
    api.core.projections.catch_up()
    page = open_page()
    sign_in(page, "fan-1", "fan")
    page.goto(f"/chat/{persona_id}")
    expect(page.locator("#thread .bubble.fan")).to_have_count(3)
    page.get_by_test_id("earlier-messages").click()
    earlier = page.get_by_test_id("history").locator(".bubble.fan")
    expect(earlier).to_have_count(2)
    expect(earlier.first).to_contain_text("Message number 1")  # newest first
    expect(earlier.last).to_contain_text("Message number 0")
    expect(page.get_by_test_id("older")).to_have_count(0)  # a page holds fifty
    page.get_by_role("link", name="Back to the chat").click()
    expect(page.locator("#thread .bubble.fan").last).to_contain_text("Message number 4")
    other = open_page()
    sign_in(other, "fan-2", "fan")
    other.goto(f"/chat/{persona_id}")
    expect(other.get_by_test_id("earlier-messages")).to_have_count(0)  # each fan their own
    other.goto(f"/chat/{persona_id}/history")
    expect(other.get_by_text("No earlier messages.")).to_be_visible()
