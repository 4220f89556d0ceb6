"""rspamd 3.x: a multimap rule on the From address that requires a DMARC pass.

multimap module: ``type = "header"; header = "From"; filter = "email:addr"`` with an embedded
map (an array of strings) and ``require_symbols = "DMARC_POLICY_ALLOW"``, so the negative score
only applies when DMARC passed for the From domain. IP entries (opt-in) are a small hint
(``type = "ip"``), never ``prefilter``/``action = "accept"``. Validate with
``rspamadm configtest -s`` (strict: non-strict passes rejected rules).
"""

from __future__ import annotations

from mailcheck.snippets.base import FilterSnippet, SnippetContext, require_plain_address, worst
from mailcheck.snippets.interface import Body, Risk, SnippetPart

FROM_SCORE = -6.0
IP_SCORE = -0.5


def ucl_string(value: str) -> str:
    """A double-quoted UCL string: quote, backslash and ``$`` (variable expansion) escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def symbol(context: SnippetContext, suffix: str) -> str:
    """The rspamd symbol name for this profile."""
    return f"MAILCHECK_{context.slug().upper().replace('-', '_')}_{suffix}"


def _description(context: SnippetContext, what: str) -> str:
    return ucl_string(f"mailcheck {context.slug()}: {what}")


class RspamdSnippet(FilterSnippet):
    """rspamd local.d/multimap.conf."""

    kind = "rspamd"
    product = "rspamd 3.4+ multimap (local.d/multimap.conf)"
    extension = "conf"

    def build(self, context: SnippetContext) -> Body:
        """See ``FilterSnippet.build``."""
        plain = [require_plain_address(a, self.product) for a in context.addresses]
        rules = (
            f"{symbol(context, 'FROM')} {{\n"
            '  type = "header";\n  header = "From";\n  filter = "email:addr";\n'
            f"  map = [{', '.join(ucl_string(a) for a in plain)}];\n"
            '  require_symbols = "DMARC_POLICY_ALLOW";\n'
            f"  score = {FROM_SCORE};\n"
            f"  description = {_description(context, 'From with DMARC pass')};\n"
            "}\n"
        )
        risk, reason = Risk.LOW, "exact From addresses, only with a DMARC pass for their domain"
        allows = [f"Mail with From: {', '.join(plain)} that passes DMARC gets {FROM_SCORE}"]
        if context.hosts:
            ip_risk, ip_reason = context.ip_risk()
            risk, reason = worst(risk, ip_risk), f"{reason}; {ip_reason}"
            hosts = ", ".join(ucl_string(str(h)) for h in context.hosts)
            rules += (
                f'{symbol(context, "IP")} {{\n  type = "ip";\n  map = [{hosts}];\n'
                f"  score = {IP_SCORE};\n"
                f"  description = {_description(context, 'listed IP')};\n"
                "}\n"
            )
            allows.append(f"Mail from the listed IPs gets {IP_SCORE} (a hint, skips nothing)")
        return Body(
            risk=risk,
            risk_reason=reason,
            allows=tuple(allows),
            does_not_allow=(
                "other addresses or domains; mail failing DMARC",
                "skipping any check (no prefilter, no action = accept)",
            ),
            where="/etc/rspamd/local.d/multimap.conf (append), then rspamadm configtest -s",
            prerequisites=("the dmarc, dkim and spf modules enabled (the default)",),
            undo=("delete the rules above from local.d/multimap.conf and reload rspamd",),
            parts=(SnippetPart("local.d/multimap.conf", rules),),
        )
