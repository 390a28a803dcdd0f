"""A persona's avatar and cover through HTTP: processed like every upload, shown to fans through
signed links once approved, a change on a live persona reviewed first, bad input refused."""

import io

import httpx
from PIL import Image

from tests.api.test_personas_http import PROFILE, published
from tests.media_samples import image_bytes, phone_photo


def picture(colour: tuple[int, int, int]) -> bytes:
    return image_bytes("PNG", (900, 600), colour)


def upload(creator: httpx.Client, persona_id: str, role: str, data: bytes) -> httpx.Response:
    return creator.post(f"/api/creator/models/{persona_id}/images",
                        files={role: ("picture.jpg", data)})


def shown(api, persona_id: str) -> dict:
    fan = api.as_user("fan-1", "fan")
    [model] = fan.get("/api/models", params={"min_position": api.head()}).json()["models"]
    assert model["id"] == persona_id
    return model["images"]


def colour_of(api, link: str) -> tuple[int, ...]:
    served = httpx.get(api.base + link)
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    return Image.open(io.BytesIO(served.content)).convert("RGB").getpixel((5, 5))


def test_images_show_once_approved_and_a_change_is_reviewed_first(api, studio) -> None:
    creator, admin = studio
    persona_id = creator.post("/api/creator/models", json=PROFILE).json()["id"]
    made = creator.post(f"/api/creator/models/{persona_id}/images", files={
        "avatar": ("me.jpg", phone_photo()), "cover": ("sea.png", picture((0, 0, 200)))})
    assert made.status_code == 200, made.text
    assert set(made.json()["draft_images"]) == {"avatar", "cover"}
    assert set(made.json()["draft_images"]["avatar"]) == {"thumb", "preview"}
    assert creator.post(f"/api/creator/models/{persona_id}/submit").status_code == 200
    [queued] = admin.get("/api/admin/models", params={"min_position": api.head()}
                         ).json()["models"]
    assert httpx.get(api.base + queued["draft_images"]["avatar"]["preview"]).status_code == 200
    admin.post(f"/api/admin/models/{persona_id}/approve", json={})
    creator.post(f"/api/creator/models/{persona_id}/publish")

    images = shown(api, persona_id)
    avatar = httpx.get(api.base + images["avatar"]["thumb"])
    assert avatar.status_code == 200
    for trace in (b"PhoneMaker", b"Phone 12", b"Exif"):
        assert trace not in avatar.content
    assert colour_of(api, images["cover"]["preview"])[2] > 150  # blue
    assert Image.open(io.BytesIO(httpx.get(api.base + images["cover"]["preview"]).content)
                      ).size == (900, 600)

    # A new cover on the live persona: back to review, fans keep the approved one.
    assert upload(creator, persona_id, "cover", picture((200, 0, 0))).status_code == 200
    mine = creator.get("/api/creator/models").json()["models"][0]
    assert mine["review"] == "submitted"
    assert colour_of(api, shown(api, persona_id)["cover"]["preview"])[2] > 150  # still blue
    admin.post(f"/api/admin/models/{persona_id}/approve", json={})
    assert colour_of(api, shown(api, persona_id)["cover"]["preview"])[0] > 150  # now red

    # A profile edit cannot point an image anywhere: the stored images are kept.
    edited = creator.put(f"/api/creator/models/{persona_id}", json={
        **PROFILE, "name": "Luna Vale", "images": {"avatar": {"thumb": "0" * 64}}})
    assert edited.status_code == 200
    assert edited.json()["draft"]["images"]["avatar"]["thumb"] != "0" * 64


def test_bad_images_are_refused_and_nothing_changes(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    head = api.head()
    cases = [
        (upload(creator, persona_id, "avatar", b"plain text, not a picture"), 415,
         "unsupported_media_type"),
        (upload(creator, persona_id, "avatar", image_bytes("JPEG", (64, 64))[:-30]), 422,
         "unreadable_image"),
        (upload(api.as_user("creator-2", "creator"), persona_id, "avatar", picture((1, 2, 3))),
         403, "creator_not_approved"),
        (upload(api.as_user("fan-1", "fan"), persona_id, "avatar", picture((1, 2, 3))), 403,
         "forbidden"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    nothing = creator.post(f"/api/creator/models/{persona_id}/images", files={
        "banner": ("b.png", picture((1, 2, 3)))})
    assert (nothing.status_code, nothing.json()["error"]["code"]) == (422,
                                                                      "invalid_persona_image")
    assert api.head() == head
    images = shown(api, persona_id)
    assert images == {}
    forged = "/persona-media/" + "0" * 64 + "?expires=9999999999&signature=" + "0" * 64
    assert httpx.get(api.base + forged).status_code == 403
