"""Shared sending services (``rules/shared-infrastructure.toml``): name + SPF include domains.

Data only: which IPs a service uses is never written here; the check expands each service's
live SPF at run time. Loaded and strictly validated like every rules file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mailcheck.base.errors import ProfileError
from mailcheck.rulefiles.loader import (
    Problems,
    RulesDocument,
    Table,
    check_header,
    load_rules_of_kind,
)

KIND = "shared-infrastructure"
FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# SPF include targets are DNS names, not host names: "_spf.google.com" is valid here.
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class SharedService:
    """A sending service many senders share, known by the domains its customers include."""

    id: str
    name: str
    spf_includes: tuple[str, ...]
    docs: str = ""


def services_from_document(document: RulesDocument) -> tuple[SharedService, ...]:
    """Validate a parsed rules file of this kind; all problems raise together."""
    problems = Problems(document.path)
    root = Table(document.data, "", problems)
    check_header(root, KIND, FORMAT_VERSION)
    services = [_service(t) for t in root.tables("services", required=True)]
    root.finish()
    ids = [s.id for s in services]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add("services", f"id {duplicate!r} is used twice")
    problems.raise_if_any()
    return tuple(services)


def _service(table: Table) -> SharedService:
    service_id = table.text("id")
    if service_id and not _ID.match(service_id):
        table.problem("id", "use lower-case letters, digits and inner hyphens")
    includes: list[str] = []
    for _path, raw in table.strings("spf_includes", required=True):
        domain = raw.strip().lower().removesuffix(".")
        if _DOMAIN.match(domain) is None:
            table.problem("spf_includes", f"{raw!r} is not a valid domain name")
        else:
            includes.append(domain)
    docs = table.text("docs", required=False)
    if docs and not docs.startswith("https://"):
        table.problem("docs", "must be an https:// URL")
    if not includes:
        table.problem("spf_includes", "list at least one SPF include domain")
    service = SharedService(service_id, table.text("name"), tuple(includes), docs)
    table.finish()
    return service


def load_services(extra_dirs: tuple[Path, ...] = ()) -> tuple[SharedService, ...]:
    """Every shared service: the shipped file(s), then the user's; ids unique."""
    found: dict[str, SharedService] = {}
    for path, services in load_rules_of_kind(KIND, services_from_document, extra_dirs):
        for service in services:
            if service.id in found:
                raise ProfileError(f"{path}: service {service.id!r} is already defined")
            found[service.id] = service
    return tuple(found.values())
