"""DMARC per RFC 9989 (DMARCbis): records, the DNS Tree Walk, policy discovery, alignment."""

from __future__ import annotations

from mailcheck.protocols.dmarc.policy import (
    Discovery,
    MessageVerdict,
    PolicyResult,
    discover_policy,
    evaluate_message,
    is_aligned,
    org_domains_of,
    walk_all,
)
from mailcheck.protocols.dmarc.predict import Prediction, Route, predict
from mailcheck.protocols.dmarc.record import (
    Alignment,
    DmarcRecord,
    InvalidRecord,
    Policy,
    PsdFlag,
    TagNote,
    parse_record,
)
from mailcheck.protocols.dmarc.uri import ReportUri
from mailcheck.protocols.dmarc.walk import (
    MAX_QUERIES,
    StepState,
    TreeWalk,
    WalkStep,
    organizational_domain,
    select_record,
    tree_walk,
    walk_targets,
)

__all__ = [
    "MAX_QUERIES",
    "Alignment",
    "Discovery",
    "DmarcRecord",
    "InvalidRecord",
    "MessageVerdict",
    "Policy",
    "PolicyResult",
    "Prediction",
    "PsdFlag",
    "ReportUri",
    "Route",
    "StepState",
    "TagNote",
    "TreeWalk",
    "WalkStep",
    "discover_policy",
    "evaluate_message",
    "is_aligned",
    "org_domains_of",
    "organizational_domain",
    "parse_record",
    "predict",
    "select_record",
    "tree_walk",
    "walk_all",
    "walk_targets",
]
