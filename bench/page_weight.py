"""Every page's weight and load time in Chromium, on the embedded default with 10,000 rows behind
it, against the sign-in page (the lightest page the app serves) measured in the same run.

Builds, on SQLite with the local simulator: a persona with pictures and a post, one fan with
10,000 tips (their wallet history; the creator's 10,000 earnings), then loads each page a role
can reach in Debian's Chromium, five times, and prints per page: what it weighs (the document
and everything it loads: styles, scripts, pictures), the median and slowest load (navigation
start to the load event), the ratio to the baseline, and whether it is within 300 KB and
500 ms.

Usage: .venv/bin/python -m bench.page_weight [--rows 10000] [--loads 5]
"""

import argparse
import io
import shutil
import statistics
import tempfile
from datetime import UTC, datetime, timedelta

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from api.main import create_app
from application.settings import Settings
from bench.tips import one_fan_tips
from tests.browser.signin import sign_in
from tests.fakes.servers import free_port, serve_app
from tests.helpers import published_persona

KB_LIMIT, MS_LIMIT = 300, 500


def picture(colour: tuple[int, int, int]) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1000), colour).save(out, format="JPEG")
    return io.BytesIO(out.getvalue())


def measure(page: Page, path: str, loads: int) -> tuple[float, float, list[float]]:
    """(KB, median ms, every load in ms) of one page."""
    times, weight = [], 0.0
    for _ in range(loads):
        page.goto(path, wait_until="load")
        found = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const parts = performance.getEntriesByType('resource');
            return {ms: nav.loadEventEnd - nav.startTime,
                    bytes: nav.decodedBodySize + parts.reduce((n, r) => n + r.decodedBodySize, 0)};
        }""")
        times.append(found["ms"])
        weight = found["bytes"] / 1024
    return weight, statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        app = create_app(settings=Settings(
            database_url=f"sqlite:///{tmp}/lyra.sqlite", media_dir=f"{tmp}/media",
            environment="development", public_url=f"http://127.0.0.1:{port}",
            checkpoint_key_file=f"{tmp}/checkpoint.key"))
        with serve_app(app, port) as base:
            core = app.state.core
            persona_id = published_persona(core)
            core.persona_images.upload("creator-1", persona_id, {
                "avatar": picture((120, 90, 200)), "cover": picture((30, 40, 90))})
            core.personas.review("adm-1", persona_id, True, "")
            items = [core.library.upload("creator-1", persona_id, picture(colour), tier, title)
                     for tier, title, colour in (("public", "Harbour", (200, 150, 90)),
                                                 ("ppv", "Evening", (90, 40, 60)))]
            core.library.publish_post("creator-1", persona_id, "A new set",
                                      [i.id for i in items])
            core.ppv.create_offer("creator-1", persona_id, "Evening", 300, [items[1].id])
            one_fan_tips(core, args.rows, "w")
            core.projections.wait_for(core.ledger.max_position(), timeout_s=300)
            now = datetime.now(UTC)
            period = (f"since={(now - timedelta(hours=1)).isoformat()}"
                      f"&until={(now + timedelta(minutes=1)).isoformat()}"
                      f"&creator_id=creator-1").replace("+", "%2B")
            pages = {
                "fan": ["/", f"/models/{persona_id}", f"/chat/{persona_id}?mode=companion",
                        "/wallet", "/subscriptions", "/notifications"],
                "creator": ["/creator", "/creator/personas", "/creator/library",
                            "/creator/statements", "/creator/subscribers"],
                "admin": ["/admin", "/admin/personas", "/admin/audit", "/admin/wallets",
                          "/admin/creators/creator-1"],
                "finance": ["/finance", f"/finance?{period}", "/audit"],
            }
            print(f"{args.rows:,} tips on the embedded default: "
                  f"{core.ledger.max_position():,} events")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium") or "chromium",
                    args=["--no-sandbox", "--disable-gpu"])
                context = browser.new_context(base_url=base)
                baseline_kb, baseline_ms, _ = measure(context.new_page(), "/login", args.loads)
                print(f"{'baseline: /login':<48} {baseline_kb:7.1f} KB {baseline_ms:7.1f} ms")
                print(f"{'page':<48} {'weight':>10} {'median':>10} {'slowest':>9} "
                      f"{'ratio':>7}  within")
                for role, paths in pages.items():
                    context = browser.new_context(base_url=base)
                    page = context.new_page()
                    sign_in(page, f"{role}-1" if role != "creator" else "creator-1", role)
                    for path in paths:
                        kb, ms, times = measure(page, path, args.loads)
                        ok = "yes" if kb <= KB_LIMIT and ms <= MS_LIMIT else "NO"
                        label = f"{role}: {path.split('?')[0]}" + (" (a period)" if "since" in
                                                                   path else "")
                        label = label.replace(str(persona_id), "{id}")
                        print(f"{label:<48} {kb:7.1f} KB {ms:7.1f} ms {max(times):6.0f} ms "
                              f"x{ms / baseline_ms:5.1f}  {ok}")
                browser.close()


if __name__ == "__main__":
    main()
