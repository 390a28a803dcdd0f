"""The README's screenshots: a demo ledger on the embedded default (SQLite, simulator, offline
model), served on loopback and photographed in Debian's Chromium. Neutral demo data only.

Usage: .venv/bin/python -m tools.screenshots [--out docs/screenshots]
"""

import argparse
import io
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from api.main import create_app
from application.settings import Settings
from application.spending.commands import send_tip
from tests.browser.signin import sign_in
from tests.fakes.servers import free_port, serve_app
from tests.helpers import fund, published_persona


def _picture(size: tuple[int, int], top: tuple[int, int, int],
             bottom: tuple[int, int, int]) -> bytes:
    """A soft two-colour gradient: neutral demo art."""
    mask = Image.linear_gradient("L").resize(size)
    picture = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        app = create_app(settings=Settings(
            database_url=f"sqlite:///{tmp}/lyra.sqlite", media_dir=f"{tmp}/media",
            environment="development", public_url=f"http://127.0.0.1:{port}"))
        with serve_app(app, port) as base:
            core = app.state.core
            persona_id = published_persona(core, name="Luna Vale")
            core.persona_images.upload("creator-1", persona_id, {
                "avatar": io.BytesIO(_picture((420, 420), (120, 90, 200), (240, 170, 200))),
                "cover": io.BytesIO(_picture((1400, 500), (30, 40, 90), (200, 120, 170)))})
            core.personas.review("adm-1", persona_id, True, "")
            items = [core.library.upload("creator-1", persona_id, io.BytesIO(_picture(
                (900, 600), top, bottom)), tier, title) for tier, title, top, bottom in (
                ("public", "Harbour at dawn", (250, 190, 120), (60, 90, 150)),
                ("ppv", "Evening set", (230, 120, 80), (40, 30, 80)))]
            core.library.publish_post("creator-1", persona_id, "A new set from the harbour",
                                      [i.id for i in items])
            core.ppv.create_offer("creator-1", persona_id, "Evening set", 300, [items[1].id])
            for n in range(6):
                fund(core, f"fan-{n}", "pack_1200")
                core.spending.send(send_tip(f"fan-{n}", "creator-1", 150 * (n + 1)))
            chat = core.companion_chat.conversation
            list(chat.reply(chat.begin("fan-1", str(persona_id), "Hi! Call me Sam. I love "
                                       "astronomy.", None, 100)))
            core.projections.wait_for(core.ledger.max_position())
            chromium = shutil.which("chromium") or "chromium"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=["--no-sandbox"])

                def signed_in(user: str, *roles: str,  # type: ignore[no-untyped-def]
                              scheme: str = "light"):
                    page = browser.new_page(base_url=base, color_scheme=scheme,
                                            viewport={"width": 1100, "height": 760})
                    sign_in(page, user, *roles)
                    return page

                fan = signed_in("fan-1", "fan")
                fan.screenshot(path=str(out / "browse.png"))
                dark = signed_in("fan-2", "fan", scheme="dark")
                dark.screenshot(path=str(out / "browse-dark.png"))
                dark.goto(f"/models/{persona_id}")
                dark.screenshot(path=str(out / "profile-dark.png"), full_page=True)
                fan.goto(f"/models/{persona_id}#tip")
                fan.screenshot(path=str(out / "profile-tip.png"), full_page=True)
                fan.goto(f"/chat/{persona_id}?mode=companion")
                fan.screenshot(path=str(out / "chat.png"))
                creator = signed_in("creator-1", "creator")
                creator.get_by_test_id("mode-switch").click()
                creator.wait_for_url("**/creator")
                creator.screenshot(path=str(out / "creator-overview.png"), full_page=True)
                finance = signed_in("fin-1", "finance", "auditor")
                now = datetime.now(UTC)
                finance.goto(f"/finance?since={(now - timedelta(hours=1)).isoformat()}"
                             f"&until={(now + timedelta(minutes=1)).isoformat()}")
                finance.screenshot(path=str(out / "finance.png"), full_page=True)
                phone = browser.new_page(base_url=base, color_scheme="dark",
                                         viewport={"width": 375, "height": 700})
                phone.goto(f"/models/{persona_id}")
                phone.screenshot(path=str(out / "phone.png"))
                browser.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
