"""Helper processes that stay bounded: they die with their parent, and a piece of work that
uses more than its CPU time is stopped inside the process (``SIGXCPU``), not by a timer.

Shared by the sink's storage writer and analyser workers (``smtp/``) and ``analyze``'s worker
processes (``app/``): one implementation of each rule, so both behave the same way.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# CPU seconds one message may use in a worker, in the sink's analysis and in ``analyze``
# alike: a 21 MB message with ten DKIM signatures takes about 6 s.
MESSAGE_CPU_SECONDS = 10


class CpuLimitError(BaseException):
    """Raised inside a worker by SIGXCPU: the work used up its CPU time. Not an ``Exception``:
    the analysis's own broad handlers (decoders never raise) must not eat it."""


def die_with_parent(parent: int) -> None:
    """A SIGKILL of ``parent`` stops this process too (Linux ``PR_SET_PDEATHSIG``; elsewhere
    end of file on the pipe does); exit now if the parent is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        sys.exit(1)


def raise_on_cpu_limit() -> None:
    """Turn SIGXCPU into ``CpuLimitError`` in this process (call once, at worker start)."""
    signal.signal(signal.SIGXCPU, _on_xcpu)


@contextmanager
def cpu_limit(seconds: int) -> Iterator[None]:
    """Allow ``seconds`` more of CPU time (whole seconds: ``RLIMIT_CPU``'s unit) inside the
    block, then SIGXCPU; the limit is lifted again on the way out."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, hard))


def _on_xcpu(_signum: int, _frame: FrameType | None) -> None:
    raise CpuLimitError
