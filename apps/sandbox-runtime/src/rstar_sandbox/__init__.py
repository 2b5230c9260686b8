"""Isolated Python runtime for rStar: a warm fork server running step programs in bubblewrap.

Entry points: `rstar_sandbox.launcher` (starts the server in its sandbox; documents the isolation) and
`rstar_sandbox.server` (the fork server itself).
"""
