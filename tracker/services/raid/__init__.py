"""The RAID log, the decision log and dependencies between councils and suppliers."""
