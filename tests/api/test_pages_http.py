"""The pages' guards over plain HTTP: sign-in first, CSRF on every form, no development sign-in
in production."""

import re

import httpx
from fastapi.testclient import TestClient

from api.main import create_app
from application.settings import Settings


def test_a_page_that_needs_a_user_sends_you_to_sign_in(api) -> None:
    response = httpx.get(f"{api.base}/wallet", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/wallet"


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(api) -> None:
    with httpx.Client(base_url=api.base) as browser:
        login = browser.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
        forged = browser.post("/login", data={"user_id": "fan-1", "role_fan": "on"})
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
        signed = browser.post("/login", data={"user_id": "fan-1", "role_fan": "on",
                                              "csrf": token}, follow_redirects=False)
        assert signed.status_code == 303
        head = api.head()
        refused = browser.post("/wallet/buy", data={"pack_sku": "pack_500", "csrf": "wrong"})
        assert refused.status_code == 403 and api.head() == head
        assert browser.get("/wallet").status_code == 200


def test_development_sign_in_is_off_in_production(tmp_path) -> None:
    settings = Settings(environment="production", jwt_secret="s" * 40,
                        stripe_secret_key="sk_test_x", stripe_webhook_secret="whsec_x",
                        checkpoint_signing_key="A" * 43 + "=",
                        database_url=f"sqlite:///{tmp_path}/lyra.sqlite", run_projections=False)
    app = create_app(settings=settings)
    with TestClient(app, base_url="https://testserver") as client:  # Secure cookies need https
        page = client.get("/login").text
        assert "Development sign-in" not in page and "identity provider" in page
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        refused = client.post("/login", data={"user_id": "adm-1", "role_admin": "on",
                                              "csrf": token})
        assert refused.status_code == 403 and "development sign-in is off" in refused.text
