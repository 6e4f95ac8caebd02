"""Jira's sprint figures and programme roll-ups as pure pandas: frames in, frames out."""
