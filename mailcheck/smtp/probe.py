"""The opt-in SMTP probe: would this MX accept MAIL FROM the sender for this recipient?

Speaks like a real sending MTA up to RCPT TO, then RSET and QUIT: never DATA, so no message
is ever delivered. STARTTLS is opportunistic: an unverifiable certificate is recorded (and
the session retried without verification, as senders do), never mistaken for "no STARTTLS".
The probe connects from the admin's machine, so it tests address-based policy only.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field, replace

from mailcheck.base.errors import SmtpError
from mailcheck.smtp.client import Reply, SmtpSession, SmtpTimeoutError


@dataclass(frozen=True)
class ProbeOptions:
    """What to ask and how patiently. ``address`` overrides every MX address (tests)."""

    recipient: str
    sender: str = ""  # MAIL FROM; "" means the profile's first sender
    port: int = 25
    max_mx: int = 2
    # Per connect, per reply and per TLS handshake. A session has at most ten exchanges and a
    # host at most two sessions (the second only after an unverifiable certificate), so one
    # host takes at most about 20 timeouts even against a server that stalls on purpose.
    timeout: float = 20.0
    min_interval: float = 1.0  # at least this long between two connections (rate limit)
    helo_name: str = "mailcheck.invalid"
    ca_file: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class TlsInfo:
    """What STARTTLS showed: the certificate and whether it verified for the MX name."""

    offered: bool = False
    established: bool = False
    verified: bool = False
    verify_error: str = ""
    error: str = ""
    cert_der: bytes = b""


@dataclass(frozen=True)
class ProbeResult:
    """One MX host's answer, classified; ``transcript`` is the evidence."""

    host: str
    address: str
    verdict: str  # accepted, temporary, policy, unknown-recipient, rejected, timeout, unreachable
    stage: str = ""  # where the verdict came from: connect, banner, ehlo, mail, rcpt
    reply: str = ""
    enhanced: str = ""
    tls: TlsInfo = field(default_factory=TlsInfo)
    transcript: tuple[str, ...] = ()


def classify(reply: Reply, stage: str) -> str:
    """Map a reply to a verdict using its code and RFC 3463 enhanced status code."""
    if 200 <= reply.code < 400:
        return "accepted"
    if 400 <= reply.code < 500:
        return "temporary"  # greylisting, rate limits, a busy server: retry later
    if reply.enhanced.startswith("5.7."):
        return "policy"
    if reply.enhanced == "5.1.1" and stage == "rcpt":
        return "unknown-recipient"
    return "rejected"


class RateLimiter:
    """Spaces connection attempts at least ``interval`` seconds apart."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._last: float | None = None

    async def wait(self) -> None:
        """Sleep until the next connection is allowed."""
        loop = asyncio.get_running_loop()
        if self._last is not None:
            await asyncio.sleep(max(0.0, self._last + self._interval - loop.time()))
        self._last = loop.time()


async def probe_host(
    host: str, address: str, sender: str, options: ProbeOptions, limiter: RateLimiter
) -> ProbeResult:
    """Probe one MX host; all failures become a verdict, never an exception."""
    target = options.address or address
    base = ProbeResult(host, target, "unreachable")
    result, retry_tls = await _attempt(base, sender, options, limiter, verify=True)
    if retry_tls:  # the certificate did not verify: go on without verification, like senders
        unverified, _ = await _attempt(base, sender, options, limiter, verify=False)
        tls = replace(unverified.tls, verify_error=result.tls.verify_error)
        result = replace(unverified, tls=tls, transcript=result.transcript + unverified.transcript)
    return result


async def _attempt(
    base: ProbeResult, sender: str, options: ProbeOptions, limiter: RateLimiter, verify: bool
) -> tuple[ProbeResult, bool]:
    await limiter.wait()
    try:
        session = await SmtpSession.connect(base.address, options.port, options.timeout)
    except SmtpError as exc:
        verdict = "timeout" if isinstance(exc, SmtpTimeoutError) else "unreachable"
        return replace(base, verdict=verdict, stage="connect", reply=str(exc)), False
    state = _State(base)
    try:
        await _converse(session, state, sender, options, verify)
    except ssl.SSLCertVerificationError as exc:
        state.tls = replace(state.tls, verify_error=exc.verify_message or str(exc))
        state.retry_tls = True
    except SmtpError as exc:
        verdict = "timeout" if isinstance(exc, SmtpTimeoutError) else "unreachable"
        state.result = replace(state.result, verdict=verdict, reply=str(exc)[:300])
    finally:
        await session.close()
    result = replace(state.result, tls=state.tls, transcript=tuple(session.transcript))
    return result, state.retry_tls


@dataclass
class _State:
    result: ProbeResult
    tls: TlsInfo = field(default_factory=TlsInfo)
    retry_tls: bool = False


async def _converse(
    session: SmtpSession, state: _State, sender: str, options: ProbeOptions, verify: bool
) -> None:
    if await _step(session, state, "banner", None):
        await _dialogue(session, state, sender, options, verify)
    await _goodbye(session)


async def _dialogue(
    session: SmtpSession, state: _State, sender: str, options: ProbeOptions, verify: bool
) -> None:
    ehlo = await _step(session, state, "ehlo", f"EHLO {options.helo_name}")
    if ehlo is None and state.result.reply[:3] in ("500", "502"):
        # RFC 5321 §3.2: a server that does not know EHLO gets HELO (and no extensions).
        ehlo = await _step(session, state, "helo", f"HELO {options.helo_name}")
        ehlo = Reply(ehlo.code, ehlo.lines[:1]) if ehlo else None
    if ehlo is None:
        return
    if any(line.upper().startswith("STARTTLS") for line in ehlo.lines[1:]):
        if not await _start_tls(session, state, options, verify):
            return
        if state.tls.established and not await _step(
            session, state, "ehlo", f"EHLO {options.helo_name}"
        ):
            return
    if await _step(session, state, "mail", f"MAIL FROM:<{sender}>"):
        await _step(session, state, "rcpt", f"RCPT TO:<{options.recipient}>")


async def _step(session: SmtpSession, state: _State, stage: str, line: str | None) -> Reply | None:
    """Run one exchange and record its verdict; None when the conversation should stop."""
    state.result = replace(state.result, stage=stage)  # a timeout is reported at this stage
    reply = await (session.read_reply() if line is None else session.command(line))
    verdict = classify(reply, stage)
    state.result = replace(
        state.result, verdict=verdict, stage=stage, reply=str(reply)[:300], enhanced=reply.enhanced
    )
    return reply if verdict == "accepted" else None


async def _start_tls(
    session: SmtpSession, state: _State, options: ProbeOptions, verify: bool
) -> bool:
    state.tls = TlsInfo(offered=True)
    reply = await session.command("STARTTLS")
    if reply.code != 220:
        state.tls = replace(state.tls, error=f"STARTTLS refused: {reply}")
        return True  # go on in plain text, as an opportunistic sender would
    context = ssl.create_default_context(cafile=options.ca_file)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        der = await session.start_tls(context, state.result.host)
    except SmtpError as exc:
        state.tls = replace(state.tls, error=str(exc))
        state.result = replace(state.result, verdict="unreachable", reply=str(exc))
        return False
    state.tls = replace(state.tls, established=True, verified=verify, cert_der=der)
    return True


async def _goodbye(session: SmtpSession) -> None:
    # Best effort: the verdict is already recorded, so a failing RSET/QUIT changes nothing.
    for line in ("RSET", "QUIT"):
        try:
            await session.command(line)
        except SmtpError:
            return
