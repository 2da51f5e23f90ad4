"""The OpenAPI schema and Swagger UI (README, "Calling the API"): public, one schema, Bearer authentication."""

import json

import pytest
from django.test import Client


def _is_bearer(scheme: dict) -> bool:
    """HTTP bearer, or an API key in the Authorization header that Swagger's "Authorize" takes as
    `Bearer <key>` (the seed documents' way)."""
    if scheme.get("type") == "http":
        return scheme.get("scheme", "").lower() == "bearer"
    return (
        scheme.get("type") == "apiKey"
        and scheme.get("in") == "header"
        and scheme.get("name", "").lower() == "authorization"
        and "bearer" in scheme.get("description", "").lower()
    )


@pytest.fixture
def anonymous():
    return Client()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema"])
def test_schema_is_public_openapi_3(anonymous, path):
    response = anonymous.get(path, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Tally API"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs"])
def test_swagger_ui_is_public(anonymous, path):
    response = anonymous.get(path)

    assert response.status_code == 200
    assert b"swagger-ui" in response.content.lower()
    assert b"/api/schema" in response.content


@pytest.mark.django_db
def test_schema_declares_bearer_security_on_the_ticket_log(anonymous):
    schema = json.loads(anonymous.get("/api/schema/", HTTP_ACCEPT="application/json").content)

    schemes = schema["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items() if _is_bearer(scheme)]
    assert bearer, schemes
    paths = {path.rstrip("/"): item for path, item in schema["paths"].items()}
    assert "/ticket-delivery/ticket-log" in paths
    assert "/ticket-delivery/ticket-log/ticket-by-status" in paths
    security = paths["/ticket-delivery/ticket-log"]["get"]["security"]
    assert any(name in requirement for requirement in security for name in bearer), security


@pytest.mark.django_db
def test_every_operation_requires_a_key(anonymous):
    """No documented route is open: each operation names a security requirement, and none lists
    the anonymous alternative `{}`."""
    schema = json.loads(anonymous.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    methods = {"get", "put", "post", "patch", "delete"}

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in methods:
                continue
            security = operation.get("security", schema.get("security"))
            assert security, f"{method.upper()} {path} declares no security"
            assert {} not in security, f"{method.upper()} {path} allows anonymous calls"


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
