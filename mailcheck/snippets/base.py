"""Shared behaviour of every filter snippet: what may be allowed, refusals, and the header.

Every value that reaches a snippet comes from a validated profile. This module adds the
snippet-wide rules on top: only production addresses, never an ESP's domain as a trusted
sender, IP entries only when asked for and only documented single addresses, and one header
that says what the file does.
"""

from __future__ import annotations

import ipaddress
import re
from abc import abstractmethod
from dataclasses import dataclass, replace
from pathlib import PurePath

from mailcheck.base.errors import SnippetError
from mailcheck.rulefiles.profiles import Environment, SenderProfile
from mailcheck.rulefiles.values import reserialised, unsafe_reason
from mailcheck.snippets.interface import (
    Body,
    Risk,
    Snippet,
    SnippetFacts,
    SnippetOptions,
    SnippetOutput,
    SnippetPart,
)

# Domains of shared sending services: trusting them trusts every customer of the service.
ESP_DOMAINS = (
    "amazonses.com",
    "mailgun.org",
    "mailgun.net",
    "sendgrid.net",
    "mandrillapp.com",
    "mcsv.net",
    "sparkpostmail.com",
    "mailjet.com",
    "mtasv.net",
    "sendinblue.com",
    "brevo.com",
    "postmarkapp.com",
    "outlook.com",
    "protection.outlook.com",
    "google.com",
    "gmail.com",
    "googlemail.com",
)
# Letters, digits and the punctuation real sender addresses use. Anything else (quotes, $, `,
# {, }, |, *, ?, ...) is legal in RFC 5322 but carries meaning in some filter syntax.
_PLAIN_LOCAL = re.compile(r"^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$")
_PLAIN_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_esp_domain(domain: str) -> bool:
    """True when ``domain`` is (under) a shared sending service's domain."""
    return any(domain == esp or domain.endswith("." + esp) for esp in ESP_DOMAINS)


def require_plain_address(address: str, product: str) -> str:
    """Refuse an address whose characters mean something in ``product``'s syntax."""
    local, _, domain = address.rpartition("@")
    if not _PLAIN_LOCAL.match(local) or not _PLAIN_DOMAIN.match(domain):
        raise SnippetError(
            f"{product}: refusing address {ascii(address)}: only letters, digits and . _ + - "
            "are emitted into this syntax (anything else could change the rule's meaning)"
        )
    return address


def require_plain_domain(domain: str, product: str) -> str:
    """Refuse a domain that is not plain LDH text (IDNA A-labels pass)."""
    if not _PLAIN_DOMAIN.match(domain) or ".." in domain:
        raise SnippetError(f"{product}: refusing domain {ascii(domain)}")
    return domain


def comment_text(text: str) -> str:
    """Free text made safe for any line comment: printable ASCII only, one line."""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)


@dataclass(frozen=True)
class SnippetContext:
    """A profile reduced to what snippets may name, with the refusals already applied."""

    profile: SenderProfile
    options: SnippetOptions
    facts: SnippetFacts
    addresses: tuple[str, ...]  # exact production addresses, sorted
    domains: tuple[str, ...]  # their domains (From: domains), sorted
    hosts: tuple[Address, ...]  # documented single IPs, only with --include-ip-allowlist

    @classmethod
    def create(
        cls, profile: SenderProfile, options: SnippetOptions, facts: SnippetFacts, product: str
    ) -> SnippetContext:
        """Apply the snippet-wide rules; raise ``SnippetError`` when nothing safe remains."""
        production = [s for s in profile.senders if s.environment == Environment.PRODUCTION]
        addresses = sorted({s.address for s in production if not s.is_wildcard})
        if not addresses:
            raise SnippetError(
                f"{product}: profile {profile.id!r} names no exact production address; "
                "a domain-only allowlist is refused"
            )
        domains = sorted({a.rpartition("@")[2] for a in addresses})
        for domain in (*domains, *profile.dkim_domains):
            if is_esp_domain(domain):
                raise SnippetError(
                    f"{product}: refusing {domain}: it is a shared sending service's domain, "
                    "so trusting it would trust every customer of that service"
                )
        hosts: tuple[Address, ...] = ()
        if options.include_ip_allowlist:
            # Rebuilt from integers: no text of the profile file (an IPv6 scope id) survives.
            # A network loaded with --allow-unsafe-networks is for labs: never pasted anywhere.
            found = {
                reserialised(n.network).network_address
                for n in profile.documented_hosts
                if unsafe_reason(n.network) is None
            }
            hosts = tuple(sorted(found, key=lambda a: (a.version, int(a))))
        return cls(profile, options, facts, tuple(addresses), tuple(domains), hosts)

    @property
    def ipv4_hosts(self) -> tuple[ipaddress.IPv4Address, ...]:
        """The IPv4 subset of ``hosts``."""
        return tuple(h for h in self.hosts if isinstance(h, ipaddress.IPv4Address))

    def ip_risk(self) -> tuple[Risk, str]:
        """Risk of allowlisting ``hosts``: HIGH unless the checks found them all dedicated."""
        shared = self.facts.shared_ips
        if shared is None:
            return Risk.HIGH, (
                "IP entries: nobody checked whether these IPs are shared sending "
                "infrastructure, so they are treated as shared (run `mailcheck report`)"
            )
        hits = sorted({shared[str(h)] for h in self.hosts if str(h) in shared})
        if hits:
            return Risk.HIGH, (
                f"IP entries: the IPs are shared sending infrastructure ({', '.join(hits)}); "
                "any other customer of that service sending from them is allowlisted too"
            )
        return Risk.MEDIUM, (
            "IP entries: the checks found no shared use, but IPs get reassigned: "
            "review before the review date"
        )

    def review_line(self) -> str:
        """The review/expiry sentence (no clock: only the date the user gave)."""
        if self.options.review_date is None:
            return "Review by: no review date given (set one with --review-date YYYY-MM-DD)"
        return f"Review by: {self.options.review_date.isoformat()} (remove or re-approve then)"

    def slug(self) -> str:
        """A name fragment from the profile id (already [a-z0-9-])."""
        return self.profile.id


def worst(*risks: Risk) -> Risk:
    """The highest of several risks."""
    order = (Risk.LOW, Risk.MEDIUM, Risk.HIGH)
    return max(risks, key=order.index)


def add_ip_entries(
    body: Body, context: SnippetContext, part: SnippetPart, allows: str, undo: str = ""
) -> Body:
    """The authenticated ``body`` plus the opt-in IP part, with the risk raised to match."""
    ip_risk, ip_reason = context.ip_risk()
    return replace(
        body,
        risk=worst(body.risk, ip_risk),
        risk_reason=f"{body.risk_reason}; {ip_reason}",
        allows=(*body.allows, allows),
        parts=(*body.parts, part),
        undo=(*body.undo, undo) if undo else body.undo,
    )


def host_cidr(host: Address) -> str:
    """A single address in CIDR form: /32 or /128, never wider."""
    return f"{host}/{host.max_prefixlen}"


class FilterSnippet(Snippet):
    """A snippet built from a ``SnippetContext``; subclasses implement ``build`` only."""

    extension: str = "txt"
    comment: str = "#"  # line-comment prefix of the target syntax

    @abstractmethod
    def build(self, context: SnippetContext) -> Body:
        """Decide the snippet for one context; raise ``SnippetError`` to refuse."""

    def render(
        self, profile: SenderProfile, options: SnippetOptions, facts: SnippetFacts
    ) -> SnippetOutput:
        """See ``Snippet.render``."""
        context = SnippetContext.create(profile, options, facts, self.product)
        body = self.build(context)
        text = self.header(context, body) + "".join(
            _part_text(self, p.target, p.text) for p in body.parts
        )
        return SnippetOutput(
            filter=self.kind,
            filename=f"{self.kind}.{self.extension}",
            product=self.product,
            risk=body.risk,
            risk_reason=body.risk_reason,
            allows=body.allows,
            does_not_allow=body.does_not_allow,
            where=body.where,
            prerequisites=body.prerequisites,
            undo=body.undo,
            parts=body.parts,
            text=text,
            then=body.then,
            nothing_to_paste=body.nothing_to_paste,
        )

    def header(self, context: SnippetContext, body: Body) -> str:
        """The reviewer's header: every line a comment in the target syntax."""
        profile = context.profile
        lines = [
            f"mailcheck allowlist snippet: {self.product}",
            f"Profile: {profile.id} ({profile.name}), file {PurePath(profile.source).name}, "
            f"sha256 {profile.sha256}",
            f"Risk: {body.risk.value.upper()} - {body.risk_reason}",
            "Allows:",
            *(f"  - {item}" for item in body.allows),
            "Does not allow:",
            *(f"  - {item}" for item in body.does_not_allow),
            f"Where to paste: {body.where}",
            "Prerequisites:",
            *(f"  - {item}" for item in body.prerequisites),
            "Undo:",
            *(f"  - {item}" for item in body.undo),
            *body.notes,
            *documented_by(context),
            context.review_line(),
        ]
        prefix = self.comment
        return "".join(f"{prefix} {comment_text(line)}".rstrip() + "\n" for line in lines)


def documented_by(context: SnippetContext) -> list[str]:
    """Per entry the snippet names, the page(s) that document it and that page's own date."""
    profile = context.profile
    named = set(context.addresses)
    entries = [s for s in profile.senders if s.address in named]
    hosts = {str(h) for h in context.hosts}
    networks = [n for n in profile.documented_hosts if str(n.network.network_address) in hosts]
    lines = ["Documented by (each page and its own date, as the page states it):"]
    for label, cited in [(s.address, profile.sources_of(s)) for s in entries] + [
        (str(n.network.network_address), profile.sources_of(n)) for n in networks
    ]:
        lines += [f"  - {label}: [{p.id}] {p.describe()}" for p in cited]
    return lines


def _part_text(snippet: FilterSnippet, target: str, text: str) -> str:
    return f"\n{snippet.comment} ---- {comment_text(target)} ----\n{text}"
