"""Every response says no site may frame it, runs only this origin's scripts and styles, is not
to be sniffed, leaks nothing through the referrer and turns off the browser features LYRA never
uses: pages, the API, errors, static files and signed media alike. In production, HSTS and a
`__Host-` session cookie."""

import base64

import httpx
import pytest

from api.security_headers import CONTENT_SECURITY_POLICY
from tests.api.conftest import served
from tests.api.test_content_http import library, upload  # noqa: F401 - the library fixture
from tests.conftest import pg_settings

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def assert_hardened(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    permissions = response.headers["permissions-policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions


def test_pages_api_errors_and_static_files_carry_the_headers(api, studio) -> None:
    creator, _ = studio
    responses = [
        httpx.get(f"{api.base}/login"),  # a page
        httpx.get(f"{api.base}/", follow_redirects=False),  # a redirect to sign in
        httpx.get(f"{api.base}/static/app.css"),  # a static file
        httpx.get(f"{api.base}/healthz"),
        creator.get("/api/wallet"),  # the API
        creator.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": -1}),  # 4xx
        httpx.get(f"{api.base}/api/no-such-thing"),  # 404
    ]
    for response in responses:
        assert_hardened(response)
    page = responses[0]
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in \
        CONTENT_SECURITY_POLICY
    assert "strict-transport-security" not in page.headers  # not outside production


def test_signed_media_is_served_hardened_and_its_link_never_leaks(api, studio, library) -> None:  # noqa: F811
    _, items, _ = library
    creator, _ = studio
    link = creator.get(f"/api/media/{items['public']['item_id']}/url").json()["url"]
    served_media = httpx.get(f"{api.base}{link}")
    assert served_media.status_code == 200
    assert_hardened(served_media)  # no-referrer: a page showing it sends nothing onwards


@pytest.fixture
def production(pg_schema, clock, tmp_path):
    with served(clock, lambda public_url: pg_settings(
            pg_schema, public_url=public_url, environment="production",
            jwt_secret="a-production-secret-of-enough-length-0123456789",
            stripe_secret_key="sk_test_unused", stripe_webhook_secret="whsec_unused",
            checkpoint_signing_key=base64.b64encode(bytes(range(32))).decode(),
            media_dir=str(tmp_path / "media"))) as running:
        yield running


def test_production_adds_hsts_and_a_host_only_secure_session_cookie(production) -> None:
    page = httpx.get(f"{production.base}/login")
    assert_hardened(page)
    assert page.headers["strict-transport-security"].startswith("max-age=63072000")
    cookie = page.headers.get("set-cookie", "")  # the sign-in form's CSRF token
    assert cookie.startswith("__Host-lyra_session=") and "secure" in cookie.lower()
    assert "path=/" in cookie.lower() and "domain=" not in cookie.lower()
