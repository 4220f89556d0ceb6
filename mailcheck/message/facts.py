"""Everything gathered about one message, before any judgement (see ``findings``)."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts
from mailcheck.message.arc import ArcChain
from mailcheck.message.auth import DmarcOutcome, SpfOutcome
from mailcheck.message.chain import Chain
from mailcheck.message.org import OrgContext
from mailcheck.message.trust import AuthResField
from mailcheck.message.verdicts import Verdict
from mailcheck.protocols.dkim import ArcVerification, DkimResult


@dataclass(frozen=True)
class Identity:
    """The sender identities the message states."""

    from_address: str | None = None
    from_domain: str | None = None
    return_path: str | None = None
    mail_from_domain: str | None = None
    subject: str | None = None
    message_id: str | None = None
    from_count: int = 0
    from_problem: str = ""  # why the From field names no Author Domain (DMARC cannot apply)
    from_written: str = ""  # the From address with its letter case as written


@dataclass(frozen=True)
class MessageFacts(Facts):
    """One message's analysis inputs for ``findings.evaluate``, and the message check's facts
    in the report (``report/json.py`` writes them; ``check_message.html`` reads them)."""

    label: str
    size: int
    identity: Identity
    chain: Chain
    authres: tuple[AuthResField, ...]
    receiver_results: dict[str, str]
    arc: ArcChain
    dkim: tuple[DkimResult, ...]
    spf: SpfOutcome
    dmarc: DmarcOutcome | None
    verdicts: tuple[Verdict, ...]
    org: OrgContext
    defects: tuple[str, ...] = ()
    has_body: bool = True
    errors: tuple[str, ...] = ()  # lookups that could not complete
    arc_validation: ArcVerification | None = None  # None: headers only, nothing to verify
