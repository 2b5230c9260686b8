"""Defaults and per-request overrides of the run limits."""

from __future__ import annotations

import resource

import pytest
from rstar.sandbox.v1 import sandbox_pb2

from rstar_sandbox.limits import MIB, Limits


def test_defaults() -> None:
    limits = Limits()
    assert (limits.wall_seconds, limits.cpu_seconds, limits.memory_mb) == (10.0, 10.0, 1024)
    assert (limits.max_processes, limits.max_output_bytes, limits.max_file_bytes) == (32, MIB, 16 * MIB)


def test_request_overrides_only_the_fields_it_sets() -> None:
    merged = Limits().merged(sandbox_pb2.SandboxLimits(wall_seconds=2.5, max_processes=8))
    assert merged == Limits(wall_seconds=2.5, max_processes=8)


def test_rlimits() -> None:
    rlimits = dict(Limits(cpu_seconds=1.5, memory_mb=512).rlimits())
    assert rlimits[resource.RLIMIT_CPU] == (2, 2)
    assert rlimits[resource.RLIMIT_AS] == (512 * MIB, 512 * MIB)
    assert rlimits[resource.RLIMIT_NPROC] == (32, 32)
    assert rlimits[resource.RLIMIT_FSIZE] == (16 * MIB, 16 * MIB)


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        Limits(wall_seconds=-1).validate()
    with pytest.raises(ValueError):
        Limits(memory_mb=-5).validate()
    with pytest.raises(ValueError):
        Limits(cpu_seconds=float("inf")).validate()
