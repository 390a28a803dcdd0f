"""The content library through HTTP: uploads checked from the bytes, tiers, posts, PPV offers of
library items, and who may see what, through signed links that expire; takedowns; refusals that
store nothing."""

import io
import itertools
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from PIL import Image

from tests.api.test_personas_http import published
from tests.api.test_subscriptions_http import subscribe
from tests.api.test_tips_http import funded_fan
from tests.media_samples import JPEG, PNG, mp4_boxes, phone_photo, video_bytes

MP4 = video_bytes()


def upload(client: httpx.Client, persona_id: str, data: bytes, tier: str,
           name: str = "photo.png", title: str = "") -> httpx.Response:
    return client.post("/api/creator/media", files={"file": (name, data)},
                       data={"persona_id": persona_id, "tier": tier, "title": title})


def stored_files(api) -> list[Path]:
    root = Path(api.core.settings.media_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def library(api, studio):
    """A persona with a public, a subscribers and a PPV item, a post showing all three, and an
    offer opening the PPV item."""
    creator, _ = studio
    persona_id = published(api, studio)
    items = {}
    for tier, data, name in (("public", PNG, "a.png"), ("subscribers", JPEG, "b.jpg"),
                             ("ppv", MP4, "c.mp4")):
        made = upload(creator, persona_id, data, tier, name, title=f"{tier} item")
        assert made.status_code == 201, made.text
        items[tier] = made.json()
    assert items["ppv"]["status"] == "processing"  # a video is prepared after its upload
    assert api.core.videos.prepare(UUID(items["ppv"]["item_id"])) == "ready"
    assert (items["public"]["kind"], items["ppv"]["kind"]) == ("image", "video")
    assert items["subscribers"]["content_type"] == "image/jpeg"
    post = creator.post("/api/creator/posts", json={
        "persona_id": persona_id, "caption": "New set",
        "item_ids": [items[t]["item_id"] for t in ("public", "subscribers", "ppv")]})
    assert post.status_code == 201, post.text
    offer = creator.post("/api/creator/ppv", json={
        "persona_id": persona_id, "title": "The video", "price_tokens": 300,
        "item_ids": [items["ppv"]["item_id"]]})
    assert offer.status_code == 201, offer.text
    return persona_id, items, offer.json()["offer_id"]


def seen(api, client: httpx.Client, persona_id: str) -> dict[str, bool]:
    """For each tier: whether this viewer's feed shows the item (and its link works)."""
    body = client.get(f"/api/models/{persona_id}/feed", params={"min_position": api.head()})
    assert body.status_code == 200, body.text
    [post] = body.json()["posts"]
    result = {}
    for item in post["items"]:
        result[item["tier"]] = not item["locked"]
        if not item["locked"]:
            assert httpx.get(f"{api.base}{item['url']}").status_code == 200
    return result


def test_each_kind_of_viewer_sees_what_its_tier_allows(api, studio, library) -> None:
    persona_id, items, offer_id = library
    creator, admin = studio
    anonymous = httpx.Client(base_url=api.base)
    stranger = api.as_user("fan-9", "fan")
    subscriber = api.as_user("fan-sub", "fan")
    subscribe(api, subscriber, persona_id)
    buyer, _ = funded_fan(api, "fan-buy")
    assert buyer.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 300}).status_code == 201
    other_creator = api.as_user("creator-2", "creator")
    everything = {"public": True, "subscribers": True, "ppv": True}
    expected = {
        "anonymous": (anonymous, {"public": True, "subscribers": False, "ppv": False}),
        "stranger": (stranger, {"public": True, "subscribers": False, "ppv": False}),
        "other creator": (other_creator, {"public": True, "subscribers": False, "ppv": False}),
        "subscriber": (subscriber, {"public": True, "subscribers": True, "ppv": False}),
        "buyer": (buyer, {"public": True, "subscribers": False, "ppv": True}),
        "owner": (creator, everything),
        "admin": (admin, everything),
    }
    for who, (client, tiers) in expected.items():
        assert seen(api, client, persona_id) == tiers, who
        for tier, allowed in tiers.items():
            response = client.get(f"/api/media/{items[tier]['item_id']}/url")
            assert response.status_code == (200 if allowed else 403), (who, tier)
            if not allowed:
                assert response.json()["error"]["code"] == "media_locked"
    feed = stranger.get(f"/api/models/{persona_id}/feed").json()["posts"][0]["items"]
    assert [i["unlock_offer_ids"] for i in feed if i["tier"] == "ppv"] == [[offer_id]]


def test_a_signed_link_serves_the_bytes_until_it_expires(api, studio, library) -> None:
    _, items, _ = library
    creator, _ = studio
    link = creator.get(f"/api/media/{items['ppv']['item_id']}/url").json()
    served = httpx.get(f"{api.base}{link['url']}")
    assert served.status_code == 200 and served.headers["content-type"] == "video/mp4"
    assert mp4_boxes(served.content)[:2] == ["ftyp", "moov"]  # playable as it arrives
    forged = link["url"][:-4] + ("0000" if not link["url"].endswith("0000") else "1111")
    assert httpx.get(f"{api.base}{forged}").status_code == 403
    other_item = link["url"].replace(items["ppv"]["item_id"], items["public"]["item_id"])
    assert httpx.get(f"{api.base}{other_item}").status_code == 403
    api.clock.advance(seconds=api.core.settings.media_url_ttl_seconds + 1)
    expired = httpx.get(f"{api.base}{link['url']}")
    assert expired.status_code == 403 and expired.json()["error"]["code"] == "media_locked"


def test_a_taken_down_item_is_kept_but_no_longer_served(api, studio, library) -> None:
    persona_id, items, _ = library
    creator, admin = studio
    link = creator.get(f"/api/media/{items['public']['item_id']}/url").json()["url"]
    down = admin.post(f"/api/admin/media/{items['public']['item_id']}/takedown",
                      json={"reason": "reported: not the creator's work"})
    assert down.status_code == 200 and down.json()["taken_down"] is True
    assert httpx.get(f"{api.base}{link}").status_code == 404
    for client in (creator, admin, api.as_user("fan-1", "fan")):
        assert client.get(f"/api/media/{items['public']['item_id']}/url").status_code == 404
    assert seen(api, creator, persona_id) == {"public": False, "subscribers": True, "ppv": True}
    mine = creator.get("/api/creator/media", params={"min_position": api.head()}).json()["items"]
    assert [i["takedown_reason"] for i in mine if i["taken_down"]] == [
        "reported: not the creator's work"]
    assert creator.post(f"/api/admin/media/{items['ppv']['item_id']}/takedown",
                        json={"reason": "x"}).status_code == 403  # only admins


def test_refused_uploads_store_nothing(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    other = api.as_user("creator-2", "creator")
    head, files = api.head(), stored_files(api)
    too_big = PNG + bytes(api.core.settings.media_max_image_bytes)
    cases = [
        (upload(creator, persona_id, b"just some text, named like a picture", "public"), 415,
         "unsupported_media_type"),
        (upload(creator, persona_id, b"%PDF-1.4 a document", "public", "x.jpg"), 415,
         "unsupported_media_type"),
        (upload(creator, persona_id, too_big, "public"), 413, "media_too_large"),
        (upload(creator, persona_id, JPEG[:-40], "public", "cut.jpg"), 422, "unreadable_image"),
        (upload(creator, persona_id, MP4[:2_000], "public", "cut.mp4"), 422, "unplayable_video"),
        (upload(creator, persona_id, PNG, "friends-only"), 422, "invalid_media"),
        (upload(other, persona_id, PNG, "public"), 403, "creator_not_approved"),
        (upload(api.as_user("fan-1", "fan"), persona_id, PNG, "public"), 403, "forbidden"),
        (upload(creator, "00000000-0000-0000-0000-000000000009", PNG, "public"), 404,
         "unknown_persona"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert api.head() == head and stored_files(api) == files


def test_someone_elses_persona_and_items_are_refused(api, studio) -> None:
    creator, admin = studio
    persona_id = published(api, studio)
    admin.post("/api/admin/creators", json={"user_id": "creator-2", "display_name": "Kai"})
    other = api.as_user("creator-2", "creator")
    mine = upload(creator, persona_id, PNG, "public").json()
    head, files = api.head(), stored_files(api)
    refused = upload(other, persona_id, PNG, "public")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_your_persona")
    post = other.post("/api/creator/posts", json={"persona_id": persona_id,
                                                  "item_ids": [mine["item_id"]]})
    assert post.status_code == 403
    offer = creator.post("/api/creator/ppv", json={
        "persona_id": persona_id, "title": "Not PPV", "price_tokens": 300,
        "item_ids": [mine["item_id"]]})
    assert (offer.status_code, offer.json()["error"]["code"]) == (422, "invalid_offer")
    assert api.head() == head and stored_files(api) == files


def test_a_phone_photo_is_served_upright_without_its_camera_or_position(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    original = phone_photo()
    made = upload(creator, persona_id, original, "public", "IMG_0001.jpg")
    assert made.status_code == 201, made.text
    item = made.json()
    assert item["size_bytes"] != len(original)
    link = creator.get(f"/api/media/{item['item_id']}/url").json()["url"]
    served = httpx.get(f"{api.base}{link}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    for trace in (b"PhoneMaker", b"Phone 12", b"Editor 3.1", b"Harbourtown", b"Exif"):
        assert trace not in served.content, trace
    seen = Image.open(io.BytesIO(served.content))
    assert not dict(seen.getexif()) and seen.size == (20, 40)  # upright, and nothing else
    # Every size a fan can be sent is as clean; the original is the creator's alone.
    for size in ("thumb", "preview", "teaser"):
        sized = httpx.get(api.base + creator.get(f"/api/media/{item['item_id']}/url",
                                                  params={"size": size}).json()["url"])
        assert sized.status_code == 200 and sized.headers["content-type"] == "image/webp"
        for trace in (b"PhoneMaker", b"Phone 12", b"Harbourtown", b"Exif"):
            assert trace not in sized.content, (size, trace)
    kept = creator.get(f"/api/creator/media/{item['item_id']}/original")
    assert kept.status_code == 200 and kept.content == original
    assert "attachment" in kept.headers["content-disposition"]
    for stranger in (api.as_user("fan-1", "fan"), api.as_user("creator-2", "creator")):
        assert stranger.get(f"/api/creator/media/{item['item_id']}/original").status_code in (
            403, 404)
    stored = [path.read_bytes() for path in stored_files(api)]
    assert sum(b"Phone 12" in data for data in stored) == 1  # the original, and only it


def test_the_same_bytes_are_stored_once(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    first = upload(creator, persona_id, PNG, "public").json()
    second = upload(creator, persona_id, PNG, "subscribers").json()
    assert first["sha256"] == second["sha256"] and first["item_id"] != second["item_id"]
    assert first["renditions"] == second["renditions"]
    # The full image, its original, thumbnail, preview and teaser: each distinct file once, for
    # both items (a picture smaller than a thumbnail has one file for both sizes).
    hashes = {first["sha256"], *(r["sha256"] for r in first["renditions"].values())}
    assert set(first["renditions"]) == {"original", "thumb", "preview", "teaser"}
    assert len(stored_files(api)) == len(hashes) == 4


def test_titles_and_captions_pass_the_blocked_term_filter(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    item = upload(creator, persona_id, PNG, "public").json()
    head, files = api.head(), stored_files(api)
    refused = [
        upload(creator, persona_id, JPEG, "public", title="she is 15 here"),
        creator.post("/api/creator/posts", json={"persona_id": persona_id,
                                                 "caption": "a te\u200ben look",
                                                 "item_ids": [item["item_id"]]}),
        creator.post("/api/creator/ppv", json={"persona_id": persona_id, "title": "kiddie set",
                                               "price_tokens": 300}),
    ]
    for response in refused:
        assert (response.status_code, response.json()["error"]["code"]) == (422, "blocked_terms")
    assert api.head() == head and stored_files(api) == files


def test_an_unlock_a_refund_revoked_can_be_bought_again_and_opens_the_item_again(
        api, studio, library) -> None:
    persona_id, items, offer_id = library
    buyer, first_session = funded_fan(api, "fan-buy")
    bought = buyer.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 300},
                        headers={"Idempotency-Key": "first"})
    assert bought.status_code == 201
    refund = httpx.post(f"{api.base}/simulator/checkout/{first_session}/refund").json()
    assert refund["response"]["outcome"] == "refunded"
    assert seen(api, buyer, persona_id)["ppv"] is False
    # The first request retried is answered as it was, and charges nothing.
    head = api.head()
    retried = buyer.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 300},
                         headers={"Idempotency-Key": "first"})
    assert (retried.status_code, retried.json()["replayed"]) == (201, True)
    assert retried.json()["unlock_id"] == bought.json()["unlock_id"] and api.head() == head
    funded_fan(api, "fan-buy")
    again = buyer.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 300})
    assert again.status_code == 201, again.text
    assert again.json()["unlock_id"] != bought.json()["unlock_id"]
    assert (again.json()["new_balance"], again.json()["creator_tokens"]) == (200, 240)
    assert seen(api, buyer, persona_id)["ppv"] is True
    assert buyer.get(f"/api/media/{items['ppv']['item_id']}/url").status_code == 200
    third = buyer.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 300})
    assert third.status_code == 409 and third.json()["error"]["code"] == "already_unlocked"
    unlocks = buyer.get("/api/ppv/unlocks", params={"min_position": api.head()}).json()["unlocks"]
    assert sorted((u["entitled"], u["reversal_reason"]) for u in unlocks) == [
        (False, "refund"), (True, None)]
    creator, _ = studio
    mine = creator.get("/api/creator/ppv").json()["offers"]
    assert [(o["unlocks"], o["creator_tokens"]) for o in mine] == [(1, 240)]
    balance = api.as_user("fin", "finance").get("/api/finance/trial-balance").json()
    assert balance["balanced"] and balance["tokens"]["standing_creator_shares"] == 240


def test_a_locked_item_shows_fans_only_its_blurred_teaser(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    picture = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    for x in range(0, 1600, 100):  # sharp detail the teaser must not carry
        picture.paste((255, 0, 0), (x, 0, x + 3, 1200))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=92)
    item = upload(creator, persona_id, out.getvalue(), "ppv", "set.jpg", title="Set").json()
    sizes = item["renditions"]
    assert (sizes["thumb"]["width"], sizes["preview"]["width"]) == (320, 1280)
    assert sizes["teaser"]["width"] == 320 and sizes["teaser"]["size_bytes"] < 4_000
    assert creator.post("/api/creator/posts", json={
        "persona_id": persona_id, "item_ids": [item["item_id"]]}).status_code == 201
    assert creator.post("/api/creator/ppv", json={
        "persona_id": persona_id, "title": "The set", "price_tokens": 300,
        "item_ids": [item["item_id"]]}).status_code == 201

    fan = api.as_user("fan-9", "fan")
    [post] = fan.get(f"/api/models/{persona_id}/feed",
                     params={"min_position": api.head()}).json()["posts"]
    [shown] = post["items"]
    assert shown["locked"] and "url" not in shown and shown["unlock_offer_ids"]
    teaser = httpx.get(api.base + shown["teaser_url"])
    assert teaser.status_code == 200 and teaser.headers["content-type"] == "image/webp"
    blurred = Image.open(io.BytesIO(teaser.content)).convert("RGB")
    row = [blurred.getpixel((x, blurred.height // 2)) for x in range(blurred.width)]
    assert max(abs(a[0] - b[0]) for a, b in itertools.pairwise(row)) < 12  # no edge survives
    # Its link does not open any other size, and the full sizes are refused to this fan.
    forged = shown["teaser_url"].replace("size=teaser", "size=full")
    assert httpx.get(api.base + forged).status_code == 403
    for size in ("full", "thumb", "preview"):
        refused = fan.get(f"/api/media/{item['item_id']}/url", params={"size": size})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "media_locked")
    # Once unlocked, the fan gets every size.
    funded_fan(api, "fan-9", "pack_1200")
    offer_id = shown["unlock_offer_ids"][0]
    assert fan.post(f"/api/ppv/{offer_id}/purchase",
                    json={"price_tokens": 300}).status_code == 201
    [post] = fan.get(f"/api/models/{persona_id}/feed",
                     params={"min_position": api.head()}).json()["posts"]
    [opened] = post["items"]
    assert not opened["locked"]
    preview = httpx.get(api.base + opened["preview_url"])
    assert Image.open(io.BytesIO(preview.content)).size == (1280, 960)


def test_a_video_is_prepared_after_its_upload_and_shown_with_its_poster(api, studio) -> None:
    import time

    creator, _ = studio
    persona_id = published(api, studio)
    made = upload(creator, persona_id, MP4, "public", "walk.mp4", title="Walk")
    assert made.status_code == 201 and made.json()["status"] == "processing"
    item_id = made.json()["item_id"]
    deadline = time.monotonic() + 20
    while True:  # the upload returned at once; a worker prepares it
        items = creator.get("/api/creator/media", params={"min_position": api.head()}).json()
        [item] = [i for i in items["items"] if i["item_id"] == item_id]
        if item["status"] == "ready":
            break
        assert time.monotonic() < deadline and item["status"] == "processing", item
        time.sleep(0.05)
    assert creator.post("/api/creator/posts", json={
        "persona_id": persona_id, "item_ids": [item_id]}).status_code == 201
    fan = api.as_user("fan-1", "fan")
    [post] = fan.get(f"/api/models/{persona_id}/feed",
                     params={"min_position": api.head()}).json()["posts"]
    [shown] = post["items"]
    poster = httpx.get(api.base + shown["poster_url"])
    assert poster.status_code == 200 and poster.headers["content-type"] == "image/webp"
    video = httpx.get(api.base + shown["url"])
    assert video.headers["content-type"] == "video/mp4"
    assert mp4_boxes(video.content)[:2] == ["ftyp", "moov"] and b"Harbourtown" not in video.content
