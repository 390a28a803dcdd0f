"""What a person sees at a rate limit: where the answer would have gone, how long to wait; and a
page loaded past the limit explains itself in the site's layout."""

import pytest
from playwright.sync_api import expect

from tests.api.test_tips_http import funded_fan
from tests.browser.signin import sign_in
from tests.helpers import published_persona


@pytest.mark.settings(rate_limit_money="1/minute")
def test_a_second_tip_in_the_minute_says_how_long_to_wait(api, open_page) -> None:
    persona_id = published_persona(api.core)
    funded_fan(api, "fan-1", "pack_1200")
    page = open_page()
    sign_in(page, "fan-1", "fan")
    page.goto(f"/models/{persona_id}")
    page.get_by_test_id("send-tip").click()
    expect(page.get_by_test_id("tip-sent")).to_contain_text("New balance: 950 tokens")
    page.get_by_test_id("send-tip").click()
    expect(page.get_by_test_id("limited")).to_contain_text("Too many requests: try again in")


@pytest.mark.settings(rate_limit_reads="3/minute")
def test_a_page_past_the_limit_explains_itself(api, open_page) -> None:
    page = open_page()
    sign_in(page, "fan-1", "fan")  # and the browse page it leads to: the first read
    statuses = [answer.status for answer in (page.goto("/wallet") for _ in range(3)) if answer]
    assert statuses == [200, 200, 429]
    answer = page.goto("/wallet")
    assert answer is not None and answer.status == 429
    assert int(answer.headers["retry-after"]) >= 1
    expect(page.get_by_role("heading", name="Please wait a moment")).to_be_visible()
    expect(page.get_by_test_id("limited")).to_contain_text("try again in")
    expect(page.get_by_text("Nothing was done or charged")).to_be_visible()
