"""Fuzz harnesses for the parsers issue 15 hardened: one property per surface, shared by the
bounded suite (``test_hostile_fuzz.py``) and the longer run (``benchmarks/fuzz.py``).

Each harness feeds one generated input to a parser and checks the contract: it returns a valid
value or raises the one documented error (``ProfileError``, ``SnapshotError``, ``ValueError``),
never anything else; and what it accepts is safe (no scope id, no unsafe network, no wildcard).
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from mailcheck.app.rulebook import validate_paths
from mailcheck.base.errors import ProfileError, SnapshotError
from mailcheck.dns.snapshot import Snapshot
from mailcheck.rulefiles.loader import builtin_rules_dir, read_rules_file
from mailcheck.rulefiles.profiles import profile_from_document
from mailcheck.rulefiles.values import overlapping_pairs, parse_network, unsafe_reason
from tests.hostile.profile_text import profile_text

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme.json"
SEED_SNAPSHOT: dict[str, Any] = json.loads(ACME.read_text(encoding="utf-8"))
SEED_PROFILE = profile_text(networks=("192.0.2.10", "198.51.100.0/24", "2001:db8::1"))

# Text near the address syntax (where the bugs are) plus the odd characters that broke it.
_NEAR_ADDRESS = st.text(alphabet="0123456789abcdefABCDEF:./%, \t-x\u0661\n", max_size=48)
_ADDRESS_TEXT = st.one_of(
    _NEAR_ADDRESS,
    st.ip_addresses().map(str),
    st.builds(lambda a, p: f"{a}/{p}", st.ip_addresses(), st.integers(0, 130)),
    st.builds(lambda a, s: f"{a}%{s}", st.ip_addresses(v=6), st.text(max_size=12)),
)


def fuzz_network(raw: str) -> None:
    """``parse_network``: a clean network (text is only address syntax) or ``ValueError``."""
    try:
        network = parse_network(raw)
    except ValueError:
        return
    text = str(network)
    assert set(text) <= set("0123456789abcdef:./"), text
    assert ipaddress.ip_network(text) == network
    unsafe_reason(network)  # classifies every parsed network without raising


network_inputs = _ADDRESS_TEXT

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children)
    ),
    max_leaves=12,
)


@st.composite
def snapshot_inputs(draw: st.DrawFn) -> str:
    """The README example with one value somewhere replaced by arbitrary JSON, or raw edits."""
    document = json.loads(json.dumps(SEED_SNAPSHOT))
    names = sorted(document["answers"])
    name = draw(st.sampled_from(names))
    by_type = document["answers"][name]
    rrtype = draw(st.sampled_from(sorted(by_type)))
    key = draw(st.sampled_from(["records", "ttl", "time", "outcome", "cnames", "server", "kind"]))
    target = draw(st.sampled_from(["entry", "top", "type-table"]))
    value = draw(_JSON)
    if target == "entry":
        by_type[rrtype][key] = value
    elif target == "top":
        document[draw(st.sampled_from(["recorded_at", "nameservers", "answers", "metadata"]))] = (
            value
        )
    else:
        by_type[draw(st.text(max_size=6))] = value
    text = json.dumps(document)
    cut = draw(st.integers(0, len(text)))
    return text if draw(st.booleans()) else text[:cut] + draw(st.text(max_size=8)) + text[cut:]


def fuzz_snapshot(text: str) -> None:
    """``Snapshot.from_json``: a snapshot whose answers re-serialise, or ``SnapshotError``."""
    try:
        snapshot = Snapshot.from_json(text, "fuzz.json")
    except SnapshotError as exc:
        assert str(exc).startswith("fuzz.json: ") and "\n" not in str(exc)
        return
    Snapshot.from_json(snapshot.to_json(), "again.json")  # what loads, writes and loads again


@st.composite
def profile_inputs(draw: st.DrawFn) -> str:
    """A valid profile with network/address values replaced and characters inserted."""
    text = SEED_PROFILE
    if draw(st.booleans()):
        text = text.replace('"192.0.2.10"', json.dumps(draw(_ADDRESS_TEXT)), 1)
    if draw(st.booleans()):
        local = draw(st.text(alphabet="ab*?.-_+%!#'", min_size=1, max_size=8))
        text = text.replace("no-reply@", f"{local}@", 1)
    for _ in range(draw(st.integers(0, 3))):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(alphabet='[]{}.="\\ \n#ab1', max_size=6)) + text[cut:]
    return text


def fuzz_profile(text: str, folder: Path) -> None:
    """The rules-file reader and profile validator: a safe profile, or ``ProfileError``."""
    path = folder / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        profile = profile_from_document(read_rules_file(path))
    except ProfileError as exc:
        assert str(exc).startswith(str(path)), str(exc)
        return
    for sender in profile.senders:
        local = sender.address.rpartition("@")[0]
        assert sender.is_wildcard or not {"*", "?"} & set(local), sender.address
    for source in profile.networks:
        assert unsafe_reason(source.network) is None
        assert "%" not in str(source.network)


def _block(version: int, offset: int, prefix: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A block in a small corner of the space, so that overlaps are common."""
    width = 32 if version == 4 else 128
    base = int(ipaddress.ip_address("8.0.0.0" if version == 4 else "2600::"))
    value = base + (offset << (width - 24))
    prefix = prefix if version == 4 else prefix + 96
    return ipaddress.ip_network((value >> (width - prefix) << (width - prefix), prefix))


_SHIPPED_RULES = sorted(builtin_rules_dir().rglob("*.toml"))


@st.composite
def rules_inputs(draw: st.DrawFn) -> str:
    """A shipped rules file of any kind (profiles, providers, DNSBL zones, services...) with
    TOML-significant characters and odd values inserted."""
    text = draw(st.sampled_from(_SHIPPED_RULES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        cut = draw(st.integers(0, len(text)))
        noise = draw(
            st.one_of(
                st.text(alphabet='[]{}.,="\\ \n#ab1-*%', max_size=8),
                st.sampled_from(["1e999", "nan", "-0", "9" * 40, '"\\u0000"', "[[]]", "{}"]),
            )
        )
        text = text[:cut] + noise + text[cut:]
    return text


def fuzz_rules_file(text: str, folder: Path) -> None:
    """``rules validate``'s path for every kind: a result per file, never another exception."""
    path = folder / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    ((checked, error),) = validate_paths([path])
    assert checked == path
    assert error is None or str(error).startswith(str(path)), str(error)


network_lists = st.lists(
    st.builds(_block, st.sampled_from([4, 6]), st.integers(0, 255), st.integers(16, 32)),
    max_size=40,
)


def fuzz_overlap(networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
    """The sweep finds exactly the overlapping pairs the all-pairs check finds."""
    brute = {
        (i, j)
        for i in range(len(networks))
        for j in range(i + 1, len(networks))
        if networks[i].version == networks[j].version and networks[i].overlaps(networks[j])  # type: ignore[arg-type]
    }
    assert set(overlapping_pairs(networks)) == brute
