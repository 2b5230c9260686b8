"""Isolated Python runtime for rStar: a warm fork server running step programs under bubblewrap and rlimits."""
