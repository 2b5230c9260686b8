"""Answer-equivalence worker for rStar, built on math-verify."""
