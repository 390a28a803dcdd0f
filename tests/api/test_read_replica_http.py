"""The API reading from a PostgreSQL hot standby of its own (`LYRA_READ_DATABASE_URL`): reads come
from the replica and still see the client's own writes, or answer 503 with Retry-After while it
is behind; a replica that is down or pointed at the wrong database leaves reads to the primary,
and money commands never notice."""

from collections.abc import Iterator

import httpx
import pytest

from application.settings import Settings
from tests.api.conftest import Api, served
from tests.api.test_tips_http import funded_fan
from tests.conftest import FakeClock
from tests.fakes.clusters import Clusters, primary_and_standby


@pytest.fixture(scope="module")
def clusters() -> Iterator[Clusters]:
    with primary_and_standby() as running:
        yield running


def settings_for(clusters: Clusters, read_url: str, tmp_path) -> object:  # type: ignore[no-untyped-def]
    return lambda public_url: Settings(
        database_url=clusters.primary, read_database_url=read_url, db_schema="lyra",
        environment="test", public_url=public_url, run_projections=True,
        group_commit_window_ms=2, media_dir=str(tmp_path / "media"))


@pytest.fixture
def api(clusters: Clusters, clock: FakeClock, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    import psycopg

    with psycopg.connect(clusters.primary, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS lyra CASCADE")
    with served(clock, settings_for(clusters, clusters.standby, tmp_path)) as running:
        yield running


def tip(api: Api, fan: httpx.Client, amount: int) -> int:
    sent = fan.post("/api/tips/send", json={"creator_id": "creator-1", "amount_tokens": amount})
    assert sent.status_code == 201, sent.text
    return int(sent.json()["position"])


def test_reads_come_from_the_replica_and_see_the_clients_writes(api, clusters) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    position = tip(api, fan, 100)
    wallet = fan.get("/api/wallet", params={"min_position": position})
    assert wallet.status_code == 200 and wallet.json()["balance_tokens"] == 400

    clusters.pause_replay()  # the replica falls behind
    try:
        position = tip(api, fan, 50)  # money commands go to the primary as ever
        behind = fan.get("/api/wallet", params={"min_position": position})
        assert behind.status_code == 503 and behind.headers["retry-after"] == "1"
        assert behind.json()["error"]["code"] == "projection_lagging"
        stale = fan.get("/api/wallet").json()  # without a position: what the replica has
        assert stale["balance_tokens"] == 400  # proof the read came from the replica
    finally:
        clusters.resume_replay()
    assert fan.get("/api/wallet", params={"min_position": position}).json()[
        "balance_tokens"] == 350


def test_a_replica_that_is_down_leaves_reads_to_the_primary(api, clusters) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    clusters.stop_standby()
    try:
        position = tip(api, fan, 100)
        assert fan.get("/api/wallet").json()["balance_tokens"] in (400, 500)  # from the primary
        behind = fan.get("/api/wallet", params={"min_position": position})
        assert behind.status_code == 503  # a position the replica cannot prove: said clearly
    finally:
        clusters.start_standby()


def test_a_replica_pointed_at_the_wrong_database(clusters, clock, tmp_path) -> None:
    import psycopg

    with psycopg.connect(clusters.primary, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS lyra CASCADE")
    wrong = "postgresql://postgres@127.0.0.1:5432/test"  # no read models of this ledger there
    with served(clock, settings_for(clusters, wrong, tmp_path)) as api:
        api.as_user("adm", "admin").post("/api/admin/creators",
                                         json={"user_id": "creator-1", "display_name": "Luna"})
        fan, _ = funded_fan(api)
        tip(api, fan, 100)
        assert fan.get("/api/wallet").json()["balance_tokens"] in (400, 500)
