"""The ``sink`` use cases: serve (the sink with its analyser process), and list, show or report
what it stored. The CLI maps flags to a ``SinkRequest``, prints and picks exit codes."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailcheck.app.profiles import ProfileChoice, choose_profile
from mailcheck.base.errors import InputError
from mailcheck.dns.live import Nameserver, ResolverConfig
from mailcheck.rulefiles.profiles import SenderProfile, load_profiles
from mailcheck.smtp import index
from mailcheck.smtp.backlog import AnalyserProcess
from mailcheck.smtp.behaviours import load_behaviours
from mailcheck.smtp.server import RunningSink, check_bind, start_sink
from mailcheck.smtp.sink import DEFAULT_SIZE, SinkConfig
from mailcheck.smtp.store import Maildir, read_stored


@dataclass(frozen=True)
class SinkRequest:
    """How to run a sink: where it listens and stores, its limits, and its analysis."""

    maildir: Path
    host: str = "127.0.0.1"
    port: int = 2525
    allow_non_loopback: bool = False
    size_limit: int = DEFAULT_SIZE
    max_connections: int = 200
    max_per_client: int = 50
    tls: bool = True
    tls_cert: Path | None = None
    tls_key: Path | None = None  # default: the key is in ``tls_cert``
    proxy_protocol: bool = False
    behaviours: Path | None = None
    analysis: bool = True
    nameservers: tuple[Nameserver, ...] = ()
    timeout: float = 5.0
    profile: ProfileChoice = ProfileChoice(None)


@dataclass(frozen=True)
class SinkPlan:
    """A checked request, ready to serve: nothing is bound or started yet."""

    config: SinkConfig
    profile: SenderProfile | None  # matched against every message, when there is one
    analysis: AnalyserProcess | None
    beyond_loopback: bool  # listening where others can reach it (and allowed to)


@dataclass(frozen=True)
class SinkOutcome:
    """What a run did: messages stored, and messages left unanalysed (any run's; they are
    analysed at the next start)."""

    stored: int
    unanalysed: int


def plan(request: SinkRequest) -> SinkPlan:
    """Check the request (``InputError`` naming the field), load behaviours and the profile."""
    loopback = check_bind(request.host, request.allow_non_loopback)
    config = SinkConfig(
        maildir=request.maildir,
        host=request.host,
        port=request.port,
        allow_non_loopback=request.allow_non_loopback,
        size_limit=request.size_limit,
        max_connections=request.max_connections,
        max_per_client=request.max_per_client,
        tls=request.tls,
        tls_cert=request.tls_cert,
        tls_key=request.tls_key or request.tls_cert,
        proxy_protocol=request.proxy_protocol,
        behaviours=load_behaviours(request.behaviours) if request.behaviours else (),
    )
    profile = _profile(request.profile)
    analysis = None
    if request.analysis:
        resolver = ResolverConfig(request.nameservers, request.timeout)
        analysis = AnalyserProcess(resolver, profile)
    return SinkPlan(config, profile, analysis, not loopback)


def _profile(choice: ProfileChoice) -> SenderProfile | None:
    """The profile named, else the only one loaded; none when several are and none is named
    (a sink receives mail from anyone: no default sender is assumed)."""
    if choice.profile_id:
        return choose_profile(choice)
    profiles = load_profiles(choice.rules_dirs, allow_unsafe_networks=choice.allow_unsafe_networks)
    return next(iter(profiles.values())) if len(profiles) == 1 else None


async def serve(
    sink_plan: SinkPlan,
    on_ready: Callable[[RunningSink], None],
    on_message: Callable[[dict[str, Any]], None] | None = None,
) -> SinkOutcome:
    """Run the sink until SIGINT or SIGTERM, then shut down cleanly. ``on_message`` gets each
    message of this run as an index row: when analysed (without analysis: when stored)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    sink = await start_sink(sink_plan.config, sink_plan.analysis)
    sink.handler.on_message = on_message
    try:
        on_ready(sink)
        await stop.wait()
    finally:
        await sink.close()
    left = await sink.unanalysed() if sink_plan.analysis is not None else 0
    return SinkOutcome(sink.handler.stored, left)


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
