"""The runtime under bubblewrap, started by the launcher: every limit, every error kind, every escape tried.

Each hostile program is followed by a good one: the runtime must keep serving whatever a run does.
"""

from __future__ import annotations

import os

import pytest
from runtime_client import RuntimeClient

ERROR = "ERROR_KIND_"


def expect(result: dict[str, object], kind: str, message_part: str = "") -> None:
    assert result["errorKind"] == ERROR + kind, result
    assert result["ok"] is (kind == "UNSPECIFIED"), result
    assert message_part in str(result["errorMessage"]), result


# --- what works ----------------------------------------------------------------------------------------


def test_prints_and_solves_with_sympy(runtime: RuntimeClient) -> None:
    result = runtime.run("import sympy as sp\nx = sp.symbols('x')\nprint(sp.solve(x**2 - 4, x))")
    expect(result, "UNSPECIFIED")
    assert result["stdout"] == "[-2, 2]\n"
    assert isinstance(result["durationMs"], float) and result["durationMs"] > 0


def test_numpy_and_scipy_work_under_the_default_memory_limit(runtime: RuntimeClient) -> None:
    code = (
        "import numpy as np, scipy.optimize as so, scipy.special as ss, scipy.integrate as si\n"
        "a = np.arange(10**6, dtype=np.float64)\n"
        "print(int(a.sum()), round(so.brentq(lambda x: x*x - 2, 0, 2), 6), int(ss.comb(10, 3)))\n"
        "print(round(si.quad(lambda x: x**2, 0, 3)[0], 6))\n"
        "import scipy.stats\n"
        "print(round(float(scipy.stats.norm.cdf(0)), 2))"
    )
    result = runtime.run(code)
    expect(result, "UNSPECIFIED")
    assert result["stdout"] == "499999500000 1.414214 120\n9.0\n0.5\n"


def test_runs_are_reproducible(runtime: RuntimeClient) -> None:
    code = "import random, numpy as np\nprint(random.random(), np.random.rand(), {'a', 'b', 'c'})"
    assert runtime.run(code)["stdout"] == runtime.run(code)["stdout"]


def test_globals_are_fresh_and_main(runtime: RuntimeClient) -> None:
    runtime.run("leaked = 1")
    result = runtime.run("print(__name__, 'leaked' in globals())")
    assert result["stdout"] == "__main__ False\n"


# --- error kinds -----------------------------------------------------------------------------------------


def test_syntax_error(runtime: RuntimeClient) -> None:
    expect(runtime.run("def f(:\n    pass"), "SYNTAX", "SyntaxError")
    runtime.assert_serving()


def test_runtime_error_reports_last_traceback_line(runtime: RuntimeClient) -> None:
    result = runtime.run("print('before')\n1/0")
    expect(result, "RUNTIME", "ZeroDivisionError: division by zero")
    assert result["stdout"] == "before\n"
    runtime.assert_serving()


def test_infinite_loop_hits_the_wall_limit(runtime: RuntimeClient) -> None:
    expect(runtime.run("while True: pass", wallSeconds=1, cpuSeconds=30), "TIMEOUT", "wall time")
    runtime.assert_serving()


def test_sleeping_program_hits_the_wall_limit(runtime: RuntimeClient) -> None:
    expect(runtime.run("import time\ntime.sleep(60)", wallSeconds=1), "TIMEOUT", "wall time")
    runtime.assert_serving()


def test_cpu_limit_is_a_timeout(runtime: RuntimeClient) -> None:
    expect(runtime.run("while True: pass", wallSeconds=10, cpuSeconds=1), "TIMEOUT", "CPU time")
    runtime.assert_serving()


@pytest.mark.parametrize(
    "code",
    [
        "x = bytearray(10**10)",
        "import numpy as np\nx = np.ones(10**10, dtype=np.uint8)",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))",
    ],
    ids=["bytearray", "numpy", "gradual"],
)
def test_huge_allocation_is_a_memory_error(runtime: RuntimeClient, code: str) -> None:
    expect(runtime.run(code), "MEMORY")
    runtime.assert_serving()


def test_huge_output_hits_the_output_limit(runtime: RuntimeClient) -> None:
    result = runtime.run("print('x' * 100_000_000)")
    expect(result, "OUTPUT_LIMIT", "output limit")
    assert len(str(result["stdout"])) <= 1 << 20
    runtime.assert_serving()


def test_output_limit_counts_stderr(runtime: RuntimeClient) -> None:
    code = "import sys\nfor _ in range(100):\n    sys.stderr.write('e' * 10_000)"
    expect(runtime.run(code, maxOutputBytes=100_000), "OUTPUT_LIMIT")


def test_file_size_limit(runtime: RuntimeClient) -> None:
    result = runtime.run("open('big', 'wb').write(b'x' * (20 << 20))")
    expect(result, "RUNTIME", "File too large")


def test_malformed_request_is_answered_and_serving_continues(runtime: RuntimeClient) -> None:
    result = runtime.send_line(b"this is not json", timeout=30)
    assert result["errorKind"] == ERROR + "INTERNAL"
    runtime.assert_serving()


# --- isolation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["1.1.1.1", "127.0.0.1"])
def test_no_network(runtime: RuntimeClient, address: str) -> None:
    code = f"import socket\ns = socket.socket()\ns.settimeout(3)\ns.connect(('{address}', 80))\nprint('up')"
    result = runtime.run(code)
    expect(result, "RUNTIME")
    assert result["stdout"] == ""
    runtime.assert_serving()


OUTSIDE_SCRATCH = ["'/etc/x'", "os.environ['HOME'] + '/x'", "os.path.expanduser('~/x')", "'/root/x'", "'/x'"]


@pytest.mark.parametrize("path", [*OUTSIDE_SCRATCH, f"'{os.getcwd()}/x'"])
def test_writes_outside_scratch_fail(runtime: RuntimeClient, path: str) -> None:
    result = runtime.run(f"import os\nopen({path}, 'w').write('x')\nprint('written')")
    expect(result, "RUNTIME")
    assert result["stdout"] == ""


def test_scratch_dir_is_writable_and_fresh_each_run(runtime: RuntimeClient) -> None:
    first = runtime.run("open('note', 'w').write('x')\nopen('/tmp/other', 'w').write('y')")
    expect(first, "UNSPECIFIED")
    second = runtime.run("import os\nprint(os.listdir('.'), os.listdir('/tmp'), os.listdir('/dev/shm'))")
    assert second["stdout"] == "[] [] []\n"


def test_fork_bomb_is_stopped(runtime: RuntimeClient) -> None:
    # As root too: the runtime is not root when the run starts, so RLIMIT_NPROC applies.
    code = (
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        n += 1\n"
        "except OSError as e:\n"
        "    print(n, e.errno)"
    )
    result = runtime.run(code, maxProcesses=16)
    expect(result, "UNSPECIFIED")
    forked, errno = str(result["stdout"]).split()
    assert int(forked) < 16 and errno == "11"  # EAGAIN
    runtime.assert_serving()


def test_unbounded_fork_bomb_ends_within_the_wall_limit(runtime: RuntimeClient) -> None:
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    result = runtime.run(bomb, wallSeconds=2)
    expect(result, "TIMEOUT")
    runtime.assert_serving()


def test_no_privileges_inside(runtime: RuntimeClient) -> None:
    code = (
        "import os\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "print(status['CapEff'].strip(), status['NoNewPrivs'].strip(), os.getuid() != 0)\n"
        "os.setuid(0)"
    )
    result = runtime.run(code)
    expect(result, "RUNTIME")
    assert result["stdout"] == "0000000000000000 1 True\n"


def test_a_run_cannot_read_the_runtime_memory(runtime: RuntimeClient) -> None:
    code = (
        "import os\n"
        "def read(pid, name):\n"
        "    try:\n"
        "        return open(f'/proc/{pid}/{name}', 'rb').read()\n"
        "    except FileNotFoundError:\n"  # a process that ended since listdir
        "        return b') ? 0'\n"
        "def stat(pid):\n"
        "    text = read(pid, 'stat').decode()\n"
        "    return text[text.rindex(')') + 2 :].split()\n"
        "server = [p for p in os.listdir('/proc') if p.isdigit() and stat(p)[1] == '1'\n"
        "          and b'rstar_sandbox.server' in read(p, 'cmdline')]\n"
        "print(len(server))\n"
        "for name in ('mem', 'environ', 'maps'):\n"
        "    try:\n"
        "        open(f'/proc/{server[0]}/{name}', 'rb').read(1)\n"
        "        print(name, 'readable')\n"
        "    except OSError as e:\n"
        "        print(name, type(e).__name__)"
    )
    result = runtime.run(code)
    expect(result, "UNSPECIFIED")
    assert result["stdout"] == "1\nmem PermissionError\nenviron PermissionError\nmaps PermissionError\n"


def test_leftover_processes_die_with_the_run(runtime: RuntimeClient) -> None:
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(60)\n"
        "    os._exit(0)\n"
        "print('spawned')"
    )
    expect(runtime.run(daemon), "UNSPECIFIED")
    # Whatever is left in the sandbox's pid namespace: bubblewrap's init, the runtime, this run (2).
    count = runtime.run("import os\nprint(sum(name.isdigit() for name in os.listdir('/proc')))")
    assert int(str(count["stdout"])) <= 4, count


def test_a_run_cannot_kill_the_runtime(runtime: RuntimeClient) -> None:
    code = (
        "import os, signal\n"
        "for name in os.listdir('/proc'):\n"
        "    if name.isdigit() and int(name) != os.getpid():\n"
        "        for sig in (signal.SIGKILL, signal.SIGTERM):\n"
        "            try:\n"
        "                os.kill(int(name), sig)\n"
        "            except OSError:\n"
        "                pass\n"
        "os.killpg(0, signal.SIGKILL)"
    )
    runtime.run(code)
    runtime.assert_serving()


@pytest.mark.parametrize(
    ("code", "kind", "message"),
    [
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\nprint('alive')", "UNSPECIFIED", ""),
        ("import os\nos._exit(3)", "RUNTIME", "exited with status 3"),
        ("import sys\nsys.exit(2)", "RUNTIME", "SystemExit: 2"),
        ("import sys\nsys.exit(0)", "UNSPECIFIED", ""),
        ("import os\nos.closerange(0, 1024)\nprint('closed')", "RUNTIME", "report channel"),
        ("import ctypes\nctypes.string_at(0)", "RUNTIME", "SIGSEGV"),
        ("print('{\"id\": \"forged\"}')\nraise ValueError('real')", "RUNTIME", "ValueError: real"),
    ],
    ids=["kill-self", "exit-status", "sys-exit", "sys-exit-0", "close-fds", "segfault", "forged-result"],
)
def test_programs_that_end_themselves(runtime: RuntimeClient, code: str, kind: str, message: str) -> None:
    expect(runtime.run(code), kind, message)
    runtime.assert_serving()


def test_multiprocessing_works_inside_the_process_limit(runtime: RuntimeClient) -> None:
    code = "import multiprocessing as mp\nwith mp.Pool(2) as pool:\n    print(pool.map(abs, [-1, -2]))"
    result = runtime.run(code)
    expect(result, "UNSPECIFIED")
    assert result["stdout"] == "[1, 2]\n"
