"""Entry point for ``python -m mailcheck``."""

from __future__ import annotations

import sys

from mailcheck.cli import main

sys.exit(main())
