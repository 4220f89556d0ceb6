"""What the ``sink`` and ``send-test`` commands do, for the CLI (which only parses and prints)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.errors import UsageError
from mailcheck.profiles import SenderProfile
from mailcheck.smtp import index
from mailcheck.smtp.analysis import MessageAnalyzer
from mailcheck.smtp.server import RunningSink, start_sink
from mailcheck.smtp.sink import SinkConfig
from mailcheck.smtp.store import Maildir


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT`` or ``HOST`` (port 2525)."""
    host, port = text, "2525"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen: bad port in {text!r}")
    return host, int(port)


def analyzer_for(
    nameservers: tuple[Nameserver, ...], timeout: float, profile: SenderProfile | None
) -> MessageAnalyzer:
    """Analysis with live DNS (a fresh cache per message)."""
    config = ResolverConfig(nameservers, timeout)
    return MessageAnalyzer(lambda: LiveResolver(config), profile)


async def serve(
    config: SinkConfig,
    analyzer: MessageAnalyzer | None,
    on_ready: Callable[[RunningSink], None],
) -> None:
    """Run the sink until SIGINT or SIGTERM, then shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    sink = await start_sink(config, analyzer)
    try:
        on_ready(sink)
        await stop.wait()
    finally:
        await sink.close()


def messages(maildir: Path, limit: int) -> list[dict[str, Any]]:
    """Newest messages of a sink's index."""
    _require_index(maildir)
    return index.list_messages(index.index_path(maildir), limit)


def message(maildir: Path, message_id: int) -> dict[str, Any]:
    """One message of a sink's index, with the path of its file."""
    _require_index(maildir)
    found = index.get_message(index.index_path(maildir), message_id)
    if found is None:
        raise UsageError(f"{maildir}: no message with id {message_id}")
    path = Maildir(maildir).find(found["key"])
    found["path"] = str(path) if path else None
    return found


def _require_index(maildir: Path) -> None:
    if not index.index_path(maildir).is_file():
        raise UsageError(f"{maildir}: not a sink Maildir (no index); run `mailcheck sink` first")
