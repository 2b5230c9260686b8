"""How a program's end is classified, in-process (no fork, no sandbox)."""

from __future__ import annotations

from rstar_sandbox.program import execute


def test_ok() -> None:
    assert execute("x = 1 + 1") == ("ok", "")


def test_syntax_error_names_the_line() -> None:
    kind, message = execute("x = 1\ny = (")
    assert kind == "syntax"
    assert message.startswith("SyntaxError") and "(line 2)" in message


def test_null_byte_is_a_syntax_error() -> None:
    assert execute("x = 1\0")[0] == "syntax"


def test_exception_gives_the_last_traceback_line() -> None:
    assert execute("def f():\n    return 1/0\nf()") == ("runtime", "ZeroDivisionError: division by zero")


def test_memory_error() -> None:
    assert execute("raise MemoryError('big')") == ("memory", "MemoryError: big")


def test_system_exit() -> None:
    assert execute("raise SystemExit") == ("ok", "")
    assert execute("raise SystemExit(4)") == ("runtime", "SystemExit: 4")


def test_globals_are_fresh() -> None:
    execute("leaked = 1")
    assert execute("leaked") == ("runtime", "NameError: name 'leaked' is not defined")
    assert execute("assert __name__ == '__main__'") == ("ok", "")
