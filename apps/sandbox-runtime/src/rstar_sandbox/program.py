"""What runs in the program's own process: compile, exec in fresh globals, classify how it ended."""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import random
import sys
import traceback
from typing import Literal, NoReturn

Outcome = Literal["ok", "syntax", "runtime", "memory"]

# Exit status of a program process whose report could not be written (the program closed the channel).
EXIT_REPORT_LOST = 75


def _last_line(error: BaseException) -> str:
    """The last line of the traceback ("ZeroDivisionError: division by zero")."""
    try:
        lines = traceback.format_exception_only(type(error), error)
        return lines[-1].strip() if lines else type(error).__name__
    except BaseException:  # formatting can itself fail, e.g. out of memory
        return type(error).__name__


def execute(code: str) -> tuple[Outcome, str]:
    """Runs `code` as `__main__` in a fresh globals dict and says how it ended."""
    try:
        compiled = compile(code, "<program>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:  # ValueError: the source holds a NUL byte
        message = _last_line(error)
        if isinstance(error, SyntaxError) and error.lineno is not None:
            message = f"{message} (line {error.lineno})"
        return "syntax", message
    try:
        exec(compiled, {"__name__": "__main__", "__builtins__": builtins})
    except SystemExit as error:
        if error.code is None or error.code == 0:
            return "ok", ""
        return "runtime", f"SystemExit: {error.code}"
    except MemoryError as error:
        return "memory", _last_line(error)
    except BaseException as error:
        return "runtime", _last_line(error)
    return "ok", ""


def _fresh_stdio() -> None:
    # The runtime's stdio objects wrap its protocol channel; a run gets its own on the inherited fds.
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        raw = io.FileIO(fd, "w", closefd=False)
        buffered = io.BufferedWriter(raw, 1 << 16)
        stream = io.TextIOWrapper(buffered, encoding="utf-8", errors="backslashreplace")
        setattr(sys, name, stream)
    sys.argv = ["<program>"]


def _seed() -> None:
    # Same program, same output: runs are reproducible, so cached results equal fresh ones.
    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)


def run_and_exit(code: str, report_fd: int) -> NoReturn:
    """Entry point of the program's process: runs `code`, writes one JSON report line, exits."""
    _fresh_stdio()
    _seed()
    outcome, message = execute(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):  # the program may have closed its stdout
            stream.flush()
    try:
        os.write(report_fd, json.dumps({"outcome": outcome, "message": message}).encode() + b"\n")
    except OSError:
        os._exit(EXIT_REPORT_LOST)
    os._exit(0)
