"""Facts of the ``tls`` check: MTA-STS record and policy, TLS-RPT, DANE TLSA per MX host."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class TxtLookup:
    """A TXT lookup: "answer", "nxdomain", "nodata" or "error"."""

    name: str
    state: str
    texts: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class StsFacts:
    """The MTA-STS record, and the policy when it was fetched."""

    record: TxtLookup
    sts_id: str = ""
    record_problems: tuple[str, ...] = ()
    url: str = ""
    fetch_error: str = ""
    # FetchResult.error_kind, or "redirect", "status", "content-type", "dns", "dns-error",
    # "offline" (snapshot replay)
    fetch_kind: str = ""
    http_status: int = 0
    body: str = ""
    mode: str = ""
    max_age: int = 0
    mx_patterns: tuple[str, ...] = ()
    policy_problems: tuple[str, ...] = ()
    uncovered_mx: tuple[str, ...] = ()  # MX hosts no pattern matches

    @property
    def fetched(self) -> bool:
        """A policy body was retrieved and parsed."""
        return bool(self.url) and not self.fetch_kind


@dataclass(frozen=True)
class TlsaLookup:
    """TLSA records at ``_25._tcp.<mx host>``."""

    host: str
    state: str  # like TxtLookup.state
    records: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class TlsFacts(Facts):
    """Everything the TLS posture findings are decided from."""

    domain: str
    mx_hosts: tuple[str, ...]
    sts: StsFacts
    tlsrpt: TxtLookup
    tlsrpt_rua: tuple[str, ...] = ()
    tlsrpt_problems: tuple[str, ...] = ()
    tlsa: tuple[TlsaLookup, ...] = ()
