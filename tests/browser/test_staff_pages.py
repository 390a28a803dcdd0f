"""Admins, finance and auditors in the browser: persona review, a report resolved into a
warning and its appeal, the audit log filtered, a blocked term added; a refund's effect on a
creator as finance sees it, with the CSV; a disputed wallet cleared, an item taken down, and a
payout run started from the finance page."""

import base64
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import expect

from application.spending.commands import send_tip
from tests.api.test_content_http import upload
from tests.api.test_disputes_http import setup_spent_pack
from tests.api.test_payouts_http import CREATOR, approved_creator
from tests.api.test_personas_http import PROFILE, published
from tests.api.test_tips_http import funded_fan
from tests.browser.signin import sign_in
from tests.helpers import charge_refunded, fund, published_persona
from tests.media_samples import PNG
from tools.lyra_verify import verify


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


def picked(moment: datetime) -> str:
    """What a date picker (datetime-local, to the millisecond) takes: UTC, no zone."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


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
    page.get_by_label("Since (UTC)").fill(picked(now - timedelta(days=1)))
    page.get_by_label("Until (UTC)").fill(picked(now + timedelta(minutes=1)))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("diff")).to_contain_text("creator-1: 700")
    expect(page.get_by_test_id("reconciliation")).to_contain_text("Reconciled")
    with page.expect_download() as download:
        page.get_by_test_id("diff").get_by_role("link", name="CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("creator_id,held_tokens") and lines[1].startswith("creator-1,")

    page.get_by_label("At (UTC)").fill(picked(between))
    page.get_by_label("Fan", exact=True).fill("fan-1")
    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_test_id("as-of")).to_contain_text("200 tokens")

    # The creator's audit archive, checked as an outside auditor would, with the published key.
    page.get_by_label("Creator to export").fill("creator-1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the archive").click()
    key = base64.b64decode(httpx.get(f"{api.base}/api/ledger/public-key").json()["public_key"])
    report = verify(download.value.path(), key)
    assert report["agrees"], report["first_discrepancy"]
    assert report["checked"]["totals"]["tokens"]["reversed"] == 700


def test_finance_clears_a_disputed_wallet_and_an_admin_takes_content_down(api, open_page) -> None:
    _, session_id = setup_spent_pack(api)
    httpx.post(f"{api.base}/simulator/checkout/{session_id}/dispute")
    creator = api.as_user("creator-1", "creator")
    persona_id = published(api, (creator, api.as_user("adm-1", "admin")))
    made = upload(creator, persona_id, PNG, "public", title="Harbour at dawn")
    assert made.status_code == 201
    assert creator.post("/api/creator/posts", json={
        "persona_id": persona_id, "caption": "Morning walk",
        "item_ids": [made.json()["item_id"]]}).status_code == 201

    finance = open_page()
    sign_in(finance, "fin-1", "finance")
    finance.get_by_role("link", name="Frozen wallets").click()
    row = finance.get_by_test_id("frozen-wallet").filter(has_text="fan-1")
    row.get_by_label("Reason").fill("the bank sided with us")
    row.get_by_role("button", name="Clear the freeze").click()
    expect(finance.get_by_role("status")).to_have_text("fan-1: the dispute's freeze is cleared.")
    expect(finance.get_by_test_id("frozen-wallet")).to_have_count(0)
    wallet = api.as_user("fan-1", "fan").get("/api/wallet", params={"min_position": api.head()})
    assert wallet.json()["frozen"] is False

    admin = open_page()
    sign_in(admin, "adm-1", "admin")
    admin.goto("/admin/creators/creator-1")
    item = admin.get_by_test_id("media-item").filter(has_text="Harbour at dawn")
    expect(item).to_contain_text("served")
    item.get_by_label("Reason").fill("reported: not the creator's own photo")
    item.get_by_role("button", name="Take down").click()
    expect(admin.get_by_role("status")).to_have_text("Taken down.")
    expect(item).to_contain_text("taken down: reported: not the creator's own photo")
    [stored] = api.as_user("creator-1", "creator").get("/api/creator/media").json()["items"]
    assert stored["taken_down"]
    post = admin.get_by_test_id("post").filter(has_text="Morning walk")
    post.get_by_label("Reason").fill("reported: misleading caption")
    post.get_by_role("button", name="Take the post down").click()
    expect(admin.get_by_role("status")).to_have_text("Taken down.")
    expect(post).to_contain_text("taken down")
    feed = httpx.get(f"{api.base}/api/models/{persona_id}/feed").json()["posts"]
    assert feed == []


def test_finance_runs_the_payouts_from_the_page_and_a_rerun_pays_nobody_twice(api,
                                                                             open_page) -> None:
    creator, _ = approved_creator(api)
    for fan_id in ("fan-1", "fan-2"):  # 7,000 tokens to the creator: £28, over the £20 minimum
        fan, _ = funded_fan(api, fan_id, "pack_5500")
        assert fan.post("/api/tips", json={"creator_id": CREATOR,
                                           "amount_tokens": 5_000}).status_code == 201
    api.clock.advance(days=15)  # past the 14-day hold

    page = open_page()
    sign_in(page, "fin-1", "finance")
    page.get_by_role("link", name="Finance").click()
    page.get_by_label("Run name (default: this ISO week)").fill("not a name!")
    page.get_by_role("button", name="Run payouts").click()
    expect(page.get_by_role("status")).to_have_text(
        "A run's name is up to 40 letters, digits and _ . : -")
    page.get_by_label("Run name (default: this ISO week)").fill("page-run-1")
    page.get_by_role("button", name="Run payouts").click()
    expect(page.get_by_role("status")).to_have_text(
        "Run page-run-1: 1 creators paid £28.00, 0 carried, 2 holds released.")
    page.get_by_label("Run name (default: this ISO week)").fill("page-run-1")
    page.get_by_role("button", name="Run payouts").click()
    expect(page.get_by_role("status")).to_contain_text("Run page-run-1: 1 creators paid £28.00")
    payouts = creator.get("/api/creator/payouts", params={"min_position": api.head()}).json()
    assert [p["amount_minor"] for p in payouts["payouts"]] == [2_800]


def test_an_auditor_sees_no_payout_run_and_may_not_post_one(api, open_page) -> None:
    page = open_page()
    sign_in(page, "aud-1", "auditor")
    page.get_by_role("link", name="Finance").click()
    expect(page.get_by_role("button", name="Run payouts")).to_have_count(0)
    expect(page.get_by_role("link", name="Frozen wallets")).to_have_count(0)
    page.goto("/admin/wallets")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Frozen wallets")


def test_reviewers_see_the_models_second_opinion_in_both_queues(api, open_page) -> None:
    """With the offline stand-in (the default), the opinion says it reviewed nothing."""
    persona_id = published_persona(api.core)
    draft = api.core.personas.create("creator-1", dict(PROFILE, name="Second Persona"))
    api.core.personas.submit("creator-1", draft.id)
    api.core.moderation.file_report("fan-1", "persona", str(persona_id), "creator-1", "other",
                                    "Please take a look at this profile.")
    api.core.projections.catch_up()
    page = open_page()
    sign_in(page, "adm-1", "admin")
    page.goto("/admin/personas")
    opinion = page.get_by_test_id("persona-review").get_by_test_id("second-opinion")
    expect(opinion).to_contain_text("it decides nothing")
    expect(opinion).to_contain_text("offline stand-in reviews nothing")
    page.goto("/admin/reports?status=open")
    expect(page.get_by_test_id("report").get_by_test_id("second-opinion")).to_contain_text(
        "offline stand-in reviews nothing")


def test_a_reviewer_acknowledges_what_the_checks_sent_to_review(api, open_page) -> None:
    """A backstory the rules send to review (a camera and secrecy): the reviewer sees the
    finding beside the text, approving without the acknowledgement is refused with a reason,
    and with it the persona goes live."""
    published_persona(api.core)
    profile = dict(PROFILE, name="Night Owl", persona=dict(
        PROFILE["persona"], backstory="A photographer; he keeps a hidden camera in the flat."))
    draft = api.core.personas.create("creator-1", profile)
    api.core.personas.submit("creator-1", draft.id)
    api.core.projections.catch_up()
    page = open_page()
    sign_in(page, "adm-1", "admin")
    page.goto("/admin/personas")
    review = page.get_by_test_id("persona-review")
    expect(review.get_by_test_id("review-findings")).to_contain_text("hidden camera")
    review.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("acknowledge their findings")
    review = page.get_by_test_id("persona-review")
    review.get_by_test_id("acknowledge").check()
    review.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Approved.")
