"""mailcheck: will a SaaS sender's mail reach your users, and what exactly must you allow?"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
