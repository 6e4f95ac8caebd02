"""Use cases: each function takes a session and the acting user, checks policy, and returns plain
data (DataFrames, dataclasses, dicts) that the app, the CLI and tests share."""

# Registers the commit hook that re-checks supplier assurance gates (see its docstring).
from tracker.services.notify import gate_hook  # noqa: F401
