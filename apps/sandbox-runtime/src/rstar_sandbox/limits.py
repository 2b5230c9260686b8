"""Per-run limits: the runtime's defaults, overridden field by field by a request's SandboxLimits."""

from __future__ import annotations

import math
import resource
from dataclasses import dataclass, replace

from rstar.sandbox.v1 import sandbox_pb2

MIB = 1 << 20
# Open files of a run: stdio, the report pipe and what lazy imports and the program open at once.
MAX_OPEN_FILES = 64
MAX_SECONDS = 86_400.0


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0
    cpu_seconds: float = 10.0
    # RLIMIT_AS counts the runtime's own mappings (Python with numpy, scipy and sympy: about 300 MB),
    # so a program gets roughly memory_mb minus that.
    memory_mb: int = 1024
    max_processes: int = 32
    max_output_bytes: int = 1 * MIB
    max_file_bytes: int = 16 * MIB

    def merged(self, request: sandbox_pb2.SandboxLimits) -> Limits:
        """These limits with every field the request sets (non-zero, proto3's "unset") taken from it."""
        return replace(
            self,
            wall_seconds=request.wall_seconds or self.wall_seconds,
            cpu_seconds=request.cpu_seconds or self.cpu_seconds,
            memory_mb=request.memory_mb or self.memory_mb,
            max_processes=request.max_processes or self.max_processes,
            max_output_bytes=request.max_output_bytes or self.max_output_bytes,
            max_file_bytes=request.max_file_bytes or self.max_file_bytes,
        )

    def validate(self) -> None:
        if not (0 < self.wall_seconds <= MAX_SECONDS and 0 < self.cpu_seconds <= MAX_SECONDS):
            raise ValueError(f"time limits must be in (0, {MAX_SECONDS}] seconds")
        if min(self.memory_mb, self.max_processes, self.max_output_bytes, self.max_file_bytes) <= 0:
            raise ValueError("size limits must be positive")

    def cpu_rlimit(self) -> int:
        """RLIMIT_CPU counts whole seconds."""
        return max(1, math.ceil(self.cpu_seconds))

    def rlimits(self) -> list[tuple[int, tuple[int, int]]]:
        """The resource limits of a run. CPU: SIGKILL at the limit (pid 1 of a namespace ignores SIGXCPU)."""
        cpu = self.cpu_rlimit()
        memory = self.memory_mb * MIB
        return [
            (resource.RLIMIT_CPU, (cpu, cpu)),
            (resource.RLIMIT_AS, (memory, memory)),
            (resource.RLIMIT_NPROC, (self.max_processes, self.max_processes)),
            (resource.RLIMIT_FSIZE, (self.max_file_bytes, self.max_file_bytes)),
            (resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES)),
            (resource.RLIMIT_CORE, (0, 0)),
        ]

    def scratch_bytes(self) -> int:
        """Size of a run's scratch tmpfs: a few files at the file-size limit."""
        return max(4 * self.max_file_bytes, 4 * MIB)
