"""One run of the fork server: fork, isolate, run the program, watch wall time and output, classify.

Process tree of a run in `namespaces` isolation (see jail.py):

    runtime ── run leader (new session; new user/mount/pid/ipc namespaces; rlimits; reports the exit)
                 └── program (pid 1 of the run's pid namespace: compile + exec; reports its outcome)

The program's process is pid 1 of its namespace, which saves a fork per run (about 4 ms) and makes the
kernel kill whatever it leaves behind when it ends. The price: signals it sends itself without installing
a handler are ignored (kill(getpid(), SIGKILL) does nothing), and the CPU limit ends it with SIGKILL.

In `basic` isolation (for kernels that refuse nested user namespaces) the run leader is the program's
process, the scratch dir is a directory under /tmp, and after each run the runtime kills every other
process of the sandbox and empties /tmp and /dev/shm. Runs can then signal the runtime (it dies and the
pool replaces it) and SysV IPC objects can outlive a run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import selectors
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from typing import Literal, NoReturn, TypeAlias

from rstar.sandbox.v1 import sandbox_pb2

from rstar_sandbox import _linux, jail, program
from rstar_sandbox.limits import Limits

Isolation = Literal["namespaces", "basic"]

# fd numbers inside a run: 0 /dev/null, 1 stdout pipe, 2 stderr pipe, 3 report pipe.
REPORT_FD = 3
_STDERR_KEPT = 64 << 10
_REPORT_KEPT = 64 << 10
_READ_CHUNK = 1 << 16
_EXIT_SETUP_FAILED = 70
_MEMORY_HINT = re.compile(r"MemoryError|Cannot allocate memory|bad_alloc|out of memory|Unable to alloc", re.I)

Kind: TypeAlias = sandbox_pb2.ErrorKind.ValueType


@dataclass
class _Watch:
    """What the runtime saw of a run while it lasted."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    report: bytearray = field(default_factory=bytearray)
    stopped: Literal["wall", "output"] | None = None


class Executor:
    def __init__(self, isolation: Isolation, *, private_pid_namespace: bool = False) -> None:
        self.isolation = isolation
        # Only inside bubblewrap's pid namespace may the runtime kill "every other process" (basic mode).
        self.private_pid_namespace = private_pid_namespace

    def run(self, run_id: str, code: str, limits: Limits) -> sandbox_pb2.RunResult:
        limits.validate()
        started = time.monotonic()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        rep_r, rep_w = os.pipe()
        scratch = tempfile.mkdtemp(prefix="run-") if self.isolation == "basic" else None
        try:
            pid = os.fork()
            if pid == 0:
                self._leader(code, limits, out_w, err_w, rep_w, scratch)
        finally:
            for fd in (out_w, err_w, rep_w):
                os.close(fd)
        try:
            watch = self._watch(pid, out_r, err_r, rep_r, limits, started + limits.wall_seconds)
            if watch.stopped is not None:
                _kill_tree(pid)
            _, status, usage = os.wait4(pid, 0)
        finally:
            for fd in (out_r, err_r, rep_r):
                os.close(fd)
            self._clean_up(scratch)
        kind, message = self._classify(watch, status, usage.ru_utime + usage.ru_stime, limits)
        return sandbox_pb2.RunResult(
            id=run_id,
            ok=kind == sandbox_pb2.ERROR_KIND_UNSPECIFIED,
            stdout=bytes(watch.stdout[: limits.max_output_bytes]).decode("utf-8", errors="replace"),
            error_kind=kind,
            error_message=message,
            duration_ms=(time.monotonic() - started) * 1000,
        )

    # --- in the forked processes -------------------------------------------------------------------

    def _leader(
        self, code: str, limits: Limits, out_w: int, err_w: int, rep_w: int, scratch: str | None
    ) -> NoReturn:
        report_fd = rep_w
        try:
            os.setsid()  # its own process group: the runtime kills the whole group
            _linux.prctl(_linux.PR_SET_PDEATHSIG, signal.SIGKILL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            devnull = os.open(os.devnull, os.O_RDONLY)
            for source, target in ((devnull, 0), (out_w, 1), (err_w, 2), (rep_w, REPORT_FD)):
                os.dup2(source, target)
            report_fd = REPORT_FD
            os.closerange(REPORT_FD + 1, 1 << 16)
            if self.isolation == "namespaces":
                jail.enter_run_namespaces(limits.scratch_bytes())
                _linux.prctl(_linux.PR_SET_PDEATHSIG, signal.SIGKILL)  # a credential change clears it
                os.chdir("/tmp")
                _apply_rlimits(limits)
                child = os.fork()  # pid 1 of the new pid namespace
                if child == 0:
                    _linux.prctl(_linux.PR_SET_PDEATHSIG, signal.SIGKILL)
                    program.run_and_exit(code, REPORT_FD)
                _, status = os.waitpid(child, 0)
                os.write(REPORT_FD, json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
                os._exit(0)
            assert scratch is not None
            os.chdir(scratch)
            os.environ["TMPDIR"] = scratch
            _apply_rlimits(limits)
        except BaseException as error:
            with contextlib.suppress(BaseException):
                os.write(report_fd, json.dumps({"internal": f"run setup failed: {error}"}).encode() + b"\n")
            os._exit(_EXIT_SETUP_FAILED)
        program.run_and_exit(code, REPORT_FD)

    # --- in the runtime ----------------------------------------------------------------------------

    def _watch(self, pid: int, out_r: int, err_r: int, rep_r: int, limits: Limits, deadline: float) -> _Watch:
        """Collects output until the run leader exits, the wall deadline passes or output overflows."""
        watch = _Watch()
        sinks = {out_r: watch.stdout, err_r: watch.stderr, rep_r: watch.report}
        caps = {out_r: limits.max_output_bytes, err_r: _STDERR_KEPT, rep_r: _REPORT_KEPT}
        printed = 0
        pidfd = os.pidfd_open(pid)
        with selectors.DefaultSelector() as selector:
            for fd in sinks:
                os.set_blocking(fd, False)
                selector.register(fd, selectors.EVENT_READ)
            selector.register(pidfd, selectors.EVENT_READ)
            exited = False
            try:
                while not exited:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        watch.stopped = "wall"
                        return watch
                    for key, _ in selector.select(remaining):
                        if key.fd == pidfd:
                            exited = True
                            continue
                        chunk = _read(key.fd)
                        if not chunk:
                            selector.unregister(key.fd)
                            continue
                        sink = sinks[key.fd]
                        sink += chunk[: max(0, caps[key.fd] - len(sink))]
                        if key.fd != rep_r:
                            printed += len(chunk)
                            if printed > limits.max_output_bytes:
                                watch.stopped = "output"
                                return watch
            finally:
                os.close(pidfd)
        # The leader is gone: take what is left in the pipes (processes a basic-mode run left behind may
        # still hold them open, so read only what is there).
        for fd, sink in sinks.items():
            while chunk := _read(fd):
                sink += chunk[: max(0, caps[fd] - len(sink))]
                if fd != rep_r:
                    printed += len(chunk)
        if printed > limits.max_output_bytes:
            watch.stopped = "output"
        return watch

    def _clean_up(self, scratch: str | None) -> None:
        if self.isolation == "namespaces":
            return  # the run's namespaces, its processes and its tmpfs died with its pid 1
        if self.private_pid_namespace:
            # Processes that left the run's group (setsid, double fork) die here. Never outside a sandbox:
            # kill(-1) reaches every process the runtime may signal.
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
            _await_no_others()
            for shared in ("/tmp", "/dev/shm"):
                _empty_dir(shared)
        elif scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    def _classify(self, watch: _Watch, status: int, cpu_used: float, limits: Limits) -> tuple[Kind, str]:
        if watch.stopped == "wall":
            return sandbox_pb2.ERROR_KIND_TIMEOUT, f"wall time limit exceeded ({limits.wall_seconds:g} s)"
        if watch.stopped == "output":
            return (
                sandbox_pb2.ERROR_KIND_OUTPUT_LIMIT,
                f"output limit exceeded ({limits.max_output_bytes} bytes)",
            )
        reports = _parse_reports(watch.report)
        for report in reports:
            if "internal" in report:
                return sandbox_pb2.ERROR_KIND_INTERNAL, str(report["internal"])
        for report in reports:
            if "outcome" in report:
                return _OUTCOME_KINDS.get(str(report["outcome"]), sandbox_pb2.ERROR_KIND_INTERNAL), str(
                    report.get("message", "")
                )
        # The program's process ended without reporting: it was killed, or exited on its own (os._exit).
        if self.isolation == "namespaces":
            exits = [value for report in reports if isinstance(value := report.get("exit"), int)]
            if not exits:
                return sandbox_pb2.ERROR_KIND_INTERNAL, f"the run ended unreported ({_describe(status)})"
            exit_code = exits[0]
        else:
            exit_code = os.waitstatus_to_exitcode(status)
        if exit_code < 0:
            return _classify_signal(-exit_code, cpu_used, limits, bytes(watch.stderr))
        if exit_code == program.EXIT_REPORT_LOST:
            return sandbox_pb2.ERROR_KIND_RUNTIME, "the program closed the sandbox's report channel"
        if exit_code == 0:
            return sandbox_pb2.ERROR_KIND_UNSPECIFIED, ""
        return sandbox_pb2.ERROR_KIND_RUNTIME, f"exited with status {exit_code}"


_OUTCOME_KINDS: dict[str, Kind] = {
    "ok": sandbox_pb2.ERROR_KIND_UNSPECIFIED,
    "syntax": sandbox_pb2.ERROR_KIND_SYNTAX,
    "runtime": sandbox_pb2.ERROR_KIND_RUNTIME,
    "memory": sandbox_pb2.ERROR_KIND_MEMORY,
}


def _apply_rlimits(limits: Limits) -> None:
    for which, value in limits.rlimits():
        resource.setrlimit(which, value)


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, _READ_CHUNK)
    except BlockingIOError:
        return b""


def _kill_tree(leader: int) -> None:
    # The leader may not have called setsid yet: kill it by pid as well as its group.
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(leader, signal.SIGKILL)


def _await_no_others(timeout: float = 2.0) -> None:
    """Waits until bubblewrap's init has reaped every killed process, so the next run starts alone."""
    deadline = time.monotonic() + timeout
    me = str(os.getpid())
    while time.monotonic() < deadline:
        if not any(name.isdigit() and name not in ("1", me) for name in os.listdir("/proc")):
            return
        time.sleep(0.001)


def _empty_dir(path: str) -> None:
    with contextlib.suppress(OSError):
        for name in os.listdir(path):
            target = os.path.join(path, name)
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(target)


def _parse_reports(raw: bytearray) -> list[dict[str, object]]:
    reports: list[dict[str, object]] = []
    for line in bytes(raw).splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue  # the program can write to the report pipe too; ignore what is not ours
        if isinstance(parsed, dict):
            reports.append(parsed)
    return reports


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _describe(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    return f"killed by {_signal_name(-code)}" if code < 0 else f"exit status {code}"


def _classify_signal(number: int, cpu_used: float, limits: Limits, stderr: bytes) -> tuple[Kind, str]:
    name = _signal_name(number)
    # The kernel checks RLIMIT_CPU once per tick, and rusage may round below it: allow a little slack.
    if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu_used >= limits.cpu_rlimit() - 0.1):
        return sandbox_pb2.ERROR_KIND_TIMEOUT, f"CPU time limit exceeded ({limits.cpu_seconds:g} s)"
    # RLIMIT_AS makes allocations fail; native code may then abort or crash instead of raising.
    if _MEMORY_HINT.search(stderr.decode("utf-8", errors="replace")):
        return sandbox_pb2.ERROR_KIND_MEMORY, f"killed by {name} after running out of memory"
    return sandbox_pb2.ERROR_KIND_RUNTIME, f"killed by {name}"
