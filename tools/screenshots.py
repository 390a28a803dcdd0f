"""The README's screenshots: the demo marketplace (`lyra serve --demo`) filled into a fresh
ledger on the embedded default, served on loopback and photographed in Debian's Chromium, each
person signed in with the sign-in page's one-click buttons.

Usage: .venv/bin/python -m tools.screenshots [--out docs/screenshots]
"""

import argparse
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from api.main import create_app
from api.serving import free_port, serve_in_thread
from application import demo_cast as cast
from application.bootstrap import build_core
from application.settings import Settings
from demo.fill import fill


def _signed_in(browser: Browser, base: str, user: cast.DemoUser, scheme: str = "light",
               width: int = 1100) -> Page:
    page = browser.new_page(base_url=base, color_scheme=scheme,
                            viewport={"width": width, "height": 760})
    page.goto("/login")
    page.get_by_test_id(f"demo-{user.user_id}").click()
    page.wait_for_url("**/")
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/lyra.sqlite",
                            media_dir=f"{tmp}/media", environment="development",
                            checkpoint_key_file=f"{tmp}/checkpoint.key")
        fill(settings, print)
        port = free_port()
        core = build_core(settings.model_copy(update={
            "public_url": f"http://127.0.0.1:{port}", "demo": True}))
        try:
            with serve_in_thread(create_app(core), port) as base:
                luna = next(p["id"] for p in core.persona_queries.of_creator(
                    cast.CREATOR.user_id) if p["draft"]["name"] == "Luna Vale")
                _photograph(base, out, luna)
        finally:
            core.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


def _photograph(base: str, out: Path, persona_id: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "chromium", args=["--no-sandbox"])
        visitor = browser.new_page(base_url=base, viewport={"width": 1100, "height": 900})
        visitor.goto("/login")
        visitor.screenshot(path=str(out / "sign-in.png"), full_page=True)
        fan = _signed_in(browser, base, cast.FAN)
        fan.screenshot(path=str(out / "browse.png"))
        dark = _signed_in(browser, base, cast.FAN, scheme="dark")
        dark.screenshot(path=str(out / "browse-dark.png"))
        dark.goto(f"/models/{persona_id}")
        dark.screenshot(path=str(out / "profile-dark.png"), full_page=True)
        fan.goto(f"/models/{persona_id}#tip")
        fan.screenshot(path=str(out / "profile-tip.png"), full_page=True)
        fan.goto(f"/chat/{persona_id}?mode=companion")
        fan.screenshot(path=str(out / "chat.png"))
        creator = _signed_in(browser, base, cast.CREATOR)
        creator.get_by_test_id("mode-switch").click()
        creator.wait_for_url("**/creator")
        creator.screenshot(path=str(out / "creator-overview.png"), full_page=True)
        admin = _signed_in(browser, base, cast.ADMIN)
        admin.goto("/admin/personas")
        admin.screenshot(path=str(out / "admin-review.png"), full_page=True)
        finance = _signed_in(browser, base, cast.FINANCE)
        now = datetime.now(UTC)
        finance.goto(f"/finance?since={(now - timedelta(days=62)).isoformat()}"
                     f"&until={(now + timedelta(minutes=1)).isoformat()}")
        finance.screenshot(path=str(out / "finance.png"), full_page=True)
        phone = browser.new_page(base_url=base, color_scheme="dark",
                                 viewport={"width": 375, "height": 700})
        phone.goto(f"/models/{persona_id}")
        phone.screenshot(path=str(out / "phone.png"))
        browser.close()


if __name__ == "__main__":
    main()
