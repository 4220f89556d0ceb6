"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) record and policy parsing, and MX matching.

Pure functions: the DNS TXT texts and the fetched policy body come in, frozen results with a
list of problems come out. Fetching lives in ``mailcheck.protocols.https``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_AGE_LIMIT = 31_557_600  # RFC 8461 §3.2: at most about one year
MODES = ("enforce", "testing", "none")

_TXT_FIELD = re.compile(r"^([A-Za-z0-9_.-]{1,32})=([\x21-\x3a\x3c\x3e-\x7e]+)$")
_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_POLICY_LINE = re.compile(
    r"^([A-Za-z0-9_.-]{1,32}):[ \t]*([\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)[ \t]*$"
)
_MX_PATTERN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$")


@dataclass(frozen=True)
class StsRecord:
    """The ``_mta-sts`` TXT record, if exactly one valid one exists."""

    id: str = ""
    problems: tuple[str, ...] = ()
    records: tuple[str, ...] = ()  # every TXT string at the name, for evidence

    @property
    def is_valid(self) -> bool:
        """True when senders would go on to fetch the policy."""
        return bool(self.id) and not self.problems


@dataclass(frozen=True)
class StsPolicy:
    """A parsed policy file; ``problems`` non-empty means senders treat it as invalid."""

    mode: str = ""
    max_age: int = 0
    mx: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def is_valid(self) -> bool:
        """True when senders would apply this policy."""
        return not self.problems


def _fields(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    fields, problems = [], []
    for part in text.split(";"):
        part = part.strip(" \t")
        if not part:
            continue
        match = _TXT_FIELD.match(part)
        if match is None:
            problems.append(f"malformed field {part[:60]!r}")
        else:
            fields.append((match.group(1), match.group(2)))
    return fields, problems


def parse_sts_record(texts: tuple[str, ...]) -> StsRecord:
    """Apply RFC 8461 §3.1: keep records starting ``v=STSv1;``; exactly one must remain."""
    candidates = [t for t in texts if t.startswith("v=STSv1;") or t == "v=STSv1"]
    if len(candidates) != 1:
        problem = "no record starts with v=STSv1" if not candidates else "several v=STSv1 records"
        return StsRecord(problems=(problem,), records=texts)
    fields, problems = _fields(candidates[0])
    values = dict(reversed(fields))  # first occurrence wins
    sts_id = values.get("id", "")
    if not sts_id:
        problems.append("missing id=")
    elif not _STS_ID.match(sts_id):
        problems.append(f"id {sts_id[:40]!r} must be 1-32 letters or digits")
    return StsRecord(sts_id if not problems else "", tuple(problems), texts)


def parse_policy(body: str) -> StsPolicy:
    """Parse a policy body (LF or CRLF lines, RFC 8461 §3.2 and erratum 6253)."""
    problems: list[str] = []
    values: dict[str, str] = {}
    mx: list[str] = []
    for number, line in enumerate(body.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        match = _POLICY_LINE.match(line)
        if match is None:
            problems.append(f"line {number}: not 'key: value'")
            continue
        key, value = match.group(1), match.group(2)
        if key == "mx":
            mx.append(value.lower())
        elif key in values and key in ("version", "mode", "max_age"):
            problems.append(f"line {number}: {key} repeated")
        else:
            values.setdefault(key, value)  # unknown keys are ignored, as senders do
    problems += _check_values(values, mx)
    max_age = values.get("max_age", "")
    return StsPolicy(
        values.get("mode", ""),
        int(max_age) if max_age.isdigit() and len(max_age) <= 10 else 0,
        tuple(mx),
        tuple(problems),
    )


def _check_values(values: dict[str, str], mx: list[str]) -> list[str]:
    problems = []
    if values.get("version") != "STSv1":
        problems.append(f"version must be STSv1 (got {values.get('version', 'nothing')!r})")
    mode = values.get("mode", "")
    if mode not in MODES:
        problems.append(f"mode must be enforce, testing or none (got {mode[:20]!r})")
    max_age = values.get("max_age", "")
    if not (max_age.isdigit() and len(max_age) <= 10):
        problems.append(f"max_age must be 1-10 digits (got {max_age[:20]!r})")
    elif int(max_age) > MAX_AGE_LIMIT:
        problems.append(f"max_age {max_age} exceeds {MAX_AGE_LIMIT} seconds")
    if not mx and mode != "none":
        problems.append("no mx: line (required unless mode is none)")
    problems += [
        f"mx pattern {p[:80]!r} is not a host name or *.domain"
        for p in mx
        if not _MX_PATTERN.match(p)
    ]
    return problems


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: exact match, or ``*.`` standing for exactly one leftmost label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest == pattern[2:]
    return pattern == host


def parse_tlsrpt_record(texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """RFC 8460 §3: exactly one ``v=TLSRPTv1`` record with ``rua=``; (rua URIs, problems)."""
    candidates = [t for t in texts if t.startswith("v=TLSRPTv1")]
    if len(candidates) != 1:
        return (), ("no v=TLSRPTv1 record" if not candidates else "several v=TLSRPTv1 records",)
    fields, problems = _fields(candidates[0])
    rua = dict(reversed(fields)).get("rua", "")
    uris = tuple(u.strip() for u in rua.split(",") if u.strip())
    if not uris:
        problems.append("missing rua=")
    for uri in uris:
        if not uri.startswith(("mailto:", "https://")):
            problems.append(f"rua {uri[:80]!r} must be mailto: or https:")
    return uris, tuple(problems)
