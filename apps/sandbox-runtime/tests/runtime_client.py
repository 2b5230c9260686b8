"""A client for the runtime started through the launcher, exactly as the TypeScript pool starts it."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
from typing import Any


class RuntimeClient:
    def __init__(self, isolation: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "rstar_sandbox.launcher", "--isolation", isolation],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._next_id = 0

    def send_line(self, line: bytes, timeout: float) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + b"\n")
        self.process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                raise TimeoutError(f"no answer within {timeout} s")
        reply = self.process.stdout.readline()
        if not reply:
            assert self.process.stderr is not None
            raise RuntimeError(f"runtime exited: {self.process.stderr.read().decode(errors='replace')}")
        parsed: dict[str, Any] = json.loads(reply)
        return parsed

    def run(self, code: str, **limits: float) -> dict[str, Any]:
        """Runs code with limits given by their proto3 JSON names (wallSeconds=1, ...)."""
        self._next_id += 1
        run_id = f"run-{self._next_id}"
        request = {"id": run_id, "code": code, "limits": limits}
        # Startup (imports) counts against the first answer; later answers come within the wall limit.
        timeout = float(limits.get("wallSeconds", 10)) + 60
        result = self.send_line(json.dumps(request).encode(), timeout)
        assert result["id"] == run_id
        return result

    def assert_serving(self) -> None:
        result = self.run("print(6 * 7)")
        assert result["ok"] is True, result
        assert result["stdout"] == "42\n"

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
