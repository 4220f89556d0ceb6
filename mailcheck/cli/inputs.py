"""The library names the value that is wrong (``InputError.field``); the CLI names its flag."""

from __future__ import annotations

from mailcheck.base.errors import InputError

# field -> the message the user reads, ``{detail}`` being the library's reason; a field not
# listed here (a file, a message source) is named in the detail itself.
FLAG_MESSAGES: dict[str, str] = {
    "profile": "choose a profile with --profile ID (known: {detail})",
    "probe_rcpt": "--probe-rcpt {detail}",
    "probe_port": "--probe-port {detail}",
    "probe_max_mx": "--probe-max-mx {detail}",
    "nameserver": "--nameserver {detail}",
    "system_resolver": "{detail}: pass --nameserver IP",
    "listen": "--listen: {detail}",
    "allow_non_loopback": "{detail}: pass --allow-non-loopback to expose the sink to the network",
    "limit": "--limit {detail}",
    "org_network": "--org-network: {detail}",
    "org_domain": "--org-domain: {detail}",
    "domains_file": "--domains-file {detail}",
    "filter": "{detail}: name it with --filter",
    "sender": "{detail}: use --from",
}


def input_message(exc: InputError) -> str:
    """What the user reads for ``exc``: the flag to fix and why."""
    template = FLAG_MESSAGES.get(exc.field)
    return template.format(detail=exc.detail) if template is not None else exc.detail
