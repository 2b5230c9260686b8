"""Answer equivalence on top of math-verify, with the few normalisations it lacks for model output.

math-verify's own timeouts use SIGALRM and are switched off here: `grade` runs one timer of its own around
the whole parse-verify-print sequence, so a timeout is reported as such instead of silently reading as
"not equivalent". Signals need the main thread; off it, `grade` runs without a timer.
"""

from __future__ import annotations

import logging
import math
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from types import FrameType

import sympy
from math_verify import LatexExtractionConfig, parse, verify

# We disable math-verify's timeouts on purpose (see module doc); its one-time warning about it is noise.
logging.getLogger("math_verify").setLevel(logging.ERROR)

DEFAULT_TIMEOUT_S = 5.0
# METHOD.md §7: numeric tolerance rel 1e-4, applied only to non-integers where a side is a decimal.
REL_TOL = 1e-4

# Boxed answers first: we always hand math-verify a single \boxed{...}, so the boxed regex decides.
_LATEX_ONLY = (LatexExtractionConfig(boxed_match_priority=0),)


@dataclass(frozen=True)
class Verdict:
    """The outcome of grading one pair. `error` is set when the pair could not be graded."""

    equivalent: bool
    answer_parsed: str
    reference_parsed: str
    error: str | None = None


class GradeTimeout(BaseException):
    """Raised by the timer. A BaseException so the libraries' `except Exception` blocks cannot swallow it."""


def timeout_message(timeout_s: float) -> str:
    return f"grading timed out after {timeout_s:g}s"


# --- normalisation ---------------------------------------------------------------------------------------

_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
# Python/plain-text function names that latex2sympy would read as products of letters (pi -> p*i);
# oo is how sympy prints infinity.
_BARE_FUNCTIONS = re.compile(
    r"(?<![\\A-Za-z])(pi|sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|sinh|cosh|tanh|log|ln|exp)(?![A-Za-z])"
)
_SYMPY_INFINITY = re.compile(r"(?<![\\A-Za-z])oo(?![A-Za-z])")
# 1.5e3 / 2e-05 as Python prints them; latex2sympy reads the e as Euler's number.
_SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?![\w.])")
# Thin-space thousands (1\,000); math-verify knows 1,000, 1{,}000 and 1,\!000 but reads 1\,000 as 1*0.
_THIN_SPACE_THOUSANDS = re.compile(r"(?<=\d)\\,(?=\d{3}(?!\d))")
# Space-separated thousands ("1 000"), only as the whole answer: inside an expression a space is a product.
_SPACE_THOUSANDS = re.compile(r"^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$")
# A plain-text mixed number "2 1/2": latex2sympy gets it wrong, but reads 2\frac{1}{2} as 5/2.
_MIXED_NUMBER = re.compile(r"^(-?\d+)\s+(\d+)/(\d+)$")
# A repeating decimal 0.\overline{3}, which latex2sympy cannot read.
_REPEATING = re.compile(r"^(-?)(\d*)\.(\d*)\\overline\{(\d+)\}$")
# A whole answer in \text{} that starts with a number ("\text{18 dollars}"): the number is the answer.
_TEXT_NUMBER = re.compile(r"^\\(?:text|textbf|mbox|mathrm)\{\s*(-?[\d.,]*\d[^{}]*)\}$")
# Trailing plain words after a number or a closing brace ("18 dollars", "5\sqrt{2} meters"): units or
# nouns. math-verify strips them only inside \text{} or from its fixed unit list. Words need three or
# more letters so that short products of variables ("3 ab") stay math; "percent" is math-verify's to read.
_TRAILING_WORDS = re.compile(
    r"^(?P<head>.*?[\d}])(?:\s+(?!(?:percent|percentage|pct)\b)[A-Za-z]{3,}\.?)+\s*$", re.DOTALL
)


# The one-letter entries of latex2sympy's unit list (math_normalization.units).
_UNIT_LETTERS = frozenset("cdghlmost")


def _repeating_to_fraction(match: re.Match[str]) -> str:
    sign, whole, fixed, repeat = match.groups()
    # w.f(r)(r)... = w.f + r / (10^len(f) * (10^len(r) - 1))
    value = Fraction(int(whole or "0")) + Fraction(int(fixed or "0"), 10 ** len(fixed))
    value += Fraction(int(repeat), 10 ** len(fixed) * (10 ** len(repeat) - 1))
    return f"{sign}\\frac{{{value.numerator}}}{{{value.denominator}}}"


def last_boxed(text: str) -> str | None:
    """The content of the last \\boxed{...} or \\fbox{...} (brace-matched); None if there is none.

    Same reading as @rstar/step-format's extractBoxed: escaped braces do not count, `\\boxed 5` is 5.
    """
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    i = start + (6 if text.startswith("\\boxed", start) else 5)
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text) or text[i] != "{":
        token = re.match(r"[^\s$}]+", text[i:])
        return token.group(0) if token else None
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
        j += 1
    return text[i + 1 :]  # unbalanced: take the rest, as math-verify does


def normalize(text: str) -> str:
    """Rewrites one answer into the LaTeX math-verify reads best. Only what math-verify gets wrong."""
    s = text.strip()
    boxed = last_boxed(s)
    if boxed is not None:
        s = boxed.strip()
    for left, right in _DELIMITERS:
        if len(s) > len(left) + len(right) and s.startswith(left) and s.endswith(right):
            s = s[len(left) : -len(right)].strip()
            break
    s = s.replace("**", "^")  # Python power
    s = _BARE_FUNCTIONS.sub(r"\\\1", s)
    s = _SYMPY_INFINITY.sub(r"\\infty", s)
    s = _SCIENTIFIC.sub(r"\1\\times 10^{\2}", s)
    s = _THIN_SPACE_THOUSANDS.sub("", s)
    if _SPACE_THOUSANDS.match(s):
        s = s.replace(" ", "")
    s = _MIXED_NUMBER.sub(r"\1\\frac{\2}{\3}", s)
    s = _REPEATING.sub(_repeating_to_fraction, s)
    s = _TEXT_NUMBER.sub(r"\1", s).strip()
    match = _TRAILING_WORDS.match(s)
    if match:
        s = match.group("head")
    return _protect_last_variable(s)


def _protect_last_variable(s: str) -> str:
    """Keeps a trailing one-letter variable (5t, x+2s, 2\\pi t) from math-verify's unit stripping.

    Its unit list has single letters (t, s, m, h, c, ...) and drops them after a digit, a brace or a
    space, so "5t" would equal 5. A product sign before the letter, or no space, keeps it a variable.
    Other letters are left alone (a rewritten "2i" would read as complex where "2i+3" does not).
    """
    if len(s) < 2 or s[-1] not in _UNIT_LETTERS or s[-2].isalpha() or s[-2] == "\\":
        return s
    head = s[:-1].rstrip()
    if not head:
        return s
    joiner = "*" if head[-1].isalnum() or head[-1] == "}" else ""
    return head + joiner + s[-1]


# --- grading ---------------------------------------------------------------------------------------------

Parsed = list[sympy.Basic | sympy.MatrixBase | str]


def _parse(text: str) -> Parsed:
    result: Parsed = parse(
        "\\boxed{" + normalize(text) + "}",
        extraction_config=_LATEX_ONLY,
        parsing_timeout=None,  # our own timer instead (module doc)
    )
    return result


def _describe(parsed: Parsed) -> str:
    """The sympy form when there is one (what math-verify compares), else the extracted string."""
    for item in parsed:
        if not isinstance(item, str):
            return str(item)
    return parsed[0] if parsed else ""


def _as_number(item: sympy.Basic | sympy.MatrixBase | str) -> tuple[float, bool] | None:
    """A real number and whether it was written as a decimal (Float), or None for anything else."""
    if not isinstance(item, sympy.Expr):
        return None
    value = item.doit()  # evaluates the percent form 50*(1/100)
    if not isinstance(value, sympy.Expr) or value.free_symbols or not value.is_number:
        return None
    try:
        number = complex(value.evalf())
    except (TypeError, ValueError):
        return None
    if number.imag != 0 or not math.isfinite(number.real):
        return None
    return number.real, bool(item.atoms(sympy.Float))


def _close_decimals(reference: Parsed, answer: Parsed) -> bool:
    """Relative tolerance for rounded decimals (1/3 vs 0.3333), which math-verify compares to 6 places.

    Not for whole numbers: a rounded decimal never stands for an integer, and 10000.5 must not pass
    for 10000 (GSM8K answers are integers).
    """
    for r in reference:
        for a in answer:
            rn, an = _as_number(r), _as_number(a)
            if rn is None or an is None or not (rn[1] or an[1]):
                continue
            if rn[0].is_integer() or an[0].is_integer():
                continue
            if math.isclose(rn[0], an[0], rel_tol=REL_TOL):
                return True
    return False


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _deadline(timeout_s: float) -> Iterator[None]:
    """Raises GradeTimeout after timeout_s, and again every 0.25 s in case a library catches it."""
    if timeout_s <= 0 or not _on_main_thread():
        yield
        return

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise GradeTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _grade_unbounded(answer: str, reference: str) -> Verdict:
    ref = _parse(reference)
    ref_text = _describe(ref)
    if not ref:
        return Verdict(False, "", ref_text, "could not parse reference")
    if not answer.strip():
        return Verdict(False, "", ref_text, "empty answer")
    ans = _parse(answer)
    ans_text = _describe(ans)
    if not ans:
        return Verdict(False, ans_text, ref_text, "could not parse answer")
    # Gold first: verify is asymmetric (x=3 as gold accepts 3; an equation as gold wants an equation).
    # allow_set_relation_comp: an inequality answer (x > 3) may match an interval reference ((3, \infty)).
    verified = verify(ref, ans, timeout_seconds=None, allow_set_relation_comp=True)
    equivalent = bool(verified) or _close_decimals(ref, ans)
    return Verdict(equivalent, ans_text, ref_text)


def grade(answer: str, reference: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Verdict:
    """Whether `answer` (a \\boxed{} content, a boxed text or a bare expression) equals `reference`.

    Never raises for bad input: parse failures and timeouts come back as a Verdict with `error` set.
    """
    try:
        with _deadline(timeout_s):
            return _grade_unbounded(answer, reference)
    except GradeTimeout:
        return Verdict(False, "", "", timeout_message(timeout_s))
    except RecursionError:
        return Verdict(False, "", "", "expression too deeply nested")
    except Exception as e:  # a library bug must not take the worker down
        return Verdict(False, "", "", f"grader error: {type(e).__name__}: {e}")
