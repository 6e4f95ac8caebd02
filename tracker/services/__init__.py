"""Use cases: each function takes a session and the acting user, checks policy, and returns plain
data (DataFrames, dataclasses, dicts) that the app, the CLI and tests share."""
