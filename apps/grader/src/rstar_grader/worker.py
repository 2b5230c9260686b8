"""The long-lived grader worker: GradeRequest JSON lines on stdin, one GradeResult JSON line each on stdout.

Single-threaded on purpose: the grading timer is SIGALRM, which only the main thread receives. Bad input
never ends the worker; it answers with a GradeResult whose `error` says what was wrong.

    python -m rstar_grader.worker
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from typing import IO, Any

from google.protobuf import json_format
from rstar.grader.v1 import grader_pb2

from rstar_grader.equivalence import DEFAULT_TIMEOUT_S, grade


def _request_id(raw: Any) -> str:
    """The id of a request we could not fully read, so the client can still match the error to it."""
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, str | int):
            return str(value)
    return ""


def handle_line(line: str) -> grader_pb2.GradeResult:
    """Grades one request line. Never raises."""
    try:
        raw = json.loads(line)
    except ValueError as e:
        return grader_pb2.GradeResult(error=f"malformed request: not JSON ({e})")
    request = grader_pb2.GradeRequest()
    try:
        if not isinstance(raw, dict):
            raise json_format.ParseError("expected a JSON object")
        json_format.ParseDict(raw, request, ignore_unknown_fields=True)
    except json_format.ParseError as e:
        return grader_pb2.GradeResult(id=_request_id(raw), error=f"malformed request: {e}")
    # proto3 has no "unset": 0 (and anything unusable) means the default budget.
    ok = math.isfinite(request.timeout_s) and request.timeout_s > 0
    timeout_s = request.timeout_s if ok else DEFAULT_TIMEOUT_S
    verdict = grade(request.answer, request.reference, timeout_s)
    return grader_pb2.GradeResult(
        id=request.id,
        equivalent=verdict.equivalent,
        answer_parsed=verdict.answer_parsed,
        reference_parsed=verdict.reference_parsed,
        error=verdict.error or "",
    )


def encode(result: grader_pb2.GradeResult) -> str:
    body = json_format.MessageToDict(result, always_print_fields_with_no_presence=True)
    # ensure_ascii keeps the line free of raw U+2028-style separators a line reader might split on.
    return json.dumps(body, ensure_ascii=True, separators=(",", ":"))


def serve(stdin: IO[bytes], stdout: IO[str]) -> None:
    for raw_line in stdin:
        line = raw_line.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        stdout.write(encode(handle_line(line)) + "\n")
        stdout.flush()


def main() -> None:
    protocol_out = sys.stdout
    # Anything a library prints must not land in the protocol stream.
    sys.stdout = sys.stderr
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):  # the client went away
        serve(sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    main()
