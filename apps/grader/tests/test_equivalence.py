"""Answer pairs as GSM8K / MATH write references and as models write answers."""

from __future__ import annotations

import threading

import pytest

from rstar_grader.equivalence import Verdict, grade, last_boxed, normalize, timeout_message

# (answer, reference): must grade as equivalent.
EQUIVALENT = [
    # integers vs decimals
    ("18", "18.0"),
    ("18.0", "18"),
    ("-2", "-2.00"),
    # fractions vs decimals, \dfrac / \tfrac
    (r"\frac{1}{2}", "0.5"),
    ("0.5", r"\frac{1}{2}"),
    ("7/2", "3.5"),
    (r"\dfrac{1}{2}", r"\frac12"),
    (r"\tfrac{3}{4}", "0.75"),
    # METHOD.md §7 relative tolerance 1e-4 when a side is a decimal
    ("0.3333", r"\frac{1}{3}"),
    ("1.4142", r"\sqrt{2}"),
    # percentages
    (r"50\%", "0.5"),
    (r"50\%", "50"),
    ("0.5", r"50\%"),
    ("50", r"50\%"),
    ("50%", "0.5"),
    ("50 percent", "0.5"),
    # intervals
    ("(1,2]", "(1, 2]"),
    ("x > 3", r"(3, \infty)"),
    (r"(3, \infty)", "x>3"),
    (r"\left( 1, 2 \right]", "(1,2]"),
    (r"(-\infty, 3]", r"(-\infty,3]"),
    (r"x \in (1, 2]", "(1,2]"),
    # sets and lists of solutions
    (r"\{2,1\}", r"\{1,2\}"),
    (r"\left\{1,2\right\}", r"\{1,2\}"),
    ("2, -2", r"\pm 2"),
    ("-2, 2", r"\{2,-2\}"),
    # tuples / coordinates
    ("(3,-1)", "(3, -1)"),
    ("(1,2)", "(1, 2)"),
    # equations vs values
    ("x=3", "3"),
    ("3", "x=3"),
    ("x = 3", "x=3"),
    ("5 t", "5t"),
    (r"2 \pi t", r"2\pi t"),
    ("3+2i", "2i+3"),
    # units and words
    (r"18 \text{ dollars}", "18"),
    (r"18\text{ cm}^2", "18"),
    (r"\$18", "18"),
    ("$18", "18"),
    ("18 dollars", "18"),
    (r"\text{18 dollars}", "18"),
    ("5 apples", "5"),
    (r"3\sqrt{2} meters", r"3\sqrt2"),
    (r"\$18.90", "18.9"),
    (r"90^\circ", "90"),
    ("Evelyn", r"\text{Evelyn}"),
    (r"\text{(C)}", "C"),
    # \boxed wrappers, whole model sentences
    (r"\boxed{18}", "18"),
    (r"The answer is $\boxed{18}$.", "18"),
    (r"\boxed{\frac{1}{2}}", r"\boxed{0.5}"),
    # thousands separators
    ("1,080", "1080"),
    ("1080", "1,080"),
    (r"1,\!080", "1080"),
    ("1,000,000", "1000000"),
    (r"14{,}000", "14000"),
    (r"1\,000", "1000"),
    ("1 000 000", "1000000"),
    # mixed numbers and repeating decimals
    (r"2\frac{1}{2}", "5/2"),
    ("2 1/2", "5/2"),
    (r"0.\overline{3}", r"\frac13"),
    (r"1.2\overline{34}", r"\frac{611}{495}"),
    # bare expressions from model output (Python-ish)
    ("sqrt(2)/2", r"\frac{\sqrt{2}}{2}"),
    ("1/sqrt(2)", r"\frac{\sqrt{2}}{2}"),
    ("pi/2", r"\frac{\pi}{2}"),
    ("2*pi", r"2\pi"),
    ("2**10", "1024"),
    ("x**2 + 2*x + 1", "(x+1)^2"),
    ("1.5e3", "1500"),
    ("oo", r"\infty"),
    ("2e-05", "0.00002"),
    (r"$\frac{\sqrt{3}}{3}$", r"\frac{1}{\sqrt{3}}"),
]

# (answer, reference): must NOT grade as equivalent.
NOT_EQUIVALENT = [
    ("19", "18"),
    ("18.5", "18"),
    ("10000", "10001"),
    ("10000.5", "10000"),  # no tolerance around integers
    ("18.001", "18"),
    ("1.414", r"\sqrt{2}"),
    (r"\frac{1}{3}", "0.33"),
    ("0.55", r"\frac{1}{2}"),
    ("5", r"50\%"),
    ("0.5", "50"),  # a percentage only where the % is written
    ("(1,2)", "(1,2]"),
    ("[1,2]", "(1,2]"),
    (r"\{1,3\}", r"\{1,2\}"),
    ("2", r"\pm 2"),
    ("(2, 1)", "(1, 2)"),
    ("(-1,3)", "(3, -1)"),
    ("x=4", "3"),
    ("y=3", "x=3"),
    ("19 dollars", "18"),
    (r"\$17", "18"),
    (r"\boxed{17}", "18"),
    ("1,008", "1080"),
    ("1 000", "0"),
    ("2 1/2", "3/2"),
    (r"0.\overline{3}", "0.3"),
    ("sqrt(3)/2", r"\frac{\sqrt{2}}{2}"),
    ("pi", r"\frac{\pi}{2}"),
    (r"\text{(B)}", "C"),
    # one-letter variables are not units
    ("5t", "5"),
    ("5", "5t"),
    ("x+2s", "x+2"),
    (r"2\pi t", r"2\pi"),
    ("2 m", "2"),
]


@pytest.mark.parametrize(("answer", "reference"), EQUIVALENT)
def test_equivalent(answer: str, reference: str) -> None:
    verdict = grade(answer, reference)
    assert verdict.error is None
    assert verdict.equivalent, verdict


@pytest.mark.parametrize(("answer", "reference"), NOT_EQUIVALENT)
def test_not_equivalent(answer: str, reference: str) -> None:
    verdict = grade(answer, reference)
    assert verdict.error is None
    assert not verdict.equivalent, verdict


def test_reports_what_it_understood() -> None:
    verdict = grade(r"\boxed{\dfrac{1}{2}}", "0.5")
    assert verdict == Verdict(True, "1/2", "1/2")
    assert grade("(1,2]", "(1, 2]").answer_parsed == "Interval.Lopen(1, 2)"


@pytest.mark.parametrize(
    ("answer", "reference", "error"),
    [
        ("", "18", "empty answer"),
        ("   ", "18", "empty answer"),
        ("18", "", "could not parse reference"),
        (r"\boxed{}", "18", "could not parse answer"),
    ],
)
def test_ungradeable_pairs_carry_an_error(answer: str, reference: str, error: str) -> None:
    verdict = grade(answer, reference)
    assert not verdict.equivalent
    assert verdict.error == error


@pytest.mark.parametrize(
    "garbage", ["}{", r"\frac{", "\\", "((((", "\x00\x01", "🙂", "$$", r"\boxed{", "a" * 5000]
)
def test_garbage_never_raises(garbage: str) -> None:
    verdict = grade(garbage, "18")
    assert not verdict.equivalent


def test_times_out_on_a_tower_of_powers() -> None:
    verdict = grade(r"9^{9^{9^{9}}}", "1", timeout_s=0.5)
    assert verdict == Verdict(False, "", "", "grading timed out after 0.5s")
    # The timer is gone afterwards: the next grade is unaffected.
    assert grade("1", "1").equivalent


def test_timeout_message() -> None:
    assert timeout_message(5.0) == "grading timed out after 5s"
    assert timeout_message(0.25) == "grading timed out after 0.25s"


def test_grades_off_the_main_thread_without_a_timer() -> None:
    results: list[Verdict] = []
    thread = threading.Thread(target=lambda: results.append(grade("0.5", r"\frac12")))
    thread.start()
    thread.join()
    assert results == [Verdict(True, "1/2", "1/2")]


def test_last_boxed_matches_braces() -> None:
    assert last_boxed(r"a \boxed{1} b \boxed{\frac{1}{2}} c") == r"\frac{1}{2}"
    assert last_boxed(r"\fbox{7}") == "7"
    assert last_boxed(r"\boxed{\frac{1}{2}") == r"\frac{1}{2}"
    assert last_boxed(r"\boxed{\{1,2\}}") == r"\{1,2\}"
    assert last_boxed(r"\boxed{\}}") == r"\}"
    assert last_boxed(r"so \boxed 5$.") == "5"
    assert last_boxed("no box") is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (r"$\frac12$", r"\frac12"),
        (r"\(x\)", "x"),
        ("18 dollars", "18"),
        ("18 dollars per week.", "18"),
        (r"5\sqrt{2} meters", r"5\sqrt{2}"),
        ("3 ab", "3 ab"),  # short words may be variables
        ("2**3", "2^3"),
        ("sqrt(2)*pi", r"sqrt(2)*\pi"),
        (r"\pi", r"\pi"),
        ("1.5e3", r"1.5\times 10^{3}"),
        ("x1e3", "x1e3"),
        ("50 percent", "50 percent"),
        (r"1\,000\,000", "1000000"),
        ("12 345.5", "12345.5"),
        ("2 x", "2 x"),
        ("3 1/4", r"3\frac{1}{4}"),
        (r"-0.\overline{6}", r"-\frac{2}{3}"),
        (r"0.1\overline{6}", r"\frac{1}{6}"),
        (r"\text{18 dollars}", "18"),
        (r"\text{Evelyn}", r"\text{Evelyn}"),
        ("oo", r"\infty"),
        ("boo", "boo"),
        ("5t", "5*t"),
        (r"2\pi t", r"2\pi*t"),
        ("x = t", "x =t"),
        (r"\frac{1}{2}t", r"\frac{1}{2}*t"),
        ("C", "C"),
        (r"\infty", r"\infty"),
        (r"\text{(C)}", r"\text{(C)}"),
        ("18", "18"),
    ],
)
def test_normalize(raw: str, normalized: str) -> None:
    assert normalize(raw) == normalized
