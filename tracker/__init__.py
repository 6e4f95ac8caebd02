"""tracker: programme governance for councils that share services."""
