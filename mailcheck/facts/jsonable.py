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
    names = field_names(type(value))
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
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


def field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for any other type), looked up once per class: bulk runs
    encode thousands of facts objects of a few dozen classes."""
    if kind not in _FIELD_NAMES:
        is_dataclass = dataclasses.is_dataclass(kind)
        _FIELD_NAMES[kind] = (
            tuple(f.name for f in dataclasses.fields(kind)) if is_dataclass else None
        )
    return _FIELD_NAMES[kind]


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # one entry per class
