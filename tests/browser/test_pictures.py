"""Pictures in the browser: a creator gives a persona an avatar and a cover on the personas page,
an admin sees them in review, fans see them on the browse cards and the profile, and a locked
pay-per-view picture shows fans its blurred teaser."""


from PIL import Image
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.helpers import post_with_a_locked_picture, published_persona


def picture(path, colour: tuple[int, int, int]) -> str:
    Image.new("RGB", (800, 600), colour).save(path, format="JPEG")
    return str(path)


def loaded(locator) -> bool:  # type: ignore[no-untyped-def]
    """Waits for the picture to decode (one opened in a dialog starts loading on the click)."""
    return bool(locator.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)"))


def test_persona_pictures_from_upload_to_browse_and_a_locked_teaser(api, open_page,
                                                                    tmp_path) -> None:
    persona_id = published_persona(api.core)
    page = open_page()
    sign_in(page, "creator-1", "creator")
    page.goto("/creator/personas")
    page.get_by_label("Avatar").set_input_files(picture(tmp_path / "a.jpg", (30, 140, 90)))
    page.get_by_label("Cover image").set_input_files(picture(tmp_path / "c.jpg", (40, 60, 160)))
    page.get_by_role("button", name="Save pictures").click()
    expect(page.get_by_role("status")).to_contain_text("Pictures saved")
    expect(page.get_by_test_id("my-persona")).to_contain_text("submitted")  # back to review

    # A pay-per-view picture in a post, with an offer that opens it.
    post_with_a_locked_picture(api.core, persona_id, "Sunset set", (200, 80, 40), (800, 600))

    admin = open_page()
    sign_in(admin, "adm-1", "admin")
    admin.goto("/admin/personas")
    review = admin.get_by_test_id("persona-review")
    expect(review.get_by_test_id("review-avatar")).to_be_visible()
    assert loaded(review.get_by_test_id("review-cover"))
    review.get_by_role("button", name="Approve").click()

    fan = open_page()
    sign_in(fan, "fan-1", "fan")
    fan.goto("/")
    avatar = fan.get_by_test_id("persona-avatar")
    expect(avatar).to_be_visible()
    assert loaded(avatar)
    fan.get_by_role("link", name="Luna").click()
    assert loaded(fan.get_by_test_id("persona-cover"))
    locked = fan.get_by_test_id("locked-item")
    expect(locked).to_contain_text("Sunset set")
    teaser = locked.get_by_test_id("teaser")
    expect(teaser).to_be_visible()
    assert loaded(teaser)

    # The public picture opens full size in the viewer, and Escape closes it.
    fan.get_by_test_id("media-full").click()
    viewer = fan.get_by_test_id("viewer")
    expect(viewer).to_be_visible()
    assert loaded(viewer.locator("img"))
    fan.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
