"""Vendor verdict decoding against the public samples (spam-headers/verdicts.yaml) and
literal headers per vendor."""

from __future__ import annotations

import pytest

from mailcheck.message.authres import parse_authres
from mailcheck.message.headers import parse_headers
from mailcheck.message.verdicts import Disposition, decode_all
from tests.message.msg_helpers import conformance_dir, load_yaml

# verdicts.yaml's words -> ours
_WORDS = {"spam": "spam", "ham": "not-spam", "not-spam": "not-spam"}


def _samples():
    try:
        data = load_yaml(conformance_dir("spam-headers") / "verdicts.yaml")
    except pytest.skip.Exception:
        return [pytest.param(None, id="conformance-missing")]
    return [pytest.param(s, id=s["file"].split("/")[-1]) for s in data["samples"]]


def _decode(sample: dict):
    data = (conformance_dir("spam-headers") / sample["file"]).read_bytes()
    headers = parse_headers(data)
    return headers, decode_all(headers)


@pytest.mark.parametrize("sample", _samples())
def test_sample_verdict(sample):
    if sample is None:
        conformance_dir("spam-headers")
    headers, verdicts = _decode(sample)
    expect = sample["expect"]
    decoded = [v for v in verdicts if v.vendor != "unknown"]
    if expect["verdict"] in ("none", "unknown"):
        assert all(v.disposition is Disposition.UNKNOWN for v in verdicts)
        if expect["verdict"] == "unknown":
            assert verdicts, "an unknown spam header must be shown raw, not dropped"
        return
    main = decoded[0]
    wanted = _WORDS[expect["verdict"]]
    ok = {wanted} | ({"allowed"} if wanted == "not-spam" else set())
    assert main.disposition.value in ok
    if "score" in expect:
        assert main.score == pytest.approx(expect["score"])
        assert main.threshold == pytest.approx(expect["threshold"])
    if "tests" in expect:
        assert list(main.tests) == expect["tests"]


def test_bounce_microsoft_fields():
    sample = {"file": "samples/mimekit-bounce.headers"}
    headers, verdicts = _decode(sample)
    by_header = {v.header: v for v in verdicts}
    forefront = by_header["X-Forefront-Antispam-Report"]
    assert forefront.score == -1 and forefront.disposition is Disposition.ALLOWED
    details = dict(forefront.details)
    assert details["SFV"].startswith("NSPM") and details["IPV"].startswith("CAL")
    assert details["DIR"].startswith("INB")
    assert by_header["X-Microsoft-Antispam"].score == 0
    assert "Inbox" in by_header["X-Microsoft-Antispam-Mailbox-Delivery"].summary
    compauth = by_header["Authentication-Results (compauth)"]
    assert dict(compauth.details) == {"compauth": "softpass", "reason": "202"}
    (ar,) = [parse_authres(f.value) for f in headers.get_all("Authentication-Results")]
    assert {r.method: r.result for r in ar.results} == {
        "spf": "none",
        "dkim": "none",
        "dmarc": "fail",
        "compauth": "softpass",
    }
    assert ar.by_method("dmarc")[0].action == "none"


def test_rspamd_sample_score_and_threshold():
    _headers, verdicts = _decode({"file": "samples/rspamd-arcbad.headers"})
    rspamd = next(v for v in verdicts if v.vendor == "Rspamd")
    assert (rspamd.score, rspamd.threshold) == (-1.31, 15.0)
    assert rspamd.disposition is Disposition.NOT_SPAM
    assert any(t.startswith("R_DKIM_REJECT") for t in rspamd.tests)


def _one(text: str):
    return decode_all(parse_headers(text.encode() + b"\r\n\r\n"))


@pytest.mark.parametrize(
    ("header", "vendor", "disposition", "score", "threshold"),
    [
        (
            "X-Forefront-Antispam-Report: CIP:192.0.2.1;SCL:9;SFV:SPM;CAT:HPHISH;DIR:INB;",
            "Microsoft 365",
            "phish",
            9,
            5,
        ),
        ("X-Forefront-Antispam-Report: SCL:1;SFV:NSPM;", "Microsoft 365", "not-spam", 1, 5),
        ("X-Microsoft-Antispam: BCL:7;", "Microsoft 365", "bulk", 7, 7),
        ("X-Microsoft-Antispam: BCL:6;", "Microsoft 365", "not-spam", 6, 7),
        ("X-MS-Exchange-Organization-SCL: 7", "Exchange Server", "spam", 7, 4),
        ("X-MS-Exchange-Organization-SCL: -1", "Exchange Server", "allowed", -1, 4),
        (
            "X-Spam-Status: Yes, score=6.2 required=5.0 tests=BAYES_80,URIBL_BLACK autolearn=no "
            "version=4.0.1",
            "SpamAssassin",
            "spam",
            6.2,
            5.0,
        ),
        (
            "X-Spamd-Result: default: True [17.10 / 15.00]; BAYES_SPAM(5.10)[99%]",
            "Rspamd",
            "spam",
            17.1,
            15.0,
        ),
        (
            "X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 "
            "bulkscore=0",
            "Proofpoint",
            "not-spam",
            0,
            None,
        ),
        (
            "X-Proofpoint-Spam-Details: rule=spam policy=default score=100 spamscore=100",
            "Proofpoint",
            "spam",
            100,
            None,
        ),
        ("X-Mimecast-Spam-Score: 30", "Mimecast", "spam", 30, 28),
        ("X-Mimecast-Spam-Score: 2", "Mimecast", "unknown", 2, 28),
        (
            "X-Barracuda-Spam-Score: 1.2\r\nX-Barracuda-Spam-Status: No, SCORE=1.20 using "
            "per-user scores of TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=7.0 tests=A",
            "Barracuda",
            "not-spam",
            1.2,
            3.5,
        ),
        ("X-TMASE-Result: 10--1.000000-4.000000", "Trend Micro", "not-spam", -1, 4),
        ("X-TM-AS-Result: Yes-12.1-7.0-31-10", "Trend Micro", "spam", 12.1, 7.0),
    ],
)
def test_vendor_header(header, vendor, disposition, score, threshold):
    (verdict,) = [v for v in _one(header) if v.vendor != "unknown"]
    assert (verdict.vendor, verdict.disposition.value) == (vendor, disposition)
    assert verdict.score == score and verdict.threshold == threshold


def test_unknown_spam_header_is_shown_raw():
    verdicts = _one("X-Acme-Spam-Verdict: maybe 42")
    assert [(v.vendor, v.header, v.raw) for v in verdicts] == [
        ("unknown", "X-Acme-Spam-Verdict", "maybe 42")
    ]


def test_exchange_scl_in_microsoft_365_is_microsoft_365s():
    verdicts = _one("X-MS-Exchange-Organization-SCL: 6\r\nX-Microsoft-Antispam: BCL:1;")
    assert {v.vendor for v in verdicts} == {"Microsoft 365"}


def test_forefront_sfs_is_decoded():
    from mailcheck.message.verdicts.microsoft import decode_forefront

    value = "SCL:1;SFV:NSPM;CAT:NONE;SFS:(13230040)(366016)(376014);DIR:INB;"
    details = dict(decode_forefront(value).details)
    assert details["SFS"] == (
        "3 spam filter rule(s) matched: 13230040, 366016, 376014 (undocumented ids)"
    )


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Microsoft-Antispam", "BCL:0;ARA:13230040;SFV:SKI;"),
        ("X-Microsoft-Antispam", "SFV:SKI;"),
        ("X-Forefront-Antispam-Report", "CIP:192.0.2.1;SCL:-1;SFV:SKI;CAT:NONE;DIR:INT;"),
    ],
)
def test_sfv_ski_is_reported_as_skipped(header, value):
    [verdict] = decode_all(parse_headers(f"{header}: {value}\r\n\r\n".encode()))
    assert verdict.disposition is Disposition.ALLOWED
    assert "SKI: skipped: filtering bypassed" in dict(verdict.details)["SFV"]
