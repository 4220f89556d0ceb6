"""Which company domains a run checks: command-line names and ``--domains-file`` lines.

Names under the RFC 6761 special-use TLDs ``.test`` and ``.invalid`` are refused by the e-mail
address validator, yet they are exactly what a lab serves from its own nameserver; they are
accepted, and the report says so (RUN001). ``.example`` names already pass the validator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mailcheck.base.errors import InputError
from mailcheck.base.model import CheckResult, Finding, Status
from mailcheck.rulefiles.profiles import normalize_domain

LAB_CHECK = "domain"
# RFC 6761 §6.2-6.5: never delegated on the Internet, so only a lab nameserver answers for them.
# ``localhost`` is left out: it names this machine, not a mail domain.
LAB_TLDS = ("test", "example", "invalid")
MAX_DOMAINS_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class BadLine:
    """A ``--domains-file`` line that is not a domain; the run goes on without it."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text!r}: {self.reason}"


def check_domain(domain: str) -> str:
    """The normalised company domain, or ``ValueError`` naming what is wrong with it."""
    text = domain.strip()
    text = text[:-1] if text.endswith(".") and not text.endswith("..") else text  # FQDN form
    normal = normalize_domain(text)
    if normal is None:
        normal = _lab_normal(text)
    if normal is None:
        raise ValueError(f"{domain!r} is not a valid mail domain")
    return normal


def _lab_normal(domain: str) -> str | None:
    """Validate a special-use name as if its TLD were ``com``, then give the TLD back."""
    stem, _, tld = domain.rpartition(".")
    if not stem or tld.lower() not in LAB_TLDS:
        return None
    normal = normalize_domain(f"{stem}.com")
    return None if normal is None else f"{normal[: -len('com')]}{tld.lower()}"


def is_lab_domain(domain: str) -> bool:
    """True for a special-use name that only the lab rule above accepts."""
    return normalize_domain(domain) is None and _lab_normal(domain) is not None


def lab_result(domain: str) -> CheckResult | None:
    """The INFO finding for a lab domain, or None for an Internet domain."""
    if not is_lab_domain(domain):
        return None
    finding = Finding(
        "RUN001",
        Status.INFO,
        f"{domain} is a special-use name (RFC 6761): a lab run",
        detail="It exists only on the nameserver this run asked; no Internet sender can reach it.",
        subject=domain,
    )
    return CheckResult(LAB_CHECK, "Domain", (finding,))


def unique_domains(names: Iterable[str]) -> tuple[str, ...]:
    """Command-line domains, normalised, first occurrence kept; a bad one is an ``InputError``."""
    found: dict[str, None] = {}
    for name in names:
        try:
            found.setdefault(check_domain(name))
        except ValueError as exc:
            raise InputError("domain", str(exc)) from exc
    return tuple(found)


def read_domains_file(path: Path) -> tuple[tuple[str, ...], tuple[BadLine, ...]]:
    """The domains of a file (one per line; ``#`` comments, blanks and duplicates ignored) and
    the lines that are not domains."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOMAINS_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError("domains_file", f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_DOMAINS_FILE_BYTES:
        raise InputError("domains_file", f"{path}: larger than {MAX_DOMAINS_FILE_BYTES} bytes")
    return parse_domains(data.decode("utf-8", "replace").splitlines())


def parse_domains(lines: Iterable[str]) -> tuple[tuple[str, ...], tuple[BadLine, ...]]:
    """See ``read_domains_file``."""
    found: dict[str, None] = {}
    bad: list[BadLine] = []
    for number, raw in enumerate(lines, 1):
        text = raw.partition("#")[0].strip()
        if not text:
            continue
        try:
            found.setdefault(check_domain(text))
        except ValueError as exc:
            bad.append(BadLine(number, text, str(exc).removeprefix(f"{text!r} ")))
    return tuple(found), tuple(bad)
