"""Per-run namespaces: what a run's first process does before the program's process exists.

`enter_run_namespaces` gives the calling process a new user namespace (mapping only its own uid and gid),
a mount namespace with fresh tmpfs on /tmp and /dev/shm, a pid namespace and an IPC namespace, then drops
every capability. Its next child is pid 1 of the new pid namespace: when that process ends, the kernel
kills whatever the run left behind, and the run's files and SysV/POSIX IPC objects vanish with the
namespaces. Nothing a run creates survives into the next one, and a run cannot signal or trace the
runtime, whose pid does not exist in its namespace.

RLIMIT_NPROC is set after `unshare`, so it counts the processes of this run's user namespace only.
"""

from __future__ import annotations

import os

from rstar_sandbox import _linux


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def enter_run_namespaces(scratch_bytes: int) -> None:
    """Isolates the calling process (see the module docstring). Raises OSError when the kernel refuses."""
    uid, gid = os.getuid(), os.getgid()
    # A process whose uids changed (the runtime dropped root) is not dumpable, and a non-dumpable process
    # may not write its own uid_map. The runtime itself stays non-dumpable.
    _linux.prctl(_linux.PR_SET_DUMPABLE, 1)
    _linux.unshare(_linux.CLONE_NEWUSER | _linux.CLONE_NEWNS | _linux.CLONE_NEWPID | _linux.CLONE_NEWIPC)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
    _write("/proc/self/gid_map", f"{gid} {gid} 1\n")
    _linux.mount("none", "/", None, _linux.MS_REC | _linux.MS_PRIVATE)
    flags = _linux.MS_NOSUID | _linux.MS_NODEV
    _linux.mount("tmpfs", "/tmp", "tmpfs", flags, f"size={scratch_bytes},nr_inodes=4096,mode=0700")
    if os.path.isdir("/dev/shm"):
        _linux.mount("tmpfs", "/dev/shm", "tmpfs", flags, f"size={scratch_bytes},nr_inodes=1024,mode=0700")
    _linux.prctl(_linux.PR_SET_SECUREBITS, _linux.SECBIT_NOROOT | _linux.SECBIT_NOROOT_LOCKED)
    _linux.prctl(_linux.PR_SET_NO_NEW_PRIVS, 1)
    _linux.drop_capabilities()


def probe(scratch_bytes: int = 1 << 20) -> str | None:
    """Whether this process can give runs their own namespaces: None if so, else the kernel's refusal."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            enter_run_namespaces(scratch_bytes)
            os.write(write_fd, b"ok")
        except OSError as error:
            os.write(write_fd, str(error).encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        answer = reader.read().decode(errors="replace")
    os.waitpid(pid, 0)
    if answer == "ok":
        return None
    return answer or "the probe process died"
