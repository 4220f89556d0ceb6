"""Facts of the ``changes`` section that ``report --compare`` adds: which report was compared."""

from __future__ import annotations

from dataclasses import dataclass

from mailcheck.base.model import Facts


@dataclass(frozen=True)
class ChangesFacts(Facts):
    """The earlier report this one was compared with (its path and its generation time)."""

    previous: str
    previous_generated_at: str
