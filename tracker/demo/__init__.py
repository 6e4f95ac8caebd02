"""The demo programme: its councils, deliverables and the Jira sites they are measured against."""
