"""ARC chain validation (RFC 8617) against the whole ValiMail ARC validation suite
(dkim/arc-test-suite/arc-draft-validation-tests.yml, 170 cases), keys served by the loopback
nameserver, with the RFC 8617 §5.2 status rule of ``mailcheck.message.arc.chain_status``.

Six expectations differ on purpose or by dkimpy's reading, listed in ``DIFFERENCES``; the
suite's sign tests (arc-draft-sign-tests.yml) test ARC *signing*, which mailcheck does not do.
"""

from __future__ import annotations

import pytest
import yaml

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.message.arc import chain_status
from mailcheck.message.headers import parse_headers
from mailcheck.protocols.dkim import verify_arc
from tests.message.msg_helpers import conformance_dir
from tests.nameserver import LoopbackNameserver, quote_txt, zones_from_records

DIFFERENCES = {
    # RFC 8301 §3.1: rsa-sha1 must not be accepted; the 2017 suite still expected Pass
    "ams_fields_a_sha1": "fail",
    "as_fields_a_sha1": "fail",
    # dkimpy does not reject an unknown c= value in an ARC-Message-Signature
    "ams_fields_c_na": "pass",
    # the suite leaves cv empty when a seal already reports cv=fail (nothing to add); RFC 8617
    # §5.2 gives such a chain the status fail, and so does mailcheck
    "cv_fail_i1_as_cv_fail": "fail",
    "cv_fail_i2_as2_fail": "fail",
    "cv_fail_i2_as1_fail": "fail",
}


def _tests():
    try:
        path = conformance_dir("dkim") / "arc-test-suite" / "arc-draft-validation-tests.yml"
    except pytest.skip.Exception:
        return [pytest.param(None, None, None, id="conformance-missing")]
    with path.open(encoding="utf-8") as handle:
        documents = list(yaml.safe_load_all(handle))
    return [
        pytest.param(doc.get("txt-records") or {}, name, test, id=name)
        for doc in documents
        for name, test in doc["tests"].items()
    ]


@pytest.fixture(scope="module")
def arc_server():
    with LoopbackNameserver(zones_from_records({})) as server:
        yield server


def _zone(records: dict[str, str]):
    served = {}
    for name, text in records.items():
        raw = text.encode()
        chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)]
        served[name] = [("TXT", quote_txt(*chunks))]
    return zones_from_records(served)


@pytest.mark.parametrize(("records", "name", "test"), _tests())
async def test_arc_validation(arc_server, records, name, test):
    if test is None:
        conformance_dir("dkim")
    arc_server.set_zones(_zone(records))
    data = test["message"].encode()
    fields = tuple(
        f.value
        for f in parse_headers(data).fields
        if f.key in ("arc-seal", "arc-message-signature")
    )
    config = ResolverConfig((Nameserver(arc_server.host, arc_server.port),), timeout=2, retries=0)
    result = chain_status(await verify_arc(data, fields, LiveResolver(config)), bool(fields))
    assert result is not None
    expected = str(test["cv"] or "none").lower()
    assert result.result == DIFFERENCES.get(name, expected)


async def test_forwarder_breakage_is_explained_by_arc(arc_server):
    """The suite's cv_pass_i1_1 message (sealed by example.org, whose ARC results say
    dmarc=pass) reaches the org from the list's IP, unsigned: DMARC fails here. The verdict
    still refuses an allowlist and says what the intact ARC chain claims."""
    from mailcheck.message import OrgContext, analyze, evaluate

    path = conformance_dir("dkim") / "arc-test-suite" / "arc-draft-validation-tests.yml"
    with path.open(encoding="utf-8") as handle:
        documents = list(yaml.safe_load_all(handle))
    document = next(d for d in documents if "cv_pass_i1_1" in d["tests"])
    message = document["tests"]["cv_pass_i1_1"]["message"].encode()
    received = (
        b"Received: from lists.example.org (lists.example.org [198.51.100.20]) by\n"
        b" mx.msgtest.example (Postfix) with ESMTPS id 9; Thu, 14 Jan 2015 15:02:00 -0800\n"
    )
    records = dict(document["txt-records"])
    records["d1.example.org"] = "v=spf1 -all"
    records["_dmarc.d1.example.org"] = "v=DMARC1; p=reject"
    arc_server.set_zones(_zone(records))
    config = ResolverConfig((Nameserver(arc_server.host, arc_server.port),), timeout=2, retries=0)
    org = OrgContext(("msgtest.example",))
    facts = await analyze(received + message, "m", LiveResolver(config), org)
    assert facts.arc_validation is not None and facts.arc_validation.result == "pass"
    assert facts.dmarc is not None and facts.dmarc.result == "fail"
    sentence = evaluate(facts, None)[0].summary
    assert "no allowlist should let it through" in sentence
    assert "first sealed by example.org, says DMARC passed" in sentence


@pytest.mark.parametrize("name", ["cv_fail_i1_as_cv_fail", "cv_fail_i2_as2_fail"])
async def test_failed_chain_is_fail_not_none_in_analyze(arc_server, name):
    """ARC sets present and the chain broken: ``analyze`` reports cv=fail (issue: "none")."""
    from mailcheck.message import OrgContext, analyze

    path = conformance_dir("dkim") / "arc-test-suite" / "arc-draft-validation-tests.yml"
    with path.open(encoding="utf-8") as handle:
        documents = list(yaml.safe_load_all(handle))
    document = next(d for d in documents if name in d["tests"])
    arc_server.set_zones(_zone(document.get("txt-records") or {}))
    config = ResolverConfig((Nameserver(arc_server.host, arc_server.port),), timeout=2, retries=0)
    message = document["tests"][name]["message"].encode()
    facts = await analyze(message, name, LiveResolver(config), OrgContext())
    assert facts.arc_validation is not None
    assert facts.arc_validation.result == "fail"
    assert "RFC 8617" in facts.arc_validation.reason


def test_suite_agreement_counts(capsys):
    """How many of the suite's expectations mailcheck meets as written (printed)."""
    cases = [p.values for p in _tests() if p.values[2] is not None]
    differ = [name for _, name, _ in cases if name in DIFFERENCES]
    print(
        f"ARC validation suite: {len(cases)} cases, {len(cases) - len(differ)} agree, "
        f"{len(differ)} differ on purpose: {', '.join(sorted(differ))}"
    )
    assert len(cases) == 170 and len(differ) == len(DIFFERENCES)
