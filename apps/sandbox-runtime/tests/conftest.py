"""Runtimes started through the launcher, one per test module and isolation mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from runtime_client import RuntimeClient


@pytest.fixture(scope="module")
def runtime() -> Iterator[RuntimeClient]:
    client = RuntimeClient("namespaces")
    client.assert_serving()
    yield client
    client.close()


@pytest.fixture(scope="module")
def basic_runtime() -> Iterator[RuntimeClient]:
    client = RuntimeClient("basic")
    client.assert_serving()
    yield client
    client.close()
