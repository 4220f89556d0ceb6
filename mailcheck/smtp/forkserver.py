"""Imported only by the analysis workers' forkserver (``set_forkserver_preload``): it dies
with the analyser that started it, and its workers die with it (``worker._init``).

Without this, a SIGKILLed sink (and so its analyser) left the forkserver and its workers
running for ever: each worker holds the forkserver's liveness pipe open, so the forkserver
never sees it close, and the workers wait for the forkserver to die.
"""

from __future__ import annotations

import os

from mailcheck.base.processes import die_with_parent

die_with_parent(os.getppid())
