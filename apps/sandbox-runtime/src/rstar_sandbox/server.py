"""The warm fork server: RunRequest JSON lines on stdin, one RunResult JSON line per request on stdout.

Started by the launcher inside bubblewrap (`python -m rstar_sandbox.launcher`); see that module for the
isolation as a whole. At start it drops root (when the launcher asks), imports the math stack once, checks
that runs can get their own namespaces, and then serves requests one at a time until stdin closes.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
from typing import BinaryIO

from google.protobuf import json_format
from rstar.sandbox.v1 import sandbox_pb2

from rstar_sandbox import _linux, jail
from rstar_sandbox.executor import Executor
from rstar_sandbox.limits import Limits

# Imported once here so a run does not pay for them (about 1 s in all); a run imports them from memory.
# Each one also makes every fork a little slower (more pages to map), so only the common ones.
PRELOAD = (
    "math",
    "cmath",
    "fractions",
    "decimal",
    "itertools",
    "functools",
    "collections",
    "numpy",
    "numpy.random",
    "scipy",
    "scipy.special",
    "scipy.linalg",
    "scipy.optimize",
    "scipy.integrate",
    "sympy",
)
# Native libraries must not start thread pools: threads count against a run's process limit.
SINGLE_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def _drop_privileges(spec: str) -> None:
    uid, gid = (int(part) for part in spec.split(":"))
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _preload() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    # Lazily imported solver modules, loaded now rather than by every run.
    sympy = sys.modules["sympy"]
    x = sympy.Symbol("x")
    sympy.solve(x**2 - 2, x)
    sympy.simplify(sympy.sin(x) ** 2 + sympy.cos(x) ** 2)


def serve(stdin: BinaryIO, stdout: BinaryIO, executor: Executor, defaults: Limits | None = None) -> None:
    """Answers each request line with one result line; malformed requests get an internal-kind result."""
    defaults = defaults or Limits()
    for line in stdin:
        if not line.strip():
            continue
        request = sandbox_pb2.RunRequest()
        try:
            json_format.Parse(line, request, ignore_unknown_fields=True)
            result = executor.run(request.id, request.code, defaults.merged(request.limits))
        except Exception as error:  # the runtime answers every request and keeps serving
            result = sandbox_pb2.RunResult(
                id=request.id,
                ok=False,
                error_kind=sandbox_pb2.ERROR_KIND_INTERNAL,
                error_message=f"{type(error).__name__}: {error}",
            )
        payload = json_format.MessageToDict(result, always_print_fields_with_no_presence=True)
        stdout.write(json.dumps(payload, ensure_ascii=False).encode() + b"\n")
        stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rstar_sandbox.server", description=__doc__)
    parser.add_argument("--isolation", choices=("namespaces", "basic"), default="namespaces")
    parser.add_argument("--drop-privileges", metavar="UID:GID", help="switch to this uid/gid first (as root)")
    parser.add_argument(
        "--private-pid-namespace",
        action="store_true",
        help="the runtime runs in its own pid namespace (bubblewrap): basic isolation may kill all others",
    )
    args = parser.parse_args(argv)
    if args.drop_privileges:
        _drop_privileges(args.drop_privileges)
    # Runs must not read or trace the runtime's memory; runs re-enable it for themselves.
    _linux.prctl(_linux.PR_SET_DUMPABLE, 0)
    for name in SINGLE_THREAD_ENV:
        os.environ.setdefault(name, "1")
    _preload()
    if args.isolation == "namespaces" and (refusal := jail.probe()) is not None:
        print(
            f"rstar-sandbox: runs cannot get their own namespaces ({refusal}); "
            "enable unprivileged user namespaces or start the pool with isolation 'basic'",
            file=sys.stderr,
        )
        return 3
    executor = Executor(args.isolation, private_pid_namespace=args.private_pid_namespace)
    # Objects that exist now are never collected: forked runs do not touch (and copy) their pages.
    gc.collect()
    gc.freeze()
    serve(sys.stdin.buffer, sys.stdout.buffer, executor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
