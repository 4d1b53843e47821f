"""Schemathesis against the OpenAPI document of a running portal: no server error, no undocumented status."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.live_server import running_portal

pytestmark = pytest.mark.fuzz
SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _admin_headers(base_url: str) -> list[str]:
    """Log in as the demo admin so the fuzzer reaches the write endpoints, not only the 401s."""
    with httpx.Client(base_url=base_url) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post("/login", data={"username": "admin", "password": "demo", "_csrf_token": token})
        assert response.status_code == 303
        token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return ["-H", f"Cookie: {cookie}", "-H", f"x-csrftoken: {token}"]


# Logged in, the fuzzer reaches every operation; anonymous, it checks the refusals are documented.
@pytest.mark.parametrize(("who", "seconds"), [("anonymous", 15), ("admin", 45)])
def test_api_conforms_to_its_schema(who, seconds):
    assert shutil.which(SCHEMATHESIS), "schemathesis is a test dependency"
    with running_portal() as base_url:
        headers = _admin_headers(base_url) if who == "admin" else []
        result = subprocess.run(
            [
                SCHEMATHESIS,
                "run",
                f"{base_url}/schema/openapi.json",
                "--checks",
                CHECKS,
                "--max-examples",
                "40",
                "--max-time",
                str(seconds),
                "--generation-deterministic",
                "--no-color",
                *headers,
            ],
            capture_output=True,
            text=True,
            timeout=400,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
