"""The least-privilege replacement for an audited allowlist: mailcheck's own snippet lines."""

from __future__ import annotations

from mailcheck.audit.result import AuditResult
from mailcheck.base.errors import SnippetError
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.snippets import FilterKind, SnippetOptions, render_snippets


def replacement(result: AuditResult, profile: SenderProfile) -> str:
    """The snippet for each audited format: authenticated sender entries, plus documented
    single IPs only when the old list already allowed documented IPs."""
    kinds = tuple(dict.fromkeys(FilterKind(k) for _, k in result.files))
    with_ips = any(
        f.code == "AUD001" and "/" in f.subject and "@" not in f.subject for f in result.findings
    )
    try:
        outputs = render_snippets(profile, SnippetOptions(include_ip_allowlist=with_ips), kinds)
    except SnippetError as exc:
        return f"(no replacement can be built: {exc})\n"
    return "\n".join(o.text for o in outputs)
