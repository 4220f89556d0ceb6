"""aiosmtpd's private names the sink relies on: listed, confined to one module, and checked
against the installed aiosmtpd, so an upgrade is a decision, not a surprise.

``smtp/protocol.py`` subclasses ``aiosmtpd.smtp.SMTP`` (as aiosmtpd's own ``lmtp.py`` does) but
goes further: it overrides and reads names aiosmtpd does not document. If aiosmtpd renames one
or changes its signature, these tests say which, instead of a session failing at runtime.
"""

from __future__ import annotations

import ast
import asyncio
import importlib.metadata
import inspect
import tomllib
from pathlib import Path

from aiosmtpd.smtp import SMTP
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "mailcheck" / "smtp" / "protocol.py"
VERSION = importlib.metadata.version("aiosmtpd")
REVIEW = "review mailcheck/smtp/protocol.py before upgrading"

# Methods of aiosmtpd's SMTP that protocol.py overrides or calls, with the signature
# (annotations left out) and whether it is a coroutine, as in aiosmtpd 1.4.6.
PRIVATE_METHODS = {
    "_cb_client_connected": ("(self, reader, writer)", False),  # overridden: adopt the reader
    "_reset_timeout": ("(self, duration=None)", False),  # overridden: stress timeout
    "_getaddr": ("(self, arg)", False),  # overridden: faster path parse, bad paths refused
    "_create_envelope": ("(self)", False),  # overridden (documented hook): SinkEnvelope
    "_handle_client": ("(self)", True),  # overridden: connection limit, connect behaviours
    "_call_handler_hook": ("(self, command, *args)", True),  # called by smtp_DATA
}
# Instance attributes protocol.py reads.
PRIVATE_ATTRIBUTES = (
    "_reader",  # the session's StreamReader: DATA is streamed from it
    "_writer",  # the session's StreamWriter: replies written outside ``push``
    "_original_transport",  # None until STARTTLS: tells a TLS re-entry from a new connection
    "_proxy_timeout",  # None unless PROXY is expected
    "_handle_hooks",  # handler hooks by command name ("DATA_START", "DATA")
)
# Names protocol.py defines for itself on its SMTP subclass; they must not collide with
# aiosmtpd's (an upgrade that added one would be silently overridden).
OWN_NAMES = {
    "_limits",
    "_data_timeout",
    "_stress_timeout",
    "_client",
    "_junk",
    "_count_line",
    "_bare_lf",
    "_receive",
}


def _aiosmtpd_subclasses(tree: ast.Module) -> list[ast.ClassDef]:
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id in ("SMTP", "Envelope") for b in node.bases)
    ]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names_used() -> set[str]:
    """Every ``_name`` the aiosmtpd subclasses in protocol.py define, read or call."""
    names: set[str] = set()
    for cls in _aiosmtpd_subclasses(ast.parse(PROTOCOL.read_text(encoding="utf-8"))):
        for node in ast.walk(cls):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_private(node.name):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and _is_private(node.attr):
                names.add(node.attr)
    return names


def _bare_signature(function: object) -> str:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=bare, return_annotation=inspect.Signature.empty))


def _changed(name: str, detail: str) -> str:
    return f"aiosmtpd {VERSION} removed/changed SMTP.{name} ({detail}): {REVIEW}"


class _Handler:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "250 OK"


def test_the_list_of_private_names_is_complete():
    """Using a new private name means adding it here, with its expected signature."""
    listed = set(PRIVATE_METHODS) | set(PRIVATE_ATTRIBUTES) | OWN_NAMES
    used = private_names_used()
    assert used - listed == set(), "new private names in smtp/protocol.py: list them here"
    assert listed - used == set(), "names listed here that smtp/protocol.py no longer uses"


def test_private_methods_exist_with_the_expected_signature():
    problems = []
    for name, (expected, is_coroutine) in PRIVATE_METHODS.items():
        method = getattr(SMTP, name, None)
        if method is None:
            problems.append(_changed(name, "gone"))
            continue
        found = _bare_signature(method)
        if found != expected or inspect.iscoroutinefunction(method) != is_coroutine:
            kind = "coroutine" if is_coroutine else "function"
            problems.append(_changed(name, f"expected {kind} {expected}, found {found}"))
    assert problems == []


async def test_private_attributes_exist_and_mean_what_protocol_py_assumes():
    loop = asyncio.get_running_loop()
    server = SMTP(_Handler(), hostname="contract.test", loop=loop, proxy_protocol_timeout=3.0)
    plain = SMTP(_Handler(), hostname="contract.test", loop=loop)
    reader, writer = asyncio.StreamReader(), object()  # aiosmtpd only keeps the writer
    server._cb_client_connected(reader, writer)
    facts = {
        "_reader": getattr(server, "_reader", None) is reader,
        "_writer": getattr(server, "_writer", None) is writer,
        "_original_transport": hasattr(plain, "_original_transport")
        and plain._original_transport is None,
        "_proxy_timeout": getattr(server, "_proxy_timeout", None) == 3.0
        and getattr(plain, "_proxy_timeout", 0) is None,
        "_handle_hooks": set(getattr(plain, "_handle_hooks", {})) == {"DATA"},
    }
    assert set(facts) == set(PRIVATE_ATTRIBUTES)
    assert [_changed(name, "not as in 1.4.6") for name, ok in facts.items() if not ok] == []


def test_own_names_do_not_shadow_aiosmtpd():
    """A name protocol.py adds must not be one aiosmtpd's SMTP already has (class or instance)."""
    loop = asyncio.new_event_loop()
    try:
        stock = SMTP(_Handler(), hostname="contract.test", loop=loop)
        clashes = sorted(n for n in OWN_NAMES if hasattr(SMTP, n) or hasattr(stock, n))
    finally:
        loop.close()
    assert clashes == [], f"aiosmtpd {VERSION} now defines {clashes}: {REVIEW}"


def test_installed_aiosmtpd_is_the_pinned_series():
    """The pin in pyproject.toml is the series the private names above were measured on."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [Requirement(d) for d in project["project"]["dependencies"]]
    (pin,) = [r for r in pins if r.name == "aiosmtpd"]
    assert str(pin.specifier) == "<1.5,>=1.4.6"
    assert VERSION in pin.specifier, f"aiosmtpd {VERSION} is outside the pin: {REVIEW}"


def test_no_other_module_touches_aiosmtpd_private_names():
    """Outside protocol.py, aiosmtpd objects are used through public or SinkSMTP names only."""
    private = set(PRIVATE_METHODS) | set(PRIVATE_ATTRIBUTES) | _stock_private_names()
    offenders = []
    for path in sorted((ROOT / "mailcheck").rglob("*.py")):
        if path == PROTOCOL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and _subclasses_aiosmtpd(node, tree):
                offenders.append(f"{path.relative_to(ROOT)}: class {node.name} subclasses aiosmtpd")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in private
                and not (isinstance(node.value, ast.Name) and node.value.id == "self")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def _stock_private_names() -> set[str]:
    """Every private name aiosmtpd's SMTP has: its methods and what its ``__init__`` sets."""
    loop = asyncio.new_event_loop()
    try:
        stock = SMTP(_Handler(), hostname="contract.test", loop=loop)
        return {n for n in (*dir(SMTP), *vars(stock)) if _is_private(n)}
    finally:
        loop.close()


def _subclasses_aiosmtpd(cls: ast.ClassDef, tree: ast.Module) -> bool:
    """Whether a class derives from a class of aiosmtpd or of protocol.py (the only place
    allowed to: a subclass elsewhere could reach the private names through ``self``)."""
    sources = ("aiosmtpd", "mailcheck.smtp.protocol")
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and any(node.module == m or (node.module or "").startswith(m + ".") for m in sources)
        for alias in node.names
    }
    return any(
        ast.unparse(base) in imported or ast.unparse(base).startswith("aiosmtpd.")
        for base in cls.bases
    )
