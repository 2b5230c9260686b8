"""Starts the sandbox runtime under bubblewrap: the one place that decides how runs are isolated.

    python -P -m rstar_sandbox.launcher [--isolation namespaces|basic]   the fork server (what the pool runs)
    python -P -m rstar_sandbox.launcher --print                          show the bwrap command line
    python -P -m rstar_sandbox.launcher --python -- ARGS...              one `python ARGS` in the same sandbox

Isolation of the runtime (bubblewrap):
- New pid, network, IPC, UTS and cgroup namespaces: no network (a loopback with nothing listening), no view
  of the host's processes. `--die-with-parent`: the sandbox dies with the process that started it.
- Filesystem: read-only binds of the system directories (/usr, /bin, /lib*, /etc), the Python installation,
  the venv and the source directories on sys.path; a fresh /proc and /dev; a tmpfs on /tmp; nothing else,
  and / itself read-only. $HOME names a directory that does not exist and cannot be created.
- Users. As root, bubblewrap runs without a user namespace: inside one, the sandbox's users would be root
  outside, and the kernel does not apply RLIMIT_NPROC to root, so a fork bomb would not be stopped. It
  keeps only CAP_SETUID and CAP_SETGID, which the runtime uses once, before importing anything, to become
  nobody (65534), losing every capability. As any other user, bubblewrap creates a user namespace and the
  runtime keeps that user's uid. bubblewrap sets no_new_privs, so setuid binaries inside gain nothing.
- The runtime makes itself non-dumpable, so runs cannot read or trace its memory.

Isolation of each run (jail.py, executor.py): its own user, mount, pid and IPC namespaces with a fresh tmpfs
as scratch dir and no capabilities; rlimits on CPU time, address space, processes, file size and open
files; the runtime enforces wall time and the output cap. `basic` isolation, for kernels that refuse
nested user namespaces, keeps the rlimits and cleans up after each run instead (see executor.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import NoReturn

NOBODY = "65534:65534"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
SANDBOX_HOME = "/home/sandbox"
SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": SANDBOX_HOME,
    "LANG": "C.UTF-8",
    "TMPDIR": "/tmp",
    # Same hash seed in every runtime: set iteration order, hence output, does not depend on the process.
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


class LauncherError(RuntimeError):
    """The sandbox cannot be started on this machine (a one-line reason)."""


def find_bwrap() -> str:
    found = shutil.which("bwrap")
    if found is None:
        raise LauncherError("bwrap (bubblewrap) not found on PATH: run tools/setup")
    return found


def _is_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def python_dirs() -> list[str]:
    """Directories the runtime's Python needs: its installation, the venv, and sys.path entries."""
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    cwd = os.getcwd()
    candidates += [entry for entry in sys.path if entry and entry != cwd and os.path.isdir(entry)]
    paths = {os.path.abspath(path) for path in candidates} | {os.path.realpath(path) for path in candidates}
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if path == "/" or any(_is_under(path, other) for other in [*SYSTEM_DIRS, *kept]):
            continue
        kept.append(path)
    return kept


def bwrap_args(*, isolation: str = "namespaces", as_root: bool | None = None) -> list[str]:
    """bubblewrap's options for the runtime's sandbox (everything before the command)."""
    as_root = os.geteuid() == 0 if as_root is None else as_root
    args = ["--die-with-parent", "--new-session"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if not as_root:
        args.append("--unshare-user")
    args += ["--hostname", "sandbox"]
    for directory in SYSTEM_DIRS:
        if os.path.islink(directory):
            args += ["--symlink", os.readlink(directory), directory]
        elif os.path.isdir(directory):
            args += ["--ro-bind", directory, directory]
    binds = python_dirs()
    # bubblewrap would create the parents of a bind with the host directories' modes (/root is 0700).
    for parent in sorted({parent for bind in binds for parent in _parents(bind)}, key=len):
        if not any(_is_under(parent, system) for system in SYSTEM_DIRS) and parent not in binds:
            args += ["--perms", "0755", "--dir", parent]
    for path in binds:
        args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev"]
    # Basic isolation puts scratch dirs in /tmp; with per-run namespaces each run mounts its own.
    args += ["--perms", "1777" if isolation == "basic" else "0755", "--tmpfs", "/tmp"]
    args += ["--remount-ro", "/", "--chdir", "/", "--clearenv"]
    for name, value in SANDBOX_ENV.items():
        args += ["--setenv", name, value]
    return args


def _parents(path: str) -> list[str]:
    """The directories above path, / excluded: /a/b/c -> [/a/b, /a]."""
    out: list[str] = []
    while (path := os.path.dirname(path)) != "/":
        out.append(path)
    return out


def runtime_command(*, isolation: str = "namespaces", bwrap: str | None = None) -> list[str]:
    """The full command line that starts the fork server in its sandbox."""
    as_root = os.geteuid() == 0
    command = [bwrap or find_bwrap(), *bwrap_args(isolation=isolation, as_root=as_root)]
    server = [sys.executable, "-P", "-m", "rstar_sandbox.server", "--isolation", isolation]
    server.append("--private-pid-namespace")
    if as_root:
        command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        server += ["--drop-privileges", NOBODY]
    return [*command, "--", *server]


def python_command(python_args: list[str], *, bwrap: str | None = None) -> list[str]:
    """`python ARGS` in the runtime's sandbox, without the fork server (the benchmark's baseline)."""
    as_root = os.geteuid() == 0
    command = [bwrap or find_bwrap(), *bwrap_args(as_root=as_root)]
    if as_root:
        command += ["--cap-drop", "ALL"]
    return [*command, "--", sys.executable, "-P", *python_args]


def main(argv: list[str] | None = None) -> NoReturn:
    argv = sys.argv[1:] if argv is None else argv
    # Everything after --python (and an optional --) goes to python untouched.
    python_args: list[str] | None = None
    if "--python" in argv:
        at = argv.index("--python")
        argv, python_args = argv[:at], argv[at + 1 :]
        python_args = python_args[1:] if python_args[:1] == ["--"] else python_args
    parser = argparse.ArgumentParser(
        prog="rstar_sandbox.launcher",
        description="Start the sandbox runtime.",
        epilog="--python ARGS...: run python",
    )
    parser.add_argument("--isolation", choices=("namespaces", "basic"), default="namespaces")
    parser.add_argument("--print", action="store_true", help="print the command line as JSON and exit")
    args = parser.parse_args(argv)
    try:
        if python_args is not None:
            command = python_command(python_args)
        else:
            command = runtime_command(isolation=args.isolation)
    except LauncherError as error:
        print(f"rstar-sandbox: {error}", file=sys.stderr)
        sys.exit(127)
    if args.print:
        print(json.dumps(command))
        sys.exit(0)
    sys.stdout.flush()
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
