"""Answer-equivalence worker for rStar, built on math-verify."""

from rstar_grader.equivalence import DEFAULT_TIMEOUT_S, Verdict, grade, normalize

__all__ = ["DEFAULT_TIMEOUT_S", "Verdict", "grade", "normalize"]
