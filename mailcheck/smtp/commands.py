"""What the ``sink`` and ``send-test`` commands do, for the CLI (which only parses and prints)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email

from mailcheck.dns.live import Nameserver, ResolverConfig
from mailcheck.errors import UsageError
from mailcheck.profiles import SenderProfile
from mailcheck.smtp import index
from mailcheck.smtp.server import RunningSink, start_sink
from mailcheck.smtp.sink import SinkConfig
from mailcheck.smtp.store import Maildir, Stored, read_stored
from mailcheck.smtp.worker import ProcessAnalyzer


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


def analyzer_for(
    nameservers: tuple[Nameserver, ...], timeout: float, profile: SenderProfile | None
) -> ProcessAnalyzer:
    """Analysis with live DNS in a worker process (its resolver renewed every minute)."""
    return ProcessAnalyzer(ResolverConfig(nameservers, timeout), profile)


async def serve(
    config: SinkConfig,
    analyzer: ProcessAnalyzer | None,
    on_ready: Callable[[RunningSink], None],
    on_message: Callable[[Stored, dict[str, Any] | None], None] | None = None,
) -> tuple[int, int]:
    """Run the sink until SIGINT or SIGTERM, then shut down cleanly; returns how many
    messages were stored, and how many of them were left unanalysed (they are analysed at
    the next start)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        sink = await start_sink(config, analyzer)
    except BaseException:
        if analyzer is not None:
            await analyzer.close()
        raise
    sink.handler.on_message = on_message
    try:
        on_ready(sink)
        await stop.wait()
        stored, left = sink.handler.stored, sink.handler.backlog
    finally:
        await sink.close()
    return stored, left


def row_of(stored: Stored, analysis: dict[str, Any] | None) -> dict[str, Any]:
    """A just-stored message as an index row (for the terminal line)."""
    env = stored.envelope
    return {
        "received_at": env.received_at,
        "client_ip": env.client_ip,
        "mail_from": env.mail_from,
        "rcpt_to": list(env.rcpt_to),
        "size": stored.size,
        "analysis": analysis,
    }


MAX_ID = 2**63 - 1  # SQLite's INTEGER; a bigger number is no message and no useful limit
MAX_SOURCE = 256 * 1024  # octets of a message's source put in the HTML report


def messages(maildir: Path, limit: int) -> list[dict[str, Any]]:
    """Newest messages of a sink's index."""
    _require_index(maildir)
    if not 1 <= limit <= MAX_ID:
        raise UsageError(f"--limit {limit}: must be between 1 and {MAX_ID}")
    return index.list_messages(index.index_path(maildir), limit)


def message(maildir: Path, message_id: int) -> dict[str, Any]:
    """One message of a sink's index, with the path of its file."""
    _require_index(maildir)
    if not 1 <= message_id <= MAX_ID:
        raise UsageError(f"{maildir}: no message with id {message_id}")
    found = index.get_message(index.index_path(maildir), message_id)
    if found is None:
        raise UsageError(f"{maildir}: no message with id {message_id}")
    path = Maildir(maildir).find(found["key"])
    found["path"] = str(path) if path else None
    return found


def with_sources(maildir: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with each message's header section and source as text (for the report);
    our trace headers stay out, and a long source is cut at ``MAX_SOURCE`` octets."""
    store = Maildir(maildir)
    out = []
    for row in rows:
        path = store.find(row["key"])
        try:
            _envelope, data = read_stored(path) if path else (None, b"")
        except (OSError, ValueError) as exc:
            out.append({**row, "headers": f"(unreadable: {exc})", "source": ""})
            continue
        text = data[:MAX_SOURCE].decode("utf-8", "replace")
        cut = "" if len(data) <= MAX_SOURCE else f"\n[... {len(data) - MAX_SOURCE} more octets]"
        head = text.replace("\r\n", "\n").partition("\n\n")[0]
        out.append({**row, "headers": head, "source": text + cut} if path else row)
    return out


def _require_index(maildir: Path) -> None:
    if not index.index_path(maildir).is_file():
        raise UsageError(f"{maildir}: not a sink Maildir (no index); run `mailcheck sink` first")
