"""The whole API fuzzed from its own OpenAPI document: no input may make it answer 5xx.

Schemathesis generates requests for every operation, in-process against the ASGI app on a fresh
PostgreSQL ledger (its own schema), signed in as each role in turn and anonymously. The
simulator's routes are left out: they exist only without a Stripe key and post webhooks to a
server that is not running here.
"""

import itertools
import threading
import uuid
from collections import Counter

import psycopg
import schemathesis
from hypothesis import HealthCheck, settings
from psycopg import sql
from schemathesis.checks import not_a_server_error

from api.auth import mint_token
from api.main import create_app
from tests.conftest import PG_URL, pg_settings

ROLES = (None, "fan", "creator", "admin", "auditor", "finance")
EXAMPLES_PER_OPERATION = 25
SCHEMA_NAME = f"t_fuzz_{uuid.uuid4().hex[:10]}"
SETTINGS = pg_settings(SCHEMA_NAME, public_url="http://127.0.0.1:9", run_projections=True)
TOKENS = {role: mint_token(SETTINGS, f"{role}-user", [role]) for role in ROLES if role}
COUNTS: Counter[str] = Counter()
_roles = itertools.cycle(ROLES)
_lock = threading.Lock()

# The app builds its core (and the schema's tables) when its lifespan starts, on the first call.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings=SETTINGS)).exclude(
    path_regex="^/simulator")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case) -> None:
    with _lock:
        role = next(_roles)
        COUNTS[case.operation.label] += 1
    headers = {"Authorization": f"Bearer {TOKENS[role]}"} if role else {}
    case.call_and_validate(headers=headers, checks=[not_a_server_error])


def teardown_module() -> None:
    print(f"\nfuzz: {len(COUNTS)} operations, {sum(COUNTS.values())} requests, 0 server errors")
    schemathesis.python.asgi.shutdown_lifespans()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
            sql.Identifier(SCHEMA_NAME)))
