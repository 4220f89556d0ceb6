"""The ``sink`` use cases: serve (with analysis in a worker), and list, show or report what
it stored. The CLI parses the arguments and prints."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailcheck.base.errors import InputError
from mailcheck.dns.live import Nameserver, ResolverConfig
from mailcheck.rulefiles.profiles import SenderProfile
from mailcheck.smtp import index
from mailcheck.smtp.server import RunningSink, start_sink
from mailcheck.smtp.sink import SinkConfig
from mailcheck.smtp.store import Maildir, Stored, read_stored
from mailcheck.smtp.worker import ProcessAnalyzer


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
        raise InputError("limit", f"{limit}: must be between 1 and {MAX_ID}")
    return index.list_messages(index.index_path(maildir), limit)


def message(maildir: Path, message_id: int) -> dict[str, Any]:
    """One message of a sink's index, with the path of its file."""
    _require_index(maildir)
    if not 1 <= message_id <= MAX_ID:
        raise InputError("message_id", f"{maildir}: no message with id {message_id}")
    found = index.get_message(index.index_path(maildir), message_id)
    if found is None:
        raise InputError("message_id", f"{maildir}: no message with id {message_id}")
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
        raise InputError(
            "maildir", f"{maildir}: not a sink Maildir (no index); run `mailcheck sink` first"
        )
