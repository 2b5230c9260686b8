"""The worker protocol: in-process line handling, then the real process over pipes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest

from rstar_grader.worker import encode, handle_line, serve


def result_of(line: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(encode(handle_line(line)))
    return decoded


def test_grades_a_request() -> None:
    line = json.dumps({"id": "a1", "answer": r"\frac{1}{2}", "reference": "0.5", "timeoutS": 5})
    assert result_of(line) == {
        "id": "a1",
        "equivalent": True,
        "answerParsed": "1/2",
        "referenceParsed": "1/2",
        "error": "",
    }


def test_accepts_proto_field_names_and_ignores_unknown_fields() -> None:
    line = json.dumps({"id": "a2", "answer": "3", "reference": "x=3", "timeout_s": 2, "extra": 1})
    result = result_of(line)
    assert result["equivalent"] is True
    assert result["error"] == ""


def test_not_equivalent_is_written_out_explicitly() -> None:
    result = result_of(json.dumps({"id": "n", "answer": "19", "reference": "18"}))
    assert result["equivalent"] is False
    assert result["answerParsed"] == "19"


@pytest.mark.parametrize(
    ("line", "expected_id", "error_start"),
    [
        ("{not json", "", "malformed request: not JSON"),
        ("[1, 2]", "", "malformed request: expected a JSON object"),
        ('"just a string"', "", "malformed request: expected a JSON object"),
        ('{"id": "b1", "answer": 5}', "b1", "malformed request:"),
        ('{"id": "b2", "timeoutS": "soon"}', "b2", "malformed request:"),
    ],
)
def test_malformed_requests_get_an_error_result(line: str, expected_id: str, error_start: str) -> None:
    result = result_of(line)
    assert result["id"] == expected_id
    assert result["equivalent"] is False
    assert result["error"].startswith(error_start), result["error"]


def test_serve_answers_every_line_and_skips_blank_ones() -> None:
    stdin = io.BytesIO(
        b'{"id": "1", "answer": "2", "reference": "2"}\n'
        b"\n"
        b"garbage\n"
        b'\xff\xfe{"id": "3"}\n'
        b'{"id": "4", "answer": "0.5", "reference": "50\\\\%"}\n'
    )
    stdout = io.StringIO()
    serve(stdin, stdout)
    lines = stdout.getvalue().splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["id"] for r in results] == ["1", "", "", "4"]
    assert [r["equivalent"] for r in results] == [True, False, False, True]


def test_worker_process_over_pipes() -> None:
    requests = [
        {"id": "ok", "answer": r"\boxed{1,080}", "reference": "1080"},
        "this is not json",
        {"id": "slow", "answer": r"9^{9^{9^{9}}}", "reference": "1", "timeoutS": 0.5},
        {"id": "after", "answer": "x=3", "reference": "3"},
    ]
    stdin = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)
    done = subprocess.run(
        [sys.executable, "-m", "rstar_grader.worker"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in results] == ["ok", "", "slow", "after"]
    assert results[0]["equivalent"] is True
    assert results[1]["error"].startswith("malformed request")
    assert results[2]["error"] == "grading timed out after 0.5s"
    assert results[3]["equivalent"] is True
