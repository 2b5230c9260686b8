"""`basic` isolation (kernels without nested user namespaces): limits hold and runs still share nothing."""

from __future__ import annotations

from runtime_client import RuntimeClient


def test_limits_and_kinds(basic_runtime: RuntimeClient) -> None:
    cases = [
        ("print(1)", {}, "ERROR_KIND_UNSPECIFIED"),
        ("1/0", {}, "ERROR_KIND_RUNTIME"),
        ("while True: pass", {"wallSeconds": 1}, "ERROR_KIND_TIMEOUT"),
        ("while True: pass", {"cpuSeconds": 1}, "ERROR_KIND_TIMEOUT"),
        ("x = bytearray(10**10)", {}, "ERROR_KIND_MEMORY"),
        ("print('x' * 100_000_000)", {}, "ERROR_KIND_OUTPUT_LIMIT"),
    ]
    for code, limits, kind in cases:
        result = basic_runtime.run(code, **limits)
        assert result["errorKind"] == kind, (code, result)
        basic_runtime.assert_serving()


def test_fork_bomb_is_stopped(basic_runtime: RuntimeClient) -> None:
    code = (
        "import os, time\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "except OSError:\n"
        "    print('stopped')"
    )
    result = basic_runtime.run(code, maxProcesses=16, wallSeconds=5)
    assert "stopped" in str(result["stdout"]), result
    basic_runtime.assert_serving()


def test_no_files_or_processes_survive_a_run(basic_runtime: RuntimeClient) -> None:
    code = (
        "import os, time\n"
        "open('/tmp/left', 'w').write('x')\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    time.sleep(60)\n"
        "print('ok')"
    )
    assert basic_runtime.run(code)["stdout"] == "ok\n"
    after = basic_runtime.run(
        "import os\n"
        "print(os.listdir('/tmp') == [os.path.basename(os.getcwd())])\n"
        "print(sum(name.isdigit() for name in os.listdir('/proc')))"
    )
    same_dir, processes = str(after["stdout"]).split()
    assert same_dir == "True"
    assert int(processes) <= 3, after  # bubblewrap's init, the runtime, this run
