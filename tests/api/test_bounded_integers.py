"""Every integer parameter the API accepts is bounded, so no number can overflow a query.

A column holds a signed 64-bit integer at most; an unbounded query or path parameter lets a
caller send 2**64 and get a 500 from the driver instead of a 422 (an offset did, once). The fuzzer
finds such a parameter only by luck; this reads the OpenAPI document and names every one. Integer
body fields are money or counts that the domain checks against its own limits, with their own
error codes, before anything reaches storage.
"""

from typing import Any

from api.main import create_app
from api.params import INT64_MAX
from tests.conftest import pg_settings


def _unbounded(schema: dict[str, Any], where: str) -> list[str]:
    found = []
    if schema.get("type") == "integer":
        lowest = schema.get("minimum", schema.get("exclusiveMinimum"))
        if schema.get("maximum", INT64_MAX + 1) > INT64_MAX or lowest is None:
            found.append(where)
    for key in ("anyOf", "allOf", "oneOf"):
        for index, option in enumerate(schema.get(key, [])):
            found += _unbounded(option, f"{where}[{key}{index}]")
    if "items" in schema:
        found += _unbounded(schema["items"], f"{where}[]")
    return found


def test_every_integer_parameter_has_bounds() -> None:
    document = create_app(settings=pg_settings("t_unused", public_url="http://127.0.0.1:9")
                          ).openapi()
    found: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                found += _unbounded(parameter["schema"],
                                    f"{method.upper()} {path} {parameter['name']}")
    assert found == []
