"""Makes the `jira_server` fixture available here until the root conftest registers the plugin."""

from tests.jira_server.fixtures import jira_server  # noqa: F401
