"""An acceptance criterion's states and the moves between them: names with no table, so that
tracker.policy can name them without building the acceptance tables (tracker.models)."""

from enum import StrEnum


class CriterionStatus(StrEnum):
    draft = "draft"
    sent = "sent to supplier"
    queried = "queried"
    confirmed = "confirmed"
    evidence_submitted = "evidence submitted"
    accepted = "accepted"
    rejected = "rejected"


class CriterionMove(StrEnum):
    """What someone does to a criterion; the ledger's `action` holds these values."""

    create = "create"
    edit = "edit"
    send = "send to supplier"
    confirm = "confirm"
    query = "query"
    submit_evidence = "submit evidence"
    accept = "accept"
    reject = "reject"
