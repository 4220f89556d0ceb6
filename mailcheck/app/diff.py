"""What changed between two reports of a domain: findings, live SPF ranges, provider, MX and
snippet text.

Works on ``report.json`` documents (the versioned JSON form), so it compares a report written
months ago with one written now. Pure: loading and rendering are the callers' job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mailcheck.base.errors import InputError

DIFF_SCHEMA_VERSION = 1
REPORT_JSON = "report.json"
MAX_REPORT_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Change:
    """One difference. ``kind`` is one of ``KINDS``; ``old``/``new`` are "" when absent."""

    kind: str
    subject: str
    old: str = ""
    new: str = ""


KINDS = {
    "finding-added": "+ finding",
    "finding-resolved": "- finding",
    "finding-changed": "~ finding",
    "spf-range-added": "+ SPF range",
    "spf-range-removed": "- SPF range",
    "provider": "~ provider",
    "mx": "~ MX",
    "snippet": "~ snippet",
}


@dataclass(frozen=True)
class ReportDiff:
    """Two reports of one domain and what changed between them, in a stable order."""

    domain: str
    old_time: str
    new_time: str
    changes: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        """True when anything changed."""
        return bool(self.changes)

    def to_data(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "schema_version": DIFF_SCHEMA_VERSION,
            "domain": self.domain,
            "old_generated_at": self.old_time,
            "new_generated_at": self.new_time,
            "changed": self.changed,
            "changes": [asdict(c) for c in self.changes],
        }


def load_report(path: Path) -> dict[str, Any]:
    """A ``report.json`` document, from the file or from a report folder holding one."""
    file = path / REPORT_JSON if path.is_dir() else path
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
        if len(data) > MAX_REPORT_BYTES:
            raise ValueError(f"larger than {MAX_REPORT_BYTES} bytes")
        document = json.loads(data.decode("utf-8"))
    except OSError as exc:
        raise InputError("report", f"{file}: cannot read: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("report", f"{file}: not a report.json: {exc}") from exc
    if not (
        isinstance(document, dict)
        and isinstance(document.get("checks"), list)
        and isinstance(document.get("domain"), str)
    ):
        raise InputError("report", f"{file}: not a mailcheck report.json (no domain and checks)")
    return document


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """Everything that changed from ``old`` to ``new``."""
    changes = [
        *_findings(old, new),
        *_ranges(old, new),
        *_single(old, new, "provider", _provider),
        *_single(old, new, "mx", _mx),
        *_snippets(old, new),
    ]
    return ReportDiff(
        str(new.get("domain", "")),
        str(old.get("generated_at", "")),
        str(new.get("generated_at", "")),
        tuple(changes),
    )


def _checks(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found = {}
    for check in _list(report.get("checks")):
        if isinstance(check, Mapping) and isinstance(check.get("check"), str):
            found[check["check"]] = check
    return found


def _facts(report: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    facts = _checks(report).get(name, {}).get("facts")
    return facts if isinstance(facts, Mapping) else {}


def _finding_map(report: Mapping[str, Any]) -> dict[tuple[str, str, str], tuple[str, str]]:
    found = {}
    for name, check in _checks(report).items():
        for f in _list(check.get("findings")):
            if isinstance(f, Mapping):
                key = (name, str(f.get("code", "")), str(f.get("subject", "")))
                found[key] = (str(f.get("status", "")), str(f.get("summary", "")))
    return found


def _findings(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterable[Change]:
    before, after = _finding_map(old), _finding_map(new)
    for key in sorted(before.keys() | after.keys()):
        subject = f"{key[1]} {key[2]}".strip() + f" ({key[0]})"
        if key not in before:
            yield Change("finding-added", subject, "", _shown(after[key]))
        elif key not in after:
            yield Change("finding-resolved", subject, _shown(before[key]), "")
        elif before[key][0] != after[key][0]:
            yield Change("finding-changed", subject, _shown(before[key]), _shown(after[key]))


def _shown(finding: tuple[str, str]) -> str:
    return f"{finding[0]}: {finding[1]}"


def _spf_ranges(report: Mapping[str, Any]) -> set[tuple[str, str]]:
    ranges = set()
    for domain in _list(_facts(report, "sender-spf").get("domains")):
        for item in _list(domain.get("authorized")) if isinstance(domain, Mapping) else []:
            if isinstance(item, Mapping):
                ranges.add((str(domain.get("domain", "")), str(item.get("network", ""))))
    return ranges


def _ranges(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterable[Change]:
    before, after = _spf_ranges(old), _spf_ranges(new)
    for domain, network in sorted(after - before):
        yield Change("spf-range-added", domain, "", network)
    for domain, network in sorted(before - after):
        yield Change("spf-range-removed", domain, network, "")


def _provider(report: Mapping[str, Any]) -> str:
    facts = _facts(report, "provider")
    return str(facts.get("provider_name") or facts.get("provider") or "")


def _mx(report: Mapping[str, Any]) -> str:
    return ", ".join(sorted(str(r) for r in _list(_facts(report, "mx").get("records"))))


def _single(old: Mapping[str, Any], new: Mapping[str, Any], kind: str, read: Any) -> list[Change]:
    before, after = read(old), read(new)
    return [] if before == after else [Change(kind, str(new.get("domain", "")), before, after)]


def _snippet_hashes(report: Mapping[str, Any]) -> dict[str, str]:
    hashes = {}
    for item in _list(_facts(report, "snippets").get("snippets")):
        if isinstance(item, Mapping) and isinstance(item.get("text"), str):
            digest = hashlib.sha256(item["text"].encode("utf-8")).hexdigest()
            hashes[str(item.get("filename", ""))] = digest
    return hashes


def _snippets(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterable[Change]:
    before, after = _snippet_hashes(old), _snippet_hashes(new)
    for name in sorted(before.keys() | after.keys()):
        if before.get(name) != after.get(name):
            yield Change("snippet", name, _sha(before.get(name)), _sha(after.get(name)))


def _sha(digest: str | None) -> str:
    return f"sha256:{digest}" if digest else ""


def _list(value: object) -> list[Any]:
    """A JSON array (or the tuple ``dataclasses.asdict`` leaves in a report's data)."""
    return list(value) if isinstance(value, list | tuple) else []


def render_text(diff: ReportDiff) -> str:
    """The diff for a terminal or a cron mail."""
    if not diff.changed:
        return f"No change for {diff.domain} since {diff.old_time}.\n"
    lines = [f"Changed since {diff.old_time} ({diff.domain}, now {diff.new_time}):"]
    for change in diff.changes:
        values = " → ".join(v for v in (change.old, change.new) if v)
        lines.append(f"  {KINDS[change.kind]} {change.subject}: {values}")
    return "\n".join(lines) + "\n"


def render_json(diff: ReportDiff) -> str:
    """The diff as one JSON document (sorted keys)."""
    return json.dumps(diff.to_data(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
