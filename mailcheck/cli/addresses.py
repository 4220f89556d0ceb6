"""Host, port and mailbox arguments of ``sink`` and ``send-test``, checked as the flags they are."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from mailcheck.base.errors import UsageError


def parse_listen(text: str) -> tuple[str, int]:
    """``--listen``: ``HOST:PORT``, ``[v6]:PORT`` or ``HOST`` (port 2525; 0 picks a free one)."""
    return parse_host_port("--listen", text, 2525, lowest_port=0)


def parse_server(text: str) -> tuple[str, int]:
    """``--server``: ``HOST:PORT``, ``[v6]:PORT``, ``HOST`` or a bare IPv6 address (port 25)."""
    return parse_host_port("--server", text, 25, lowest_port=1)


def parse_host_port(option: str, text: str, default: int, lowest_port: int) -> tuple[str, int]:
    """A host and port; an IPv6 address takes brackets when a port follows it."""
    host, port = text, str(default)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host:
        raise UsageError(f"{option}: no host in {text!r}")
    if not port.isdigit() or not lowest_port <= int(port) <= 65535:
        raise UsageError(f"{option}: bad port in {text!r}")
    return host, int(port)


def envelope_address(option: str, text: str) -> str:
    """A mailbox for MAIL FROM / RCPT TO and the headers, or ``UsageError`` saying why not.

    Checked here because a mangled address would otherwise go on the wire: smtplib sends
    ``bad address`` as ``<bad>``. Lab names under ``.test`` and address literals are fine.
    """
    bare = text.strip()
    if bare.startswith("<") and bare.endswith(">"):
        bare = bare[1:-1]
    try:
        valid = validate_email(
            bare,
            check_deliverability=False,
            allow_domain_literal=True,
            allow_quoted_local=True,
            globally_deliverable=False,
            test_environment=True,
        )
    except EmailNotValidError as exc:
        raise UsageError(f"{option} {text!r}: {exc}") from exc
    return valid.normalized
