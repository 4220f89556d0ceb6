"""Report test data: deterministic reports built from our zone files and snapshots.

``ZoneResolver`` answers from ``tests/data/zones`` files parsed in memory (dnspython's zone
parser, no network), so report tests are fast and fully deterministic; the same zones are served
over the wire by the loopback nameserver for the DNS tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

from mailcheck.app.build import build_report
from mailcheck.app.evidence import RunRequest, with_request
from mailcheck.base.errors import DnsServerError
from mailcheck.base.model import CheckResult, Finding, Report, Status
from mailcheck.checks import Check, CheckContext
from mailcheck.dns.interface import Answer, Outcome, RRType, normalize_name
from mailcheck.dns.snapshot import RecordingResolver
from mailcheck.facts.sender_spf import DomainSpf, IpVerdict, SenderSpfFacts
from mailcheck.protocols.spf.trace import RecordTrace, SpfResult, TermTrace
from mailcheck.rulefiles.profiles import get_profile
from mailcheck.snippets.interface import Risk, SnippetOutput, SnippetsFacts

DATA = Path(__file__).resolve().parents[1] / "data"
ZONES = DATA / "zones"
# README's offline example (examples/regenerate.py records it): the report tests replay it.
ACME_SNAPSHOT = DATA.parents[1] / "examples" / "acme.json"
ACME_FOLDER = "20261122T090000Z"  # the folder name its recorded_at gives
FIXED_TIME = "2026-11-22T03:00:00Z"
MAX_CNAMES = 8

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
)


class ZoneResolver:
    """A ``Resolver`` answering from zone files: NXDOMAIN, NODATA and CNAME chains included."""

    def __init__(self, *names: str) -> None:
        self.zones = [
            dns.zone.from_file(str(ZONES / f"{n}.zone"), origin=f"{n}.", relativize=False)
            for n in names
        ]

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        name = normalize_name(name)
        cnames: list[str] = []
        current = name
        for _ in range(MAX_CNAMES):
            zone = self._zone(current)
            node = zone.get_node(dns.name.from_text(current))
            if node is None:
                return Answer(name, rrtype, Outcome.NXDOMAIN, cnames=tuple(cnames), server="zone")
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is not None and rrtype is not RRType.CNAME:
                current = normalize_name(cname[0].target.to_text())
                cnames.append(current)
                continue
            rdataset = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(rrtype.value))
            if rdataset is None:
                return Answer(name, rrtype, Outcome.NODATA, cnames=tuple(cnames), server="zone")
            records = tuple(sorted(_text(rrtype, rd) for rd in rdataset))
            return Answer(
                name, rrtype, Outcome.ANSWER, records, rdataset.ttl, tuple(cnames), "zone"
            )
        raise DnsServerError(name, rrtype, "CNAME chain too long")

    def _zone(self, name: str) -> dns.zone.Zone:
        for zone in self.zones:
            if dns.name.from_text(name).is_subdomain(zone.origin):
                return zone
        raise DnsServerError(name, RRType.A, "REFUSED")


def _text(rrtype: RRType, rdata: Any) -> str:
    """The ``Answer.records`` text form (see ``mailcheck.dns.interface.Answer``)."""
    match rrtype:
        case RRType.TXT | RRType.SPF:
            return b"".join(rdata.strings).decode("utf-8", "replace")
        case RRType.MX:
            return f"{rdata.preference} {normalize_name(rdata.exchange.to_text())}"
        case RRType.CNAME | RRType.NS | RRType.PTR:
            return normalize_name(rdata.target.to_text())
    return str(rdata.to_text())


class EchoCheck:
    """A test check that puts raw TXT and PTR data into findings and facts, as real ones will."""

    name = "echo"
    title = "Echo: raw DNS data in findings and facts"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        txt = await context.resolver.resolve(context.domain, RRType.TXT)
        ptrs = [
            await context.resolver.resolve(f"{label}.{context.domain}", RRType.PTR)
            for label in ("ptr", "ptr2")
        ]
        findings = tuple(
            Finding("XSS001", Status.WARN, f"TXT says {t}", detail=t, subject=t, evidence=(t,))
            for t in txt.records
        ) + tuple(
            Finding("XSS002", Status.INFO, f"PTR is {r}", subject=r, evidence=(r,))
            for answer in ptrs
            for r in answer.records
        )
        facts = {"txt": list(txt.records), "ptr": [a.records for a in ptrs], txt.records[0]: 1}
        return CheckResult(self.name, self.title, findings, facts)


class FixedCheck:
    """A test check returning a given result: stands in for checks other sessions build."""

    def __init__(self, result: CheckResult) -> None:
        self.name = result.check
        self.title = result.title
        self.result = result

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        return self.result


def snippet_output(filter: str, text: str, **fields: Any) -> SnippetOutput:
    """A ``SnippetOutput`` with only what a test cares about; the rest empty."""
    values: dict[str, Any] = {
        "filename": f"{filter}.txt",
        "product": "",
        "risk": Risk.HIGH,
        "risk_reason": "",
        "allows": (),
        "does_not_allow": (),
        "where": "",
        "prerequisites": (),
        "undo": (),
        "parts": (),
    }
    return SnippetOutput(filter=filter, text=text, **{**values, **fields})


def snippet_result(texts: Sequence[tuple[str, str]]) -> CheckResult:
    """A ``snippets`` result as ``app.snippets_result`` builds it (typed ``SnippetsFacts``)."""
    snippets = tuple(
        snippet_output(
            "microsoft365" if i == 0 else "postfix",
            text,
            product=title,
            filename=f"snippet-{i}.txt",
            risk=Risk.LOW if i == 0 else Risk.HIGH,
            risk_reason="DMARC-authenticated" if i == 0 else "shared sending IPs",
            allows=(f"mail authenticated by DMARC for {title}", "from *@account.trimble.com"),
            does_not_allow=("any other address at trimble.com",),
            where="Exchange admin center → Mail flow → Rules",
            undo=("Remove-TransportRule 'Trimble Identity'",),
        )
        for i, (title, text) in enumerate(texts)
    )
    return CheckResult("snippets", "Snippets", (), SnippetsFacts("microsoft365", snippets))


def build(domain: str, resolver: Any, checks: Sequence[Check]) -> tuple[Report, str]:
    """Run ``checks`` into a report; also return the evidence JSON, as the CLI writes it."""
    profile = get_profile("trimble-identity")
    command = ("mailcheck", "report", domain)
    # A thread of its own: the browser tests' Playwright already runs a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(
            lambda: asyncio.run(build_report(domain, resolver, profile, checks, command))
        ).result(timeout=60)
    request = RunRequest(domain, profile.id, command)
    return report, with_request(resolver.evidence(), request).to_json()


def recording(*zones: str) -> RecordingResolver:
    """A zone resolver whose evidence has fixed times."""
    return RecordingResolver(ZoneResolver(*zones), ("zone files",), clock=lambda: FIXED_TIME)


def spf_trace(domain: str, record: str, include: str, network: str, hit: bool) -> RecordTrace:
    """A ``RecordTrace``: include -> ip4, then ~all."""
    child = RecordTrace(
        include,
        SpfResult.PASS if hit else SpfResult.NEUTRAL,
        f"v=spf1 ip4:{network} ~all",
        (TermTrace(f"ip4:{network}", matched=hit),),
        f"ip4:{network}" if hit else "",
    )
    return RecordTrace(
        domain,
        SpfResult.PASS if hit else SpfResult.SOFTFAIL,
        record,
        (
            TermTrace(f"include:{include}", include, hit, 1, child=child),
            TermTrace("~all", matched=not hit),
        ),
        f"include:{include}" if hit else "~all",
    )


def sender_spf_result(domain: str, include: str, network: str, ips: Sequence[str]) -> CheckResult:
    """A ``sender-spf`` result with ``SenderSpfFacts`` (first IP passes)."""
    record = f"v=spf1 include:{include} ~all"
    verdicts = tuple(
        IpVerdict(
            ip,
            "pass" if i == 0 else "softfail",
            f"{domain}: include:{include} -> {include}: ip4:{network}" if i == 0 else "",
            "" if i == 0 else f"{ip} matched no mechanism; ~all applies",
            spf_trace(domain, record, include, network, i == 0),
        )
        for i, ip in enumerate(ips)
    )
    spf = DomainSpf(domain, "sender", "production", record, ending="~all", verdicts=verdicts)
    facts = SenderSpfFacts("trimble-identity", tuple(ips), ((network, True),), (spf,))
    findings = (
        Finding("TST001", Status.PASS, f"{domain} SPF authorizes {ips[0]}", subject=ips[0]),
        Finding(
            "TST002",
            Status.WARN,
            f"{domain} SPF does not authorize {ips[1]}",
            subject=ips[1],
            evidence=(record,),
        ),
    )
    return CheckResult(
        "sender-spf", "Sender SPF: does the live SPF authorize the listed IPs?", findings, facts
    )


def files(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by relative path, plus empty folders."""
    found = {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }
    found |= {f"{p.relative_to(directory)}/": b"" for p in directory.rglob("*") if p.is_dir()}
    return found


def probe_result(host: str, reply: str) -> CheckResult:
    """A ``probe`` result in the shape of ``ProbeFacts`` with one host and its transcript."""
    transcript = (
        f"S: 220 {host} ESMTP",
        "C: EHLO mailcheck.invalid",
        "S: 250-STARTTLS",
        "C: MAIL FROM:<no-reply@account.trimble.com>",
        "S: 250 2.1.0 Ok",
        "C: RCPT TO:<postmaster@html.example>",
        f"S: {reply}",
        "C: RSET",
        "C: QUIT",
    )
    probed = {
        "host": host,
        "address": "198.51.100.25",
        "verdict": "accepted",
        "stage": "rcpt",
        "reply": reply,
        "enhanced": "2.1.5",
        "tls_offered": True,
        "tls_established": True,
        "tls_verified": False,
        "tls_verify_error": "self-signed",
        "tls_error": "",
        "certificate": {},
        "tlsa": [],
        "dane": "unchecked",
        "transcript": list(transcript),
    }
    facts = {
        "domain": "html.example",
        "sender": "no-reply@account.trimble.com",
        "recipient": "postmaster@html.example",
        "port": 25,
        "mx_state": "mx",
        "mx_hosts": 1,
        "hosts": [probed],
        "error": "",
    }
    finding = Finding("TST004", Status.PASS, f"{host} accepts the sender for the recipient")
    return CheckResult("probe", "SMTP probe: would the MX accept the sender?", (finding,), facts)
