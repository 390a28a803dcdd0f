"""Admins, finance and auditors in the browser: persona review, a report resolved into a
warning and its appeal, the audit log filtered, a blocked term added; a refund's effect on a
creator as finance sees it, with the CSV."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from application.spending.commands import send_tip
from tests.api.test_personas_http import PROFILE
from tests.browser.signin import sign_in
from tests.helpers import charge_refunded, fund, published_persona


def test_an_admin_reviews_a_persona_resolves_a_report_and_upholds_an_appeal(api,
                                                                            open_page) -> None:
    published_persona(api.core)
    draft = api.core.personas.create("creator-1", dict(PROFILE, name="Second Persona"))
    api.core.personas.submit("creator-1", draft.id)
    fan = api.as_user("fan-9", "fan")
    assert fan.post("/api/reports", json={
        "target_kind": "creator", "target_id": "creator-1", "creator_id": "creator-1",
        "category": "spam", "text": "Sends the same message to everyone."}).status_code == 201

    page = open_page()
    sign_in(page, "adm-1", "admin")
    page.get_by_role("link", name="Persona review").click()
    review = page.get_by_test_id("persona-review")
    expect(review).to_contain_text("Second Persona")
    review.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Approved.")

    page.get_by_role("link", name="Reports").click()
    report = page.get_by_test_id("report")
    report.get_by_label("Resolution").select_option("warn")
    report.get_by_label("Note").fill("first time")
    report.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Resolved.")
    page.goto("/admin/creators/creator-1")
    expect(page.get_by_role("cell", name="warning")).to_be_visible()
    page.get_by_role("button", name="Uphold appeal").click()
    expect(page.get_by_role("cell", name="revoked")).to_be_visible()

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Creator id").fill("creator-1")
    page.get_by_label("Kind (wildcards: Creator.*)").fill("StrikeRecord.*")
    page.get_by_role("button", name="Filter").click()
    entries = page.get_by_test_id("audit-entry")
    expect(entries.first).to_contain_text("StrikeRecord.Revoked")  # newest first
    expect(entries.filter(has_text="Creator.")).to_have_count(0)

    page.get_by_role("link", name="Tags and terms").click()
    page.get_by_label("Term").fill("forbidden-example")
    page.get_by_label("Category").fill("violence")
    page.get_by_role("button", name="Block it").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")


def test_finance_sees_a_refund_taken_back_and_downloads_the_csv(api, open_page) -> None:
    published_persona(api.core)
    payment = fund(api.core, "fan-1", "pack_1200")
    api.core.spending.send(send_tip("fan-1", "creator-1", 1_000))
    time.sleep(0.05)
    between = datetime.now(UTC)  # after the tip, before the refund
    time.sleep(0.05)
    api.core.stripe_events.handle(charge_refunded(payment, 999, 999))
    api.core.projections.catch_up()

    page = open_page()
    sign_in(page, "fin-1", "finance")
    page.get_by_role("link", name="Finance").click()
    # Replays read the ledger by when events were recorded (the wall clock), not the test clock.
    now = datetime.now(UTC)
    page.get_by_label("Since").fill((now - timedelta(days=1)).isoformat())
    page.get_by_label("Until").fill((now + timedelta(minutes=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("diff")).to_contain_text("creator-1: 700")
    expect(page.get_by_test_id("reconciliation")).to_contain_text("Reconciled")
    with page.expect_download() as download:
        page.get_by_test_id("diff").get_by_role("link", name="CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("creator_id,held_tokens") and lines[1].startswith("creator-1,")

    page.get_by_label("At (ISO 8601, UTC if no zone)").fill(between.isoformat())
    page.get_by_label("Fan", exact=True).fill("fan-1")
    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_test_id("as-of")).to_contain_text("200 tokens")
