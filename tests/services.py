"""Tests that need a service (a PostgreSQL server, a browser) skip with the reason when it is
absent on a developer's machine, and fail instead under SOCLE_REQUIRE_SERVICES=1 (CI sets
it), so that CI can never pass them silently."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE = "SOCLE_REQUIRE_SERVICES"


def service_missing(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it when services are required."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} ({REQUIRE}=1: the service is required)", pytrace=False)
    pytest.skip(reason)
