"""How typed facts become JSON values: dataclasses as objects, tuples as arrays, enums as
their values, datetimes in ISO 8601, IP networks as text.

Called in two places only (``tests/test_facts_layering.py`` keeps it so): ``report/json.py``,
which writes every check's facts into ``report.json``, and the sink's stored analysis
(``smtp/analysis.py``), which sits below the report and writes its own JSON.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import datetime
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """Dataclasses, tuples, enums, datetimes and IP networks as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return str(value)
    return value
