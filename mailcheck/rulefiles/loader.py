"""Reading and strictly checking ``rules/*.toml`` files: every problem names file and key path.

Each rules file declares its ``kind``; a loader per kind (``profiles`` for sender profiles)
reads its tables through ``Table``, which records every problem instead of stopping at the
first, so one run of ``mailcheck rules validate`` shows them all.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import mailcheck
from mailcheck.base.errors import ProfileError
from mailcheck.base.nesting import MAX_DEPTH, too_deep

MAX_TEXT = 2000  # longer free text is a mistake or an attack, not documentation
MAX_RULES_CHARS = 1_000_000  # the largest shipped rules file is 3 kB
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")

T = TypeVar("T")


def builtin_rules_dir() -> Path:
    """The shipped rules: ``mailcheck/rules`` in a wheel, ``rules/`` in a source tree."""
    package = Path(mailcheck.__file__).resolve().parent
    installed = package / "rules"
    return installed if installed.is_dir() else package.parent / "rules"


@dataclass(frozen=True)
class RulesDocument:
    """A parsed rules file with what identifies it in reports."""

    path: Path
    data: Mapping[str, Any]
    sha256: str

    @property
    def kind(self) -> str:
        """The declared kind, or "" when missing (a problem the loader reports)."""
        kind = self.data.get("kind", "")
        return kind if isinstance(kind, str) else ""


def read_rules_file(path: Path) -> RulesDocument:
    """Read and parse one TOML rules file; unreadable, empty or non-UTF-8 files raise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise ProfileError(f"{path}: file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            f"{path}: not UTF-8 (byte {exc.start}): rules files must be UTF-8"
        ) from exc
    _check_key_depth(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: TOML syntax: {exc}") from exc
    except RecursionError:
        raise ProfileError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    if too_deep(data):
        raise ProfileError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    return RulesDocument(path, data, hashlib.sha256(raw).hexdigest())


def _check_key_depth(path: Path, text: str) -> None:
    """Refuse oversized files, and dotted keys or table headers deeper than ``MAX_DEPTH``,
    before parsing: tomllib's cost grows with the square of a key's parts (``a.a.a...`` of
    100,000 parts exhausts memory). Quoted strings are dropped first: their dots nest nothing."""
    if len(text) > MAX_RULES_CHARS:
        raise ProfileError(f"{path}: larger than {MAX_RULES_CHARS} characters")
    for number, line in enumerate(text.splitlines(), start=1):
        bare = _QUOTED.sub("", line).lstrip()
        key = bare if bare.startswith("[") else bare.partition("=")[0]
        if key.count(".") >= MAX_DEPTH:
            raise ProfileError(f"{path}: line {number}: key nested deeper than {MAX_DEPTH} levels")


def iter_rules_files(paths: list[Path]) -> Iterator[Path]:
    """Every ``*.toml`` under the given files and folders, sorted, each once."""
    seen: set[Path] = set()
    for path in paths:
        found = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                yield file


def load_rules_of_kind(
    kind: str,
    validate: Callable[[RulesDocument], T],
    extra_dirs: tuple[Path, ...] = (),
    *,
    builtin_as_rules: bool = False,
) -> Iterator[tuple[Path, T]]:
    """Each file of ``kind``, the shipped ones then ``extra_dirs``, with what ``validate`` made.

    With ``builtin_as_rules``, a shipped file's document is named ``rules/...`` rather than its
    installed path, so the name is the same on every machine and reports replay exactly.
    """
    builtin = builtin_rules_dir()
    for path in iter_rules_files([builtin, *extra_dirs]):
        document = read_rules_file(path)
        if builtin_as_rules and path.is_relative_to(builtin):
            document = replace(document, path=Path("rules") / path.relative_to(builtin))
        if document.kind == kind:
            yield path, validate(document)


class Problems:
    """The problems found in one file; ``raise_if_any`` turns them into one ``ProfileError``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        """Record that ``key`` (a path such as ``senders[2].address``) is wrong."""
        self.items.append(f"{key}: {message}" if key else message)

    def raise_if_any(self) -> None:
        """Raise one error listing every problem, each line naming the file."""
        if self.items:
            raise ProfileError("\n".join(f"{self.path}: {item}" for item in self.items))


def check_header(root: Table, kind: str, format_version: int) -> None:
    """Check the file's ``kind`` and ``format_version`` (a missing one is reported as missing)."""
    if root.text("kind") not in ("", kind):
        root.problem("kind", f"expected {kind!r}")
    if root.integer("format_version") not in (0, format_version):
        root.problem("format_version", f"this mailcheck reads format_version {format_version}")


class Table:
    """A TOML table under validation: typed getters, and unknown keys reported at ``finish``."""

    def __init__(self, data: Any, key: str, problems: Problems) -> None:
        if not isinstance(data, Mapping):
            problems.add(key, f"expected a table, got {_type_name(data)}")
            data = {}
        self._data: Mapping[str, Any] = data
        self._key = key
        self._problems = problems
        self._read: set[str] = set()

    def path(self, key: str) -> str:
        """The key path of ``key`` in this table, for messages."""
        return f"{self._key}.{key}" if self._key else key

    def __contains__(self, key: str) -> bool:
        """True when the file gives ``key`` (for keys only some other values allow)."""
        return key in self._data

    def problem(self, key: str, message: str) -> None:
        """Record a problem with ``key`` of this table."""
        self._problems.add(self.path(key), message)

    def _get(self, key: str, expected: type | tuple[type, ...], required: bool) -> Any:
        self._read.add(key)
        if key not in self._data:
            if required:
                self.problem(key, "required key is missing")
            return None
        value = self._data[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            self.problem(key, f"expected {_type_name(expected)}, got {_type_name(value)}")
            return None
        return value

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        """A single-line string without control characters."""
        value = self._get(key, str, required)
        if value is None:
            return default
        if len(value) > MAX_TEXT:
            self.problem(key, f"longer than {MAX_TEXT} characters")
            return default
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
            self.problem(key, "contains a control or invisible formatting character")
            return default
        return str(value)

    def boolean(self, key: str, *, default: bool) -> bool:
        """A boolean; ``default`` when absent."""
        value = self._get(key, bool, False)
        return default if value is None else bool(value)

    def integer(self, key: str, *, required: bool = True, default: int = 0) -> int:
        """An integer (booleans are not integers here)."""
        value = self._get(key, int, required)
        return default if value is None else int(value)

    def day(self, key: str, *, required: bool = True) -> str:
        """A TOML date (``2026-11-22``), returned as ISO text."""
        value = self._get(key, date, required)
        return value.isoformat() if value is not None else ""

    def strings(self, key: str, *, required: bool = False) -> list[tuple[str, str]]:
        """A list of strings, each with its key path."""
        values = self._get(key, list, required) or []
        out = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                out.append((f"{self.path(key)}[{index}]", value))
            else:
                self._problems.add(
                    f"{self.path(key)}[{index}]", f"expected a string, got {_type_name(value)}"
                )
        return out

    def tables(self, key: str, *, required: bool = False) -> list[Table]:
        """An array of tables (``[[key]]``), each wrapped with its key path."""
        values = self._get(key, list, required) or []
        return [Table(v, f"{self.path(key)}[{i}]", self._problems) for i, v in enumerate(values)]

    def table(self, key: str, *, required: bool = False) -> Table:
        """A sub-table (``key = { ... }`` or ``[x.key]``); empty when absent and optional."""
        value = self._get(key, Mapping, required)
        return Table(value if value is not None else {}, self.path(key), self._problems)

    def finish(self) -> None:
        """Report keys nobody read: a typo must not silently drop data."""
        for key in sorted(set(self._data) - self._read):
            self.problem(key, "unknown key")


def _type_name(value: object) -> str:
    if isinstance(value, type):
        value_type = value
    elif isinstance(value, tuple):
        return " or ".join(_type_name(v) for v in value)
    else:
        value_type = type(value)
    return {
        str: "a string",
        int: "an integer",
        bool: "true/false",
        list: "an array",
        dict: "a table",
        float: "a number",
        date: "a date",
    }.get(value_type, value_type.__name__)
