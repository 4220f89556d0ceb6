"""The worker process of a parallel analysis: parses and judges one message at a time (the
CPU-heavy part: MIME, headers, DKIM), and asks every DNS question of the parent.

The parent's one resolver answers (``ParentResolver``), so the run keeps one cache, one
in-flight table and one evidence record whatever the number of workers, and each report's
evidence is the entry the shared resolver recorded, exactly as in a one-process run.

The wire, over one ``multiprocessing`` pipe, is strictly one exchange at a time, so neither
side can block the other. Parent → worker: ``MessageJob`` and the CPU seconds once, then
``(seq, MessageInput)`` until it hangs up (end of file: stop). Worker → parent, per message:
``("dns", name, rrtype)`` answered with ``(answer, error, recorded)``, as often as needed,
then ``("done", seq, MessageResult, stopped)``.

Workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent stops them), die
with the parent (``die_with_parent``, and at end of file on the pipe), and run each message
under a CPU-time limit: a message over it is reported as stopped and the worker exits, as its
pipe and event loop may be mid-exchange; the parent starts a new one.
"""

from __future__ import annotations

import asyncio
import os
import signal
from multiprocessing.connection import Connection

from mailcheck.app.analyze_message import (
    MessageJob,
    MessageResult,
    analyze_one,
    result_of,
    stopped_report,
)
from mailcheck.base.errors import DnsError
from mailcheck.base.processes import CpuLimitError, cpu_limit, die_with_parent, raise_on_cpu_limit
from mailcheck.dns.interface import Answer, RRType, normalize_name
from mailcheck.dns.snapshot import Snapshot
from mailcheck.message.inputs import MessageInput


class ParentResolver:
    """An ``EvidenceResolver`` that asks the parent process's resolver, once per question:
    the outcome is kept here, as the parent's resolver keeps it (errors too), so a repeated
    question costs no round trip. Its evidence holds the entries the parent recorded."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._outcomes: dict[tuple[str, RRType], tuple[Answer | None, DnsError | None]] = {}
        self.snapshot = Snapshot("")

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        """See ``Resolver.resolve``."""
        key = (normalize_name(name), rrtype)
        outcome = self._outcomes.get(key)
        if outcome is None:
            self._conn.send(("dns", name, rrtype))
            answer, error, recorded = self._conn.recv()
            if recorded is not None:
                self.snapshot.entries[key] = recorded
            outcome = self._outcomes[key] = (answer, error)
        answer, error = outcome
        if error is not None:
            raise error
        assert isinstance(answer, Answer)
        return answer

    def evidence(self) -> Snapshot:
        """The parent's entries for the questions asked here."""
        return self.snapshot


def serve(conn: Connection) -> None:
    """A worker process's main function."""
    # Its parent is the forkserver, which ends when the analysing process does.
    die_with_parent(os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_on_cpu_limit()
    try:
        _serve(conn)
    except (EOFError, OSError):  # the parent hung up, or is gone: nothing left to do
        return
    finally:
        conn.close()


def _serve(conn: Connection) -> None:
    job: MessageJob = conn.recv()
    cpu_seconds: int = conn.recv()
    loop = asyncio.new_event_loop()
    shared = ParentResolver(conn)
    while (work := conn.recv()) is not None:
        seq, item = work
        result, stopped = _analyse(loop, shared, job, item, cpu_seconds)
        conn.send(("done", seq, result, stopped))
        if stopped:
            return


def _analyse(
    loop: asyncio.AbstractEventLoop,
    shared: ParentResolver,
    job: MessageJob,
    item: MessageInput,
    cpu_seconds: int,
) -> tuple[MessageResult, bool]:
    """The message's result, and whether its CPU limit stopped it."""
    try:
        with cpu_limit(cpu_seconds):
            outcome = loop.run_until_complete(analyze_one(item, shared, job))
        return result_of(outcome, job), False
    except (EOFError, OSError):
        raise  # the pipe to the parent: see ``serve``
    except CpuLimitError:
        why = f"it used more than {cpu_seconds} s of CPU"
        return result_of(stopped_report(item, job, why), job), True
    except Exception as exc:  # noqa: BLE001 - a bug on one message must not end the run
        why = f"the analysis failed ({type(exc).__name__})"
        return result_of(stopped_report(item, job, why), job), False
