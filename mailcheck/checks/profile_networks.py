"""The profile's own networks: documentation ranges (labs and tests) and networks the user
loaded with ``--allow-unsafe-networks``, said in the report so nobody mistakes them for real.

No DNS: the facts are the profile's parsed networks, classified by ``profile_values``.
"""

from __future__ import annotations

from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.checks.interface import CheckContext
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.rulefiles.values import is_documentation, unsafe_reason


class ProfileNetworksCheck:
    """See ``Check``."""

    name = "profile-networks"
    title = "Profile networks: documentation ranges and unsafe networks loaded on request"

    async def run(self, context: CheckContext) -> CheckResult:
        """See ``Check.run``."""
        findings = evaluate(context.profile) if context.profile is not None else ()
        return CheckResult(self.name, self.title, findings)


def evaluate(profile: SenderProfile) -> tuple[Finding, ...]:
    """One NET001 (INFO) per documentation range, one NET002 (WARN) per unsafe network."""
    findings: list[Finding] = []
    for source in profile.networks:
        network = source.network
        reason = unsafe_reason(network)
        if reason is not None:
            findings.append(
                Finding(
                    "NET002",
                    Status.WARN,
                    f"Profile network {network} loaded only because of --allow-unsafe-networks",
                    detail=f"{profile.source}: {reason}. Mail from it proves nothing about "
                    "the sender; remove it unless this is a lab.",
                    subject=str(network),
                )
            )
        elif is_documentation(network):
            findings.append(
                Finding(
                    "NET001",
                    Status.INFO,
                    f"Profile network {network} is a documentation range",
                    detail=f"{profile.source}: reserved for examples (RFC 5737, RFC 3849, "
                    "RFC 9637); no real sender uses it, so this profile suits labs and tests.",
                    subject=str(network),
                )
            )
    return tuple(findings)
