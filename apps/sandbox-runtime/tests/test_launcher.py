"""The bubblewrap command line: the one description of the runtime's sandbox."""

from __future__ import annotations

import os
import sys

import pytest

from rstar_sandbox import launcher


def pairs(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == option]


def test_namespaces_and_lifetime() -> None:
    args = launcher.bwrap_args(as_root=False)
    for option in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-user", "--die-with-parent"):
        assert option in args
    assert pairs(args, "--remount-ro") == ["/"]
    assert "/tmp" in pairs(args, "--tmpfs")


def test_as_root_no_user_namespace_and_the_runtime_drops_to_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    command = launcher.runtime_command(bwrap="/usr/bin/bwrap")
    sandbox, server = command[: command.index("--")], command[command.index("--") + 1 :]
    assert "--unshare-user" not in sandbox
    assert pairs(sandbox, "--cap-add") == ["CAP_SETUID", "CAP_SETGID"]
    assert pairs(server, "--drop-privileges") == [launcher.NOBODY]
    assert server[:4] == [sys.executable, "-P", "-m", "rstar_sandbox.server"]


def test_as_user_keeps_its_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    command = launcher.runtime_command(bwrap="/usr/bin/bwrap")
    assert "--unshare-user" in command and "--drop-privileges" not in command and "--cap-add" not in command


def test_binds_are_read_only_and_home_is_not_bound() -> None:
    args = launcher.bwrap_args(as_root=False)
    assert "--bind" not in args and "--dev-bind" not in args
    bound = pairs(args, "--ro-bind")
    assert os.path.realpath(sys.prefix) in bound or sys.prefix in bound
    home = os.path.expanduser("~")
    assert not any(path == home or home.startswith(path + "/") for path in bound if path != "/")
    env = {args[i + 1]: args[i + 2] for i, arg in enumerate(args) if arg == "--setenv"}
    assert env["HOME"] == launcher.SANDBOX_HOME


def test_parents_of_binds_are_traversable() -> None:
    args = launcher.bwrap_args(as_root=False)
    dirs = pairs(args, "--dir")
    for path in launcher.python_dirs():
        parent = os.path.dirname(path)
        if parent != "/" and not any(parent.startswith(system) for system in launcher.SYSTEM_DIRS):
            assert parent in dirs


def test_missing_bwrap_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(launcher.LauncherError, match="run tools/setup"):
        launcher.runtime_command()
