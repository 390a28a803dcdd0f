"""Personas through HTTP: the wizard, safety findings, review, publishing and discovery."""

import copy

import pytest

PROFILE = {
    "name": "Luna Vale", "stated_age": 27, "visuals": ["img/luna-1.png"],
    "persona": {"traits": ["warm", "witty"], "interests": ["astronomy", "tea"],
                "backstory": "Grew up by the sea and now maps the night sky.",
                "style": "gentle and curious"},
    "monetization": {"subscription_price_minor": 999, "included_messages": 100,
                     "extra_message_tokens": 100},
    "chat_modes": ["companion"], "primary_category": "science", "tags": ["bookworm", "witty"],
}


def with_(**changes):
    profile = copy.deepcopy(PROFILE)
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            profile[outer][inner] = value
        else:
            profile[key] = value
    return profile


def published(api, studio, profile=PROFILE) -> str:
    creator, admin = studio
    persona_id = creator.post("/api/creator/models", json=profile).json()["id"]
    assert creator.post(f"/api/creator/models/{persona_id}/submit").json()["review"] == "submitted"
    assert admin.post(f"/api/admin/models/{persona_id}/approve", json={}).json()["review"] == "approved"
    assert creator.post(f"/api/creator/models/{persona_id}/publish").json()["visible"] is True
    api.core.projections.wait_for(api.core.ledger.max_position())  # fans read the read models
    return persona_id


def test_create_review_publish_and_discover(api, studio) -> None:
    persona_id = published(api, studio)
    tags = api.as_user("fan-1").get("/api/tags").json()
    assert {"slug": "science", "label": "Science"} in tags["categories"]
    fan = api.as_user("fan-1", "fan")
    found = fan.get("/api/models", params={"tag": "bookworm", "min_position": api.head()}).json()
    assert [m["id"] for m in found["models"]] == [persona_id] and found["total"] == 1
    assert fan.get("/api/models", params={"tag": "gamer"}).json()["total"] == 0
    assert fan.get("/api/models", params={"q": "astronomy"}).json()["total"] == 1
    assert fan.get("/api/models", params={"category": "music"}).json()["total"] == 0
    profile = fan.get(f"/api/models/{persona_id}").json()
    assert profile["pricing"]["subscription_price_minor"] == 999
    assert profile["pricing"]["extra_message_tokens"] == 100
    assert profile["pricing"]["tip_presets_tokens"] == [250, 500, 1_250, 2_500]


@pytest.mark.parametrize("profile, field", [
    (with_(name="L0L1 Vale"), "name"),
    (with_(**{"persona.backstory": "She is 16 years old and new here."}), "persona.backstory"),
    (with_(**{"persona.interests": ["step-sister stories"]}), "persona.interests"),
])
def test_blocked_terms_are_refused_with_the_field_named(api, studio, profile, field) -> None:
    creator, _ = studio
    creator.get("/api/creator/models")
    head = api.head()
    response = creator.post("/api/creator/models", json=profile)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "blocked_terms" and error["details"][0]["field"] == field
    assert api.head() == head


@pytest.mark.parametrize("profile, code", [
    (with_(stated_age=17), "invalid_persona"),
    (with_(stated_age=17.5), "invalid_request"),
    (with_(primary_category="unknown"), "invalid_persona"),
    (with_(tags=["not-a-tag"]), "invalid_persona"),
    (with_(chat_modes=[]), "invalid_request"),
    (with_(**{"monetization": {"subscription_price_minor": 5}}), "invalid_persona"),
])
def test_bad_persona_input_is_refused_and_writes_nothing(api, studio, profile, code) -> None:
    creator, _ = studio
    creator.get("/api/creator/models")
    api.core.personas.vocabulary()
    head = api.head()
    response = creator.post("/api/creator/models", json=profile)
    assert response.status_code == 422 and response.json()["error"]["code"] == code
    assert api.head() == head


def test_likeness_flags_for_review_without_rejecting(api, studio) -> None:
    creator, admin = studio
    persona_id = creator.post("/api/creator/models", json=with_(name="Emma Watsen")).json()["id"]
    creator.post(f"/api/creator/models/{persona_id}/submit")
    queue = admin.get("/api/admin/models", params={"min_position": api.head()}).json()["models"]
    assert queue[0]["id"] == persona_id
    assert queue[0]["likeness"][0]["name"] == "Emma Watson"
    rejected = admin.post(f"/api/admin/models/{persona_id}/reject",
                          json={"reason": "resembles a real person"})
    assert rejected.json()["review"] == "rejected"
    audit = admin.get("/api/admin/audit", params={"kind": "Persona.*",
                                                  "min_position": api.head()}).json()["entries"]
    assert ("Persona.Rejected", "adm-1") in [(e["action"], e["actor"]) for e in audit]


def test_editing_a_live_persona_goes_back_to_review_and_the_live_version_stays(api, studio) -> None:
    creator, admin = studio
    persona_id = published(api, studio)
    edited = creator.put(f"/api/creator/models/{persona_id}", json=with_(name="Luna Star")).json()
    assert edited["review"] == "submitted" and edited["live"]["name"] == "Luna Vale"
    fan = api.as_user("fan-1", "fan")
    assert fan.get(f"/api/models/{persona_id}").json()["name"] == "Luna Vale"
    admin.post(f"/api/admin/models/{persona_id}/approve", json={})
    api.core.projections.wait_for(api.core.ledger.max_position())
    assert fan.get(f"/api/models/{persona_id}").json()["name"] == "Luna Star"


def test_suspension_hides_every_persona_until_reinstated(api, studio) -> None:
    _, admin = studio
    persona_id = published(api, studio)
    fan = api.as_user("fan-1", "fan")
    admin.post("/api/admin/creators/creator-1/suspend", json={"reason": "review"})
    api.core.projections.wait_for(api.core.ledger.max_position())
    assert fan.get("/api/models").json()["total"] == 0
    assert fan.get(f"/api/models/{persona_id}").status_code == 404
    admin.post("/api/admin/creators/creator-1/reinstate")
    api.core.projections.wait_for(api.core.ledger.max_position())
    assert fan.get("/api/models").json()["total"] == 1


def test_the_per_creator_limit_and_ownership(api, studio) -> None:
    creator, admin = studio
    for n in range(3):
        assert creator.post("/api/creator/models", json=with_(name=f"Luna {n}")).status_code == 201
    head = api.head()
    over = creator.post("/api/creator/models", json=with_(name="Luna 4"))
    assert over.status_code == 409 and over.json()["error"]["code"] == "persona_limit"
    assert api.head() == head
    persona_id = creator.get("/api/creator/models").json()["models"][0]["id"]
    admin.post("/api/admin/creators", json={"user_id": "creator-2", "display_name": "Sol"})
    other = api.as_user("creator-2", "creator")
    assert other.post(f"/api/creator/models/{persona_id}/submit").status_code == 403


def test_only_approved_creators_make_personas(api) -> None:
    response = api.as_user("creator-x", "creator").post("/api/creator/models", json=PROFILE)
    assert response.status_code == 403 and response.json()["error"]["code"] == "creator_not_approved"


def test_admins_manage_tags_and_blocked_terms(api, studio) -> None:
    creator, admin = studio
    assert admin.post("/api/admin/tags", json={"slug": "stargazer", "label": "Stargazer",
                                               "kind": "secondary"}).status_code == 201
    assert creator.post("/api/creator/models", json=with_(tags=["stargazer"])).status_code == 201
    admin.delete("/api/admin/tags/stargazer")
    assert creator.post("/api/creator/models",
                        json=with_(tags=["stargazer"])).json()["error"]["code"] == "invalid_persona"
    admin.post("/api/admin/blocked-terms", json={"term": "moonbeam", "category": "violence"})
    refused = creator.post("/api/creator/models", json=with_(name="M00nbeam"))
    assert refused.json()["error"]["code"] == "blocked_terms"
    admin.delete("/api/admin/blocked-terms/moonbeam")
    assert creator.post("/api/creator/models", json=with_(name="Moonbeam")).status_code == 201
    assert api.as_user("fan-1", "fan").post("/api/admin/tags", json={
        "slug": "x", "label": "X", "kind": "primary"}).status_code == 403


def test_dashboard_and_admin_counts(api, studio) -> None:
    creator, admin = studio
    published(api, studio)
    second = creator.post("/api/creator/models", json=with_(name="Sol Vale")).json()["id"]
    creator.post(f"/api/creator/models/{second}/submit")
    stats = creator.get("/api/creator/stats", params={"min_position": api.head()}).json()
    assert stats["status"] == "approved"
    assert stats["personas"] == {"total": 2, "live": 1, "in_review": 1}
    assert admin.get("/api/admin/stats").json()["pending_models"] == 1
